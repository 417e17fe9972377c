// The no-op fast path: after a run that left everything up to date, the next run answers from a
// snapshot of the files it rests on. Whatever would make a job run must still be seen.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { dax, daxEnv, removeProjects, exists, project, read, started, write } from './helpers.js';

afterAll(() => removeProjects());

const DAXFILE = `version: 1
include: [rules.yaml]
vars:
  tag: v1
wildcards:
  n:
    file: values.txt
targets:
  - 'out/{n}.done'
`;
const RULES = `rules:
  gen:
    output: out/{n}.txt
    input: src/{n}.in
    run: "cat {input} > {output}; echo {vars.tag} >> {output}"
  done:
    output: out/{n}.done
    input: out/{n}.txt
    run: "cp {input} {output}"
`;

function built(): string {
  const dir = project({ 'Daxfile.yaml': DAXFILE, 'rules.yaml': RULES, 'values.txt': 'a\nb\n', 'src/a.in': 'A\n', 'src/b.in': 'B\n', 'src/c.in': 'C\n' });
  expect(dax(dir, 'run').code).toBe(0);
  const again = dax(dir, 'run');
  expect(again.stdout).toMatch(/nothing to do: 0 done, 4 up to date \(4 jobs\)/);
  expect(exists(dir, '.dax/noop.json')).toBe(true);
  return dir;
}

function ran(dir: string, ...args: string[]): string[] {
  const r = dax(dir, 'run', '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return started(r.stdout).sort();
}

describe('no-op fast path', () => {
  it('is recorded as a run, and -n answers too', () => {
    const dir = built();
    const n = dax(dir, 'run', '-n');
    expect(n.stdout).toContain('0 of 4 jobs would run');
    const runs = dax(dir, 'runs', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l) as { result: string });
    expect(runs.length).toBe(2); // the build and the no-op; -n is not a run
    expect(runs.every((r) => r.result === 'ok')).toBe(true);
  });

  it('sees a deleted output that nothing reads, and a changed input', () => {
    const dir = built();
    rmSync(join(dir, 'out/b.done'));
    expect(ran(dir)).toEqual(['done[n=b]']);
    write(dir, 'src/a.in', 'AA\n');
    expect(ran(dir)).toEqual(['done[n=a]', 'gen[n=a]']);
    expect(read(dir, 'out/a.done')).toBe('AA\nv1\n');
  });

  it('sees the Daxfile, an included file, a domain file, --set and DAX_VAR_ change', () => {
    const dir = built();
    write(dir, 'values.txt', 'a\nb\nc\n');
    expect(ran(dir)).toEqual(['done[n=c]', 'gen[n=c]']);
    write(dir, 'rules.yaml', RULES.replace('cp {input} {output}', 'cat {input} > {output}'));
    expect(ran(dir)).toEqual(['done[n=a]', 'done[n=b]', 'done[n=c]']);
    write(dir, 'Daxfile.yaml', DAXFILE.replace('tag: v1', 'tag: v2'));
    expect(ran(dir).length).toBe(6);
    expect(ran(dir, '--set', 'tag=v3').length).toBe(6);
    expect(ran(dir, '--set', 'tag=v3')).toEqual([]);
    const r = dax(dir, 'run', '--json');
    expect(started(r.stdout).length).toBe(6); // back to v2 from the Daxfile
    writeFileSync(join(dir, 'Daxfile.yaml'), DAXFILE.replace('vars:\n  tag: v1\n', ''));
    const withVar = daxEnv(dir, { DAX_VAR_tag: 'v4' }, 'run', '--json');
    expect(withVar.code, withVar.stderr).toBe(0);
    expect(started(withVar.stdout).length).toBe(6);
    expect(read(dir, 'out/a.done')).toBe('A\nv4\n');
  });

  it('a lock left by a dead run is still taken over with a message', () => {
    const dir = built();
    write(dir, '.dax/lock', JSON.stringify({ pid: 999999, host: hostname(), start: 1, heartbeat: 1, run: 'old' }));
    const r = dax(dir, 'run');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/took over the lock/);
  });
});
