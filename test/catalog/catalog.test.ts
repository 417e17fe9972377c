// The catalog pipeline of rules/catalog.yaml with the example tools, end to end through the CLI:
// complete vs edge-only files, incomplete CSVs, a kill -9 mid-run, and the per-chunk report.
import { catalogDaxfile, PUBLISHED } from './daxfile.js';
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { dax, exists, project, read, repo, sleep, start, waitFor, write } from '../engine/helpers.js';


const REGION = { ra: [0, 3], dec: [-2, 2] };

function catalog(extra = ''): string {
  return project({ 'Daxfile.yaml': catalogDaxfile({ rows: 300, ra: [REGION.ra[0]!, REGION.ra[1]!], dec: [REGION.dec[0]!, REGION.dec[1]!], rest: PUBLISHED + extra }) });
}

function ls(dir: string, rel: string): string[] {
  try {
    return readdirSync(join(dir, rel)).sort();
  } catch {
    return [];
  }
}

/** Every row of both tables, in a stable order. */
function dump(dir: string): string {
  const db = new Database(join(dir, 'out/catalog.db'), { readonly: true });
  try {
    return ['Object', 'Forced_Source']
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY chunkId, id, overlap`).all()))
      .join('\n');
  } finally {
    db.close();
  }
}

function lineCount(dir: string, rel: string): number {
  return read(dir, rel).split('\n').filter((l) => l !== '').length;
}

const chunkIds = (dir: string): string[] => dax(dir, 'chunks', '--from-daxfile', 'chunk').stdout.trim().split('\n');

/** One full build, made once; tests that start from a built catalog work on copies of it. */
let built: string;
let firstRun: ReturnType<typeof dax>;
function builtCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dax-catalog-'));
  cpSync(built, dir, { recursive: true });
  return dir;
}

describe('catalog pipeline', () => {
  beforeAll(async () => {
    built = catalog();
    // Started, not run synchronously: a busy machine takes most of a minute.
    firstRun = await start(built, 'run', '--jobs', '4').done;
  }, 120_000);

  it('builds CT for the set and EO for outside neighbours; the database holds exactly the partitioned rows', () => {
    const dir = builtCopy();
    const r = firstRun;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ids = chunkIds(dir);
    expect(ids.length).toBe(9);
    expect(ls(dir, 'out/ct')).toEqual([...ids].sort());
    const eo = ls(dir, 'out/eo');
    expect(eo.length).toBeGreaterThan(0);
    for (const c of eo) expect(ids).not.toContain(c); // a chunk of the set never needs EO
    // EO rows are the first rows of the same chunk's CT (edge rows first).
    expect(r.stdout).toMatch(/chunk: 9 finished, 0 failed, 0 not started, 0 incomplete/);
    const db = new Database(join(dir, 'out/catalog.db'), { readonly: true });
    for (const t of ['Object', 'Forced_Source']) {
      let rows = 0;
      for (const c of ids) rows += lineCount(dir, `out/part/${t}/chunk_${c}.txt`) + lineCount(dir, `out/part/${t}/chunk_${c}_overlap.txt`);
      const n = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      expect(n).toBe(rows);
      expect(rows).toBeGreaterThan(0);
    }
    db.close();
    expect(exists(dir, 'out/published.db')).toBe(true);
    const again = dax(dir, 'run');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do/);
  });

  it('an EO file is superseded: generating the CT removes it, dependents switch to the CT, and a leftover EO beside a CT goes', () => {
    const dir = builtCopy();
    const n = ls(dir, 'out/eo')[0]!;
    const eoBefore = read(dir, `out/eo/${n}/Object.csv`);
    // Build the neighbour's complete file: its edge-only file goes first.
    const ct = dax(dir, 'run', `out/ct/${n}/Object.csv`);
    expect(ct.code).toBe(0);
    expect(exists(dir, `out/eo/${n}/Object.csv`)).toBe(false);
    expect(read(dir, `out/ct/${n}/Object.csv`).startsWith(eoBefore)).toBe(true);
    // The partitions that used the EO now use the CT: they run again, and say why.
    const plan = dax(dir, 'run', '-n');
    expect(plan.stdout).toMatch(new RegExp(`catalog_partition\\[table=Object,chunk=\\d+\\]: inputs changed: added out/ct/${n}/Object.csv; removed out/eo/${n}/Object.csv`));
    const before = dump(dir);
    expect(dax(dir, 'run').code).toBe(0);
    expect(dump(dir)).toBe(before); // CT's edge rows are the EO rows: same overlap content
    // A tool outside dax leaves the EO again beside the CT: it is stale and removed.
    write(dir, `out/eo/${n}/Object.csv`, eoBefore);
    const sweep = dax(dir, 'run');
    expect(sweep.code).toBe(0);
    expect(sweep.stdout).toMatch(new RegExp(`removed out/eo/${n}/Object.csv: superseded by out/ct/${n}/Object.csv`));
    expect(exists(dir, `out/eo/${n}/Object.csv`)).toBe(false);
  });

  it('a truncated or ragged CSV is incomplete: -n and status say so, and run rebuilds it', () => {
    const dir = builtCopy();
    const c = chunkIds(dir)[0]!;
    const file = `out/ct/${c}/Forced_Source.csv`;
    const good = read(dir, file);
    truncateSync(join(dir, file), statSync(join(dir, file)).size - 7); // cut the last row short
    const plan = dax(dir, 'run', '-n');
    expect(plan.stdout).toContain(`catalog_generate_ct[chunk=${c},table=Forced_Source]: output incomplete: ${file} (the last line`);
    const st = dax(dir, 'status', '--json');
    const status = JSON.parse(st.stdout) as { rules: Record<string, { incomplete: number }> };
    expect(status.rules['catalog_generate_ct']!.incomplete).toBe(1);
    expect(dax(dir, 'run').code).toBe(0);
    expect(read(dir, file)).toBe(good);
    // Ragged rows, written by something outside dax.
    appendFileSync(join(dir, file), '1,2\n');
    expect(dax(dir, 'run', '-n').stdout).toMatch(new RegExp(`output incomplete: ${file} \\(row \\d+ has 2 fields`));
    expect(dax(dir, 'run').code).toBe(0);
    expect(read(dir, file)).toBe(good);
  });

  it('kill -9 mid-run, then dax run: the same database as an uninterrupted run', async () => {
    const whole = built;
    const dir = catalog();
    const run = start(dir, 'run', '--jobs', '4');
    await waitFor(() => ls(dir, 'out/ingested/Object').length + ls(dir, 'out/ingested/Forced_Source').length >= 3, 'some chunks ingested', 60_000);
    process.kill(run.pid, 'SIGKILL');
    await run.done;
    await sleep(1500); // orphaned tools finish or die on their own
    const again = dax(dir, 'run', '--jobs', '4');
    expect(again.code).toBe(0);
    expect(dump(dir)).toBe(dump(whole));
    expect(dax(dir, 'run').stdout).toMatch(/nothing to do/);
  });

  it('reports failed chunks as a list that retries them as a chunk set', () => {
    const dir = catalog();
    const bad = chunkIds(dir)[2]!;
    write(dir, 'flaky.sh', `case " $* " in *" --chunk ${bad} "*) [ -f fixed ] || { echo "generator broke on ${bad}" >&2; exit 1; } ;; esac\nexec node ${join(repo, 'examples/catalog/bin/generate.mjs')} "$@"\n`);
    const r = dax(dir, 'run', '-k', '--jobs', '4', '--set', 'generate=sh flaky.sh');
    expect(r.code).toBe(1);
    // The report of a run with failures goes with them, to stderr.
    expect(r.stderr).toMatch(/chunk: \d+ finished, 1 failed, \d+ not started, 0 incomplete/);
    expect(r.stderr).toContain(`failed: ${bad}`);
    expect(r.stderr).toContain('generator broke on');
    expect(read(dir, '.dax/failed-chunk.txt')).toBe(`${bad}\n`);
    // Retry only the failed chunks: the report is a chunk list, usable as a domain.
    writeFileSync(join(dir, 'fixed'), '');
    const retry = readFileSync(join(dir, 'Daxfile.yaml'), 'utf8')
      .replace(/chunks: \{ stripes.*\n/, "ids: { file: .dax/failed-chunk.txt }\n")
      .replace("targets: ['{vars.data}/published.db']", "targets: ['{vars.data}/ingested/{table}/{chunk}.done']");
    write(dir, 'Retry.yaml', retry);
    const rr = dax(dir, '-f', 'Retry.yaml', 'run', '--set', 'generate=sh flaky.sh');
    expect(rr.code).toBe(0);
    expect(rr.stdout).toMatch(/chunk: 1 finished, 0 failed/);
    expect(exists(dir, `out/ingested/Object/${bad}.done`)).toBe(true);
  });
});
