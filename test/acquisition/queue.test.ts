// dax queue: validation as dax merge does it (exit codes and JSON paths), unsafe and duplicate
// ids, nothing written on error, and ten concurrent queues that all land.
import { afterAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dax, DAX, env, files, removeProjects } from '../engine/helpers.js';
import { acqProject, ID, queue, sources, sourcesJson, spec, status, writeJson } from './helpers.js';

afterAll(removeProjects);

describe('dax queue', () => {
  test('a valid spec: in-progress/<id>/ with specification, sources and status (Scheduled), id appended', () => {
    const dir = acqProject();
    sources(dir);
    const r = dax(dir, 'queue', writeJson(dir, 'spec.json', spec()));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(queue(dir)).toEqual([ID]);
    const d = join(dir, 'workspace/in-progress', ID);
    expect(readdirSync(d).sort()).toEqual(['logs', 'sources', 'sources.json', 'specification.json', 'status.json']);
    const s = status(dir);
    expect(s.state).toBe('Scheduled');
    expect(s.error).toBe(false);
    expect(s.sources.map((x) => x.local)).toEqual(['sources/1_fcs_fcs.fits', 'sources/target_dcs_dcs.fits']);
    expect(sourcesJson(dir)).toEqual({
      'data/fcs.fits': { local: 'sources/1_fcs_fcs.fits', state: 'pending', attempts: 0 },
      'data/dcs.fits': { local: 'sources/target_dcs_dcs.fits', state: 'pending', attempts: 0 },
    });
  });

  test.each([
    ['missing file', null, 100, /not found/],
    ['invalid JSON', '{"id": ', 101, /JSON/],
    ['schema', { id: 'X', sources: [], target: {} }, 102, /\/target/],
    ['unsafe id', spec('../evil', { target: { fileId: 'P' } }), 102, /\/id: "\.\.\/evil" cannot be an acquisition id/],
    ['control character', spec('a\u0001b', { target: { fileId: 'P' } }), 102, /\/id/],
  ])('refuses %s with exit %s and writes nothing', (_what, data, code, message) => {
    const dir = acqProject();
    const file = data === null ? join(dir, 'nope.json') : writeJson(dir, 'spec.json', data);
    const r = dax(dir, 'queue', file);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(files(dir, 'workspace')).toEqual([]);
  });

  test('refuses a duplicate id and leaves the first untouched', () => {
    const dir = acqProject();
    sources(dir);
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec())).code).toBe(0);
    const before = status(dir);
    const r = dax(dir, 'queue', writeJson(dir, 'spec2.json', spec(ID, { receivers: [] })));
    expect(r.code).toBe(102);
    expect(r.stderr).toMatch(/already queued/);
    expect(queue(dir)).toEqual([ID]);
    expect(status(dir)).toEqual(before);
    expect(readdirSync(join(dir, 'workspace/in-progress'))).toEqual([ID]);
  });

  test('reads its options the same whether commander parses the command line or not', () => {
    const dir = acqProject();
    const origins = (ws: string, id: string): string[] =>
      (JSON.parse(readFileSync(join(dir, ws, 'in-progress', id, 'status.json'), 'utf8')) as { sources: Array<{ origin: string }> }).sources.map((x) => x.origin);
    // Plain forms (the fast reader), then forms only commander reads (--opt=value).
    expect(dax(dir, 'queue', '--root', '/x', writeJson(dir, 'a.json', spec('A'))).code).toBe(0);
    expect(dax(dir, 'queue', '--root=/y', writeJson(dir, 'b.json', spec('B'))).code).toBe(0);
    expect(origins('workspace', 'A')).toEqual(['/x/data/fcs.fits', '/x/data/dcs.fits']);
    expect(origins('workspace', 'B')).toEqual(['/y/data/fcs.fits', '/y/data/dcs.fits']);
    expect(dax(dir, '--workspace', 'ws2', 'queue', writeJson(dir, 'c.json', spec('C'))).code).toBe(0);
    expect(dax(dir, 'queue', '--workspace=ws3', writeJson(dir, 'd.json', spec('D'))).code).toBe(0);
    expect(queue(dir)).toEqual(['A', 'B']);
    expect(JSON.parse(readFileSync(join(dir, 'ws2/queue.json'), 'utf8'))).toEqual(['C']);
    expect(JSON.parse(readFileSync(join(dir, 'ws3/queue.json'), 'utf8'))).toEqual(['D']);
    for (const bad of [['queue'], ['queue', 'a.json', 'b.json'], ['queue', '--bogus', 'a.json'], ['queue', '--root']]) {
      const r = dax(dir, ...bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/error:/);
    }
    expect(queue(dir)).toEqual(['A', 'B']);
  });

  test('an empty lock file (its holder killed between creating it and writing its pid) is taken over once old', () => {
    const dir = acqProject();
    mkdirSync(join(dir, 'workspace'));
    const lock = join(dir, 'workspace/queue.json.lock');
    writeFileSync(lock, '');
    utimesSync(lock, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const r = dax(dir, 'queue', writeJson(dir, 'spec.json', spec()));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(queue(dir)).toEqual([ID]);
    expect(existsSync(lock)).toBe(false);
  });

  test('reads the spec from stdin', async () => {
    const dir = acqProject();
    const child = spawn(process.execPath, [DAX, 'queue', '-'], { cwd: dir, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify(spec('FROM.STDIN')));
    const code = await new Promise((res) => child.on('close', res));
    expect(code).toBe(0);
    expect(queue(dir)).toEqual(['FROM.STDIN']);
  });

  test('ten dax queue at the same moment all land in queue.json', async () => {
    const dir = acqProject();
    const ids = Array.from({ length: 10 }, (_, i) => `ACQ.${i}`);
    for (const id of ids) writeJson(dir, `${id}.json`, spec(id));
    const codes = await Promise.all(
      ids.map((id) => new Promise<number | null>((res) => spawn(process.execPath, [DAX, 'queue', `${id}.json`], { cwd: dir, env: env(), stdio: 'ignore' }).on('close', res))),
    );
    expect(codes).toEqual(ids.map(() => 0));
    expect(queue(dir).sort()).toEqual(ids);
    expect(readdirSync(join(dir, 'workspace/in-progress')).sort()).toEqual(ids);
    expect(existsSync(join(dir, 'workspace/queue.json.lock'))).toBe(false);
  });
});
