// The merger as a library call (the `./fits` export): a spec object or path in, a Result with a
// failure kind out, events through a callback, interruption through an AbortSignal.
import { describe, expect, test } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hostTag, tempPath } from '../../src/util/temp.js';
import { runMerge, MERGE_ERROR_KINDS, type MergeEvent, type MergeErrorKind } from '../../src/fits/index.js';
import { exitCode } from '../../src/cli/merge-exit.js';
import { binTable, fitsverify, primaryEmpty, tempDir, writeFits, writeSpec } from './helpers.js';

const spec = (location = 'a.fits'): Record<string, unknown> => ({
  id: 'LIB',
  sources: [{ type: 'fitsFile', sourceName: 'a', location }],
  target: { fileId: 'lib' },
});

function fixture(): string {
  const dir = tempDir();
  writeFits(join(dir, 'a.fits'), primaryEmpty(), binTable(3, 'A'));
  return dir;
}

describe('runMerge', () => {
  test('a spec object merges; events arrive through the callback', async () => {
    const dir = fixture();
    const events: MergeEvent[] = [];
    const r = await runMerge({ spec: { spec: spec() }, root: dir, onEvent: (e) => events.push(e) });
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toMatchObject({ path: join(dir, 'lib.fits'), hdus: 2 });
    expect(fitsverify(join(dir, 'lib.fits')).ok).toBe(true);
    expect(events.map((e) => e.type)).toContain('source');
    expect(events.at(-1)).toMatchObject({ type: 'result', dryRun: false });
  });

  test('a spec path: sources resolve against its directory', async () => {
    const dir = fixture();
    const r = await runMerge({ spec: writeSpec(dir, spec()) });
    expect(r.ok).toBe(true);
    expect(existsSync(join(dir, 'lib.fits'))).toBe(true);
  });

  test('failures are kinds with the JSON path or file', async () => {
    const dir = fixture();
    const kindOf = async (req: Parameters<typeof runMerge>[0]): Promise<unknown> => {
      const r = await runMerge(req);
      return r.ok ? 'ok' : r.error;
    };
    expect(await kindOf({ spec: join(dir, 'none.json') })).toMatchObject({ kind: 'spec-not-found', file: join(dir, 'none.json') });
    expect(await kindOf({ spec: { json: '{' } })).toMatchObject({ kind: 'invalid-json' });
    expect(await kindOf({ spec: { spec: { ...spec(), target: {} } } })).toMatchObject({ kind: 'bad-spec', pointer: '/target/fileId' });
    expect(await kindOf({ spec: { spec: spec('gone.fits') }, root: dir })).toMatchObject({ kind: 'source-not-found', file: join(dir, 'gone.fits') });
    expect(await kindOf({ spec: { spec: spec() }, root: dir, outfile: join(dir, 'no/dir/x.fits') })).toMatchObject({ kind: 'output-not-writable' });
    expect(readdirSync(dir)).toEqual(['a.fits']);
  });

  test('an aborted signal ends the merge as interrupted, writing nothing', async () => {
    const dir = fixture();
    const controller = new AbortController();
    controller.abort();
    const r = await runMerge({ spec: { spec: spec() }, root: dir, signal: controller.signal });
    expect(r.ok ? 'ok' : r.error.kind).toBe('interrupted');
    expect(readdirSync(dir)).toEqual(['a.fits']);
  });

  test('every kind has a documented exit code', () => {
    const codes = new Set([100, 101, 102, 110, 111, 130, 255]);
    for (const k of MERGE_ERROR_KINDS as readonly MergeErrorKind[]) expect(codes.has(exitCode(k)), k).toBe(true);
  });
});

describe('temporary names', () => {
  test('carry host and pid, and stay within 255 bytes for the longest output names', () => {
    const long = `${'x'.repeat(250)}.fits`;
    const t = basename(tempPath(join('/d', long), hostTag('node7.example.org'), 4242));
    expect(t.startsWith('.dax-tmp.node7%2Eexample%2Eorg.4242.')).toBe(true);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(255);
    expect(basename(tempPath('/d/p.fits', 'h', 1))).toBe('.dax-tmp.h.1.p.fits');
  });
});

describe('concurrent merges in one process', () => {
  test('two merges of the same output: one writes it, the other fails without touching its temporary', async () => {
    const dir = fixture();
    const [a, b] = await Promise.all([runMerge({ spec: { spec: spec() }, root: dir }), runMerge({ spec: { spec: spec() }, root: dir })]);
    const failed = [a, b].filter((r) => !r.ok);
    expect(failed.length).toBeLessThanOrEqual(1);
    for (const f of failed) expect(f.ok ? '' : f.error.kind).toBe('write-failed');
    expect(fitsverify(join(dir, 'lib.fits')).ok).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a.fits', 'lib.fits']);
  });
});
