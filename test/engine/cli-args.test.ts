// `dax run` command lines: a plain one is read without commander (src/cli/fastargs.ts), anything
// else by commander. Both must mean the same; and a dry run prints commands only when asked.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, events, project, removeProjects } from './helpers.js';

afterAll(() => removeProjects());

const DAXFILE = `version: 1
wildcards:
  n: { values: [a, b] }
rules:
  gen: { output: 'out/{n}.txt', run: 'echo {n} > {output}' }
targets: ['out/{n}.txt']
`;

describe('dax run command lines', () => {
  it('reads the same options whether commander parses them or not', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const top = project({ 'sub/Daxfile.yaml': DAXFILE });
    // Plain forms (the fast reader), then forms only commander reads (--opt=value, bundled flags).
    for (const args of [['-C', 'sub', 'run', '-n', '--jobs', '2', 'out/a.txt'], ['--directory=sub', 'run', '--jobs=2', '-nk', 'out/a.txt']]) {
      const r = dax(top, ...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^gen\[n=a\]: output missing: out\/a\.txt\n1 of 1 jobs would run\n/);
    }
    expect(dax(dir, 'run', '--jobs', 'x').stderr).toMatch(/--jobs expects a whole number/);
    expect(dax(dir, 'run', '--bogus').code).toBe(2);
    expect(dax(dir, 'run', '--jobs').code).toBe(2);
    expect(dax(dir, '-v', 'run', '-k', '--log-level', 'info').code).toBe(0);
    expect(dax(dir, 'run').stdout).toMatch(/nothing to do/);
  });

  it('a dry run prints commands at the debug level and in JSON, not otherwise', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run', '-n').stdout).not.toMatch(/echo/);
    expect(dax(dir, 'run', '-n', '-v').stdout).toMatch(/^ {4}\$ echo a > out\/a\.txt$/m);
    const plan = events(dax(dir, 'run', '-n', '--json').stdout).filter((e) => e.type === 'plan');
    expect(plan.map((e) => e['command'])).toEqual(['echo a > out/a.txt', 'echo b > out/b.txt']);
  });
});
