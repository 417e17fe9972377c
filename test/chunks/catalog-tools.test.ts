// The catalog example tools (examples/catalog/bin), run as real processes.
import { assert, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Chunker, boxContains, degToRad } from '../../src/chunks/chunker.js';
import { repo } from '../repo.js';

const STRIPES = 50;
const SUBSTRIPES = 5;
const EDGE = 0.5;
const OVERLAP = 0.3;
const chunker = new Chunker(STRIPES, SUBSTRIPES);
const bin = (tool: string): string => join(repo, 'examples/catalog/bin', `${tool}.mjs`);

function tool(name: string, args: Array<string | number>): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin(name), ...args.map(String)], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(name: string, args: Array<string | number>): string {
  const r = tool(name, args);
  if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function generate(dir: string, chunk: number, table: string, kind: 'ct' | 'eo', rows = 400, seed = 42): string {
  const out = join(dir, `chunk${chunk}_${table}.${kind}.csv`);
  ok('generate', ['--chunk', chunk, '--table', table, '--kind', kind, '--edge-width', EDGE, '--stripes', STRIPES,
    '--substripes', SUBSTRIPES, '--seed', seed, '--rows', rows, '--out', out]);
  return out;
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const radec = (line: string, sep = ','): [number, number] => {
  const f = line.split(sep);
  return [Number(f[1]), Number(f[2])];
};
// A row partition.mjs writes: the input's id,ra,dec,flux,flag (tab-separated) then chunkId, subChunkId.
interface PartRow { id: string; ra: number; dec: number; flag: string; chunk: number; subChunk: number }
const partRow = (line: string): PartRow => {
  const f = line.split('\t');
  const [id, ra, dec, , flag, chunk, subChunk] = f;
  assert(f.length === 7 && id !== undefined && flag !== undefined, `a partitioned row has 7 fields: ${line}`);
  return { id, ra: Number(ra), dec: Number(dec), flag, chunk: Number(chunk), subChunk: Number(subChunk) };
};


describe('generate.mjs', () => {
  it('an EO file is the first lines of the CT file: the edge rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-gen-'));
    for (const table of ['Object', 'Forced_Source']) {
      const ct = lines(generate(dir, 2500, table, 'ct'));
      const eo = lines(generate(dir, 2500, table, 'eo'));
      expect(ct).toHaveLength(400);
      expect(eo.length).toBeGreaterThan(0);
      expect(eo.length).toBeLessThan(ct.length);
      expect(ct.slice(0, eo.length)).toEqual(eo);
      const isEdge = (l: string): boolean => chunker.edgeDistance(2500, ...radec(l)) <= EDGE;
      expect(eo.every(isEdge)).toBe(true);
      expect(ct.slice(eo.length).some(isEdge)).toBe(false);
      // Every row is in the chunk, and the columns are id,ra,dec,flux,flag.
      for (const l of ct) {
        expect(chunker.locate(...radec(l))).toBe(2500);
        expect(l.split(',')).toHaveLength(5);
      }
    }
  });

  it('is deterministic per (seed, table, chunk); a table named with _ is its own table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-gen-'));
    const a = readFileSync(generate(dir, 2501, 'Object', 'ct'), 'utf8');
    const again = readFileSync(generate(dir, 2501, 'Object', 'ct'), 'utf8');
    const other = readFileSync(generate(dir, 2501, 'Forced_Source', 'ct'), 'utf8');
    const seed = readFileSync(generate(dir, 2501, 'Object', 'ct', 400, 43), 'utf8');
    expect(again).toBe(a);
    expect(other).not.toBe(a);
    expect(seed).not.toBe(a);
    const ids = new Set([...lines(generate(dir, 2500, 'Object', 'ct')), ...a.split('\n').filter(Boolean)].map((l) => l.split(',')[0]));
    expect(ids.size).toBe(800); // unique across chunks
    expect(readdirSync(dir).some((f) => f.startsWith('.dax-tmp.'))).toBe(false);
  });

  it('bad arguments: exit 2, a message, no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-gen-'));
    const out = join(dir, 'x.csv');
    const base = ['--table', 'Object', '--kind', 'ct', '--edge-width', 1, '--stripes', 50, '--substripes', 5, '--seed', 1, '--rows', 10, '--out', out];
    expect(tool('generate', ['--chunk', 2599, ...base])).toMatchObject({ code: 2, stderr: expect.stringMatching(/chunk 2599 does not exist/) });
    expect(tool('generate', ['--chunk', 2500, ...base.map((a) => (a === 'ct' ? 'xx' : a))])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--kind must be ct or eo/) });
    expect(tool('generate', ['--chunk', 2500, ...base.map((a) => (a === 'Object' ? 'Obj-ect' : a))]).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('partition.mjs', () => {
  // A chunk in the middle of the sky and one next to the south polar cap.
  it.each([2500, 100])('chunk %i: its own rows plus the neighbours\' rows within the overlap, nothing else', (chunk) => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-part-'));
    const neighbours = chunker.neighbours(chunk, EDGE).filter((n) => n !== chunk);
    const table = 'Forced_Source';
    const ownCt = generate(dir, chunk, table, 'ct');
    const ownEo = generate(dir, chunk, table, 'eo');
    const neighbourCt = neighbours.map((n) => generate(dir, n, table, 'ct'));
    const neighbourEo = neighbours.map((n) => generate(dir, n, table, 'eo'));
    // The chunk's CT and EO both (repeats), one neighbour's CT and the rest EO, as the rules allow.
    const [oneCt] = neighbourCt;
    assert(oneCt !== undefined, `chunk ${chunk} has neighbours`);
    const inputs = [ownCt, ownEo, oneCt, ...neighbourEo.slice(1)];
    const out = join(dir, 'part');
    mkdirSync(out);
    ok('partition', ['--chunk', chunk, '--stripes', STRIPES, '--substripes', SUBSTRIPES, '--overlap', OVERLAP, '--out-dir', out, '--table', table, '--inputs', ...inputs]);

    const main = lines(join(out, `chunk_${chunk}.txt`)).map(partRow);
    const over = lines(join(out, `chunk_${chunk}_overlap.txt`)).map(partRow);
    // Own rows: all of the CT file, once each, with the chunker's chunk and sub-chunk.
    expect(main.map((r) => r.id).sort()).toEqual(lines(ownCt).map((l) => l.split(',')[0]).sort());
    for (const r of main) {
      const at = chunker.getSubChunk(r.ra, r.dec);
      expect([r.chunk, r.subChunk]).toEqual([at.chunkId, at.subChunkId]);
      expect(r.flag).toMatch(/^(\\N|\d+)$/); // empty fields become \N
    }
    // Overlap rows: exactly the neighbours' rows (from their complete files) in the grown box.
    const grown = chunker.getGrownBounds(chunk, OVERLAP);
    const expected = neighbourCt
      .flatMap(lines)
      .filter((l) => boxContains(grown, degToRad(radec(l)[0]), degToRad(radec(l)[1])))
      .map((l) => l.split(',')[0])
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(over.map((r) => r.id).sort()).toEqual(expected);
    const subChunks = new Set(chunker.getAllSubChunks(chunk));
    for (const r of over) {
      expect(chunker.locate(r.ra, r.dec)).not.toBe(chunk);
      expect(r.chunk).toBe(chunk);
      expect(r.subChunk).toBe(chunker.getSubChunkIn(chunk, r.ra, r.dec));
      expect(subChunks.has(r.subChunk)).toBe(true);
    }
    // Same output whatever the order of the inputs.
    const out2 = join(dir, 'part2');
    mkdirSync(out2);
    ok('partition', ['--chunk', chunk, '--stripes', STRIPES, '--substripes', SUBSTRIPES, '--overlap', OVERLAP, '--out-dir', out2, '--table', table, '--inputs', ...[...inputs].reverse()]);
    expect(readFileSync(join(out2, `chunk_${chunk}_overlap.txt`), 'utf8')).toBe(readFileSync(join(out, `chunk_${chunk}_overlap.txt`), 'utf8'));
    expect(readFileSync(join(out2, `chunk_${chunk}.txt`), 'utf8')).toBe(readFileSync(join(out, `chunk_${chunk}.txt`), 'utf8'));
  });

  it('refuses a row whose CT and EO versions differ (stale files)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-part-'));
    const ct = generate(dir, 2500, 'Object', 'ct');
    const eo = join(dir, 'stale.eo.csv');
    // The first edge row of another seed, under the id of the CT file's first row.
    const [staleRow] = lines(generate(dir, 2500, 'Object', 'eo', 400, 7));
    const [ctId] = lines(ct)[0]?.split(',') ?? [];
    assert(staleRow !== undefined && ctId !== undefined, 'generate wrote rows');
    writeFileSync(eo, staleRow.replace(/^\d+/, ctId) + '\n');
    const r = tool('partition', ['--chunk', 2500, '--stripes', STRIPES, '--substripes', SUBSTRIPES, '--overlap', OVERLAP, '--out-dir', dir, '--table', 'Object', '--inputs', ct, eo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stale\.eo\.csv:1: row \d+ differs/);
    expect(existsSync(join(dir, 'chunk_2500.txt'))).toBe(false);
  });
});

describe('ingest.mjs', () => {
  /** The chunk's partitioned files: [main, overlap]. */
  function partitioned(dir: string, chunk: number, seed = 42): [string, string] {
    const table = 'Forced_Source';
    const inputs = chunker.neighbours(chunk, EDGE).map((n) => generate(dir, n, table, n === chunk ? 'ct' : 'eo', 300, seed));
    const out = join(dir, `part${chunk}-${seed}`);
    mkdirSync(out);
    ok('partition', ['--chunk', chunk, '--stripes', STRIPES, '--substripes', SUBSTRIPES, '--overlap', OVERLAP, '--out-dir', out, '--table', table, '--inputs', ...inputs]);
    return [join(out, `chunk_${chunk}.txt`), join(out, `chunk_${chunk}_overlap.txt`)];
  }
  const dump = (db: string): unknown[] => {
    const d = new Database(db, { readonly: true });
    try {
      return d.prepare('SELECT * FROM Forced_Source ORDER BY chunkId, id').all();
    } finally {
      d.close();
    }
  };
  const ingest = (db: string, chunk: number, files: string[], done: string): string =>
    ok('ingest', ['--db', db, '--table', 'Forced_Source', '--chunk', chunk, '--files', ...files, '--done', done]);

  it('ingesting a chunk twice, or after a partial earlier attempt, gives the same content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-ingest-'));
    const files = partitioned(dir, 2500);
    const db = join(dir, 'cat.db');
    ingest(db, 2500, files, join(dir, 'done'));
    const first = dump(db);
    expect(first.length).toBe(lines(files[0]).length + lines(files[1]).length);
    expect(first.filter((r) => (r as { overlap: number }).overlap === 1)).toHaveLength(lines(files[1]).length);
    expect(JSON.parse(readFileSync(join(dir, 'done'), 'utf8'))).toMatchObject({ table: 'Forced_Source', chunk: 2500 });
    ingest(db, 2500, files, join(dir, 'done'));
    expect(dump(db)).toEqual(first);
    // An earlier attempt with other data (e.g. another seed) is replaced, not added to.
    const db2 = join(dir, 'cat2.db');
    ingest(db2, 2500, partitioned(dir, 2500, 99), join(dir, 'done2'));
    ingest(db2, 2500, files, join(dir, 'done2'));
    expect(dump(db2)).toEqual(first);
    const row = first.find((r) => (r as { flag: number | null }).flag === null);
    expect(row).toBeDefined(); // \N became NULL
  });

  it('concurrent ingests of different chunks into one database all land', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-ingest-'));
    const chunks = [2500, 2501, 2502, 2400];
    const parts = chunks.map((c) => ({ chunk: c, files: partitioned(dir, c) }));
    const db = join(dir, 'cat.db');
    const codes = await Promise.all(
      parts.map(
        ({ chunk: c, files }) =>
          new Promise<number | null>((resolve) => {
            const p = spawn(process.execPath, [bin('ingest'), '--db', db, '--table', 'Forced_Source', '--chunk', String(c), '--files', ...files, '--done', join(dir, `done${c}`)], { stdio: 'ignore' });
            p.on('exit', resolve);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const total = parts.flatMap((p) => p.files).reduce((n, f) => n + lines(f).length, 0);
    expect(dump(db)).toHaveLength(total);
  });

  it('refuses files of another chunk before touching the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-ingest-'));
    const files = partitioned(dir, 2500);
    const r = tool('ingest', ['--db', join(dir, 'cat.db'), '--table', 'Forced_Source', '--chunk', 2501, '--files', ...files, '--done', join(dir, 'done')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row of chunk 2500, not 2501/);
    expect(existsSync(join(dir, 'cat.db'))).toBe(false);
    expect(existsSync(join(dir, 'done'))).toBe(false);
  });
});
