// Building, no-op runs, dry runs and what makes a job run again, as a user sees it.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { dax, daxEnv, removeProjects, events, exists, files, lines, project, read, started, tally, write } from './helpers.js';

afterAll(() => removeProjects());

// Two stages: gen[n=…] copies src/{n}.in and adds the greeting; all concatenates both. Every job
// appends its id to runs.log, so the tests can see what ran.
const DAXFILE = `version: 1
vars:
  greeting: hello
wildcards:
  n:
    values: [a, b]
rules:
  gen:
    output: out/{n}.txt
    input: src/{n}.in
    run: "echo $DAX_JOB >> runs.log; cat {input} > {output}; echo {vars.greeting} >> {output}"
  all:
    output: out/all.txt
    input: [out/a.txt, out/b.txt]
    run: "echo $DAX_JOB >> runs.log; cat {input} > {output}"
targets:
  - out/all.txt
`;

function twoStage(): string {
  return project({ 'Daxfile.yaml': DAXFILE, 'src/a.in': 'A\n', 'src/b.in': 'B\n' });
}

/** Runs dax run --json and returns the jobs it started. */
function run(dir: string, ...args: string[]): string[] {
  const r = dax(dir, 'run', '--json', ...args);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return started(r.stdout);
}

/** Sets a file's mtime `s` seconds into the future, so it is unambiguously newer. */
function later(dir: string, rel: string, s = 10): void {
  const t = Date.now() / 1000 + s;
  utimesSync(join(dir, rel), t, t);
}

describe('build, no-op and dry run', () => {
  it('builds a two-stage pipeline; a second run has nothing to do', () => {
    const dir = twoStage();
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'out/all.txt')).toBe('A\nhello\nB\nhello\n');
    expect(tally(lines(dir, 'runs.log'))).toEqual(new Map([['gen[n=a]', 1], ['gen[n=b]', 1], ['all', 1]]));
    // gen[n=a] and gen[n=b] before all.
    expect(lines(dir, 'runs.log')[2]).toBe('all');

    const again = dax(dir, 'run');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do/);
    expect(lines(dir, 'runs.log')).toHaveLength(3);
  });

  it('-n prints each job with its reason, exits 0 and writes no outputs', () => {
    const dir = twoStage();
    const r = dax(dir, 'run', '-n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gen\[n=a\]: .*missing.*out\/a\.txt/m);
    expect(r.stdout).toMatch(/^gen\[n=b\]: .*missing.*out\/b\.txt/m);
    expect(r.stdout).toMatch(/^all: .*missing.*out\/all\.txt/m);
    expect(r.stdout).toMatch(/3 of 3 jobs would run/);
    expect(exists(dir, 'out')).toBe(false);
    expect(exists(dir, 'runs.log')).toBe(false);
    // Nor any state: a dry run and a status of a fresh project leave it as it was.
    expect(dax(dir, 'status').code).toBe(0);
    expect(files(dir)).toEqual(['Daxfile.yaml', 'src/a.in', 'src/b.in']);

    // After a build, -n lists nothing.
    run(dir);
    const n = dax(dir, 'run', '-n');
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(/0 of 3 jobs would run/);
    expect(n.stdout).not.toMatch(/^gen/m);
  });

  it('a touched input with the same content reruns nothing; changed content reruns its job and dependents', () => {
    const dir = twoStage();
    run(dir);
    later(dir, 'src/a.in');
    expect(dax(dir, 'run', '-n').stdout).toMatch(/0 of 3 jobs would run/);
    expect(run(dir)).toEqual([]);
    // The journal learned the new mtime: still nothing to do.
    expect(run(dir)).toEqual([]);

    // Same size, new content, later mtime: the hash decides.
    write(dir, 'src/a.in', 'Z\n');
    later(dir, 'src/a.in', 20);
    const n = dax(dir, 'run', '-n');
    expect(n.stdout).toMatch(/^gen\[n=a\]: input changed: src\/a\.in/m);
    expect(n.stdout).toMatch(/^all: dependency runs: gen\[n=a\]/m);
    expect(n.stdout).not.toMatch(/^gen\[n=b\]/m);
    expect(run(dir).sort()).toEqual(['all', 'gen[n=a]']);
    expect(read(dir, 'out/all.txt')).toBe('Z\nhello\nB\nhello\n');
  });

  it("changing a rule's command reruns it (reason: command) and what depends on it", () => {
    const dir = twoStage();
    run(dir);
    write(dir, 'Daxfile.yaml', DAXFILE.replace('cat {input} > {output}; echo', 'cat {input} > {output}; echo more >> {output}; echo'));
    const n = dax(dir, 'run', '-n');
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(/^gen\[n=a\]: command/m);
    expect(n.stdout).toMatch(/^gen\[n=b\]: command/m);
    expect(run(dir).sort()).toEqual(['all', 'gen[n=a]', 'gen[n=b]']);
    expect(read(dir, 'out/a.txt')).toBe('A\nmore\nhello\n');
    expect(run(dir)).toEqual([]);
  });

  it('--set NAME=VALUE overrides a var, and the changed command reruns', () => {
    const dir = twoStage();
    run(dir);
    expect(run(dir, '--set', 'greeting=hi').sort()).toEqual(['all', 'gen[n=a]', 'gen[n=b]']);
    expect(read(dir, 'out/all.txt')).toBe('A\nhi\nB\nhi\n');
    expect(run(dir, '--set', 'greeting=hi')).toEqual([]);
    // Back to the Daxfile's value: the command changed again.
    expect(run(dir).sort()).toEqual(['all', 'gen[n=a]', 'gen[n=b]']);
    expect(read(dir, 'out/a.txt')).toBe('A\nhello\n');
  });

  it('var precedence: --set > Daxfile > environment DAX_VAR_NAME', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
vars:
  fromfile: file
rules:
  show:
    output: out.txt
    run: "echo {vars.fromfile} {vars.fromenv} > {output}"
targets:
  - out.txt
`,
    });
    expect(daxEnv(dir, { DAX_VAR_fromenv: 'env', DAX_VAR_fromfile: 'env' }, 'run').code).toBe(0);
    expect(read(dir, 'out.txt')).toBe('file env\n');
    expect(daxEnv(dir, { DAX_VAR_fromenv: 'env' }, 'run', '--set', 'fromenv=cli', '--set', 'fromfile=cli').code).toBe(0);
    expect(read(dir, 'out.txt')).toBe('cli cli\n');
    // Without the environment variable the var is undefined: a config error, nothing run.
    const r = dax(dir, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fromenv/);
  });

  it('an output made outside dax counts as done when newer than its inputs, and runs when older', () => {
    const dir = twoStage();
    write(dir, 'out/a.txt', 'made by hand\n');
    later(dir, 'out/a.txt');
    write(dir, 'out/b.txt', 'stale by hand\n');
    const past = Date.now() / 1000 - 100;
    utimesSync(join(dir, 'out/b.txt'), past, past);
    const n = dax(dir, 'run', '-n');
    expect(n.stdout).not.toMatch(/^gen\[n=a\]/m);
    expect(n.stdout).toMatch(/^gen\[n=b\]: output out\/b\.txt is older than input src\/b\.in/m);
    expect(run(dir).sort()).toEqual(['all', 'gen[n=b]']);
    expect(read(dir, 'out/a.txt')).toBe('made by hand\n');
    expect(read(dir, 'out/all.txt')).toBe('made by hand\nB\nhello\n');
  });

  it('deleting .dax/ is safe: the next run decides from the files alone', () => {
    const dir = twoStage();
    run(dir);
    rmSync(join(dir, '.dax'), { recursive: true });
    expect(run(dir)).toEqual([]);
    expect(exists(dir, '.dax')).toBe(true);
    rmSync(join(dir, '.dax'), { recursive: true });
    // Without a journal, an input newer than the outputs makes its job and dependents run.
    later(dir, 'src/b.in', 30);
    expect(run(dir).sort()).toEqual(['all', 'gen[n=b]']);
    expect(read(dir, 'out/all.txt')).toBe('A\nhello\nB\nhello\n');
  });

  it('targets on the command line: a path, a pattern with wildcards, a rule name', () => {
    const byPath = twoStage();
    expect(run(byPath, 'out/b.txt')).toEqual(['gen[n=b]']);
    expect(files(byPath, 'out')).toEqual(['out/b.txt']);

    const byPattern = twoStage();
    expect(run(byPattern, 'out/{n}.txt').sort()).toEqual(['gen[n=a]', 'gen[n=b]']);
    expect(files(byPattern, 'out')).toEqual(['out/a.txt', 'out/b.txt']);

    const byRule = twoStage();
    expect(run(byRule, 'gen').sort()).toEqual(['gen[n=a]', 'gen[n=b]']);
    expect(files(byRule, 'out')).toEqual(['out/a.txt', 'out/b.txt']);
    // The rule `all` as a target builds what it needs too.
    expect(run(byRule, 'all')).toEqual(['all']);
    expect(read(byRule, 'out/all.txt')).toBe('A\nhello\nB\nhello\n');
  });

  it('-C DIR and -f FILE name the project from elsewhere; an absolute target inside it is a path too', () => {
    const dir = twoStage();
    const elsewhere = project({});
    const r = dax(elsewhere, '-C', dir, 'run', '--json', 'out/a.txt');
    expect(r.code, r.stderr).toBe(0);
    expect(started(r.stdout)).toEqual(['gen[n=a]']);
    expect(exists(dir, 'out/a.txt')).toBe(true);
    expect(files(elsewhere)).toEqual([]);
    const f = dax(elsewhere, '-f', join(dir, 'Daxfile.yaml'), 'run', '--json', join(dir, 'out/b.txt'));
    expect(f.code, f.stderr).toBe(0);
    expect(started(f.stdout)).toEqual(['gen[n=b]']);
    expect(dax(elsewhere, '-C', dir, 'run').stdout).toMatch(/run \S+ succeeded: 1 done, 2 up to date/);
    expect(files(elsewhere)).toEqual([]);
  });

  it('a changed set of inputs or a changed env reruns the job', () => {
    const dir = twoStage();
    run(dir);
    write(dir, 'extra.txt', 'E\n');
    write(dir, 'Daxfile.yaml', DAXFILE.replace('input: [out/a.txt, out/b.txt]', 'input: [out/a.txt, out/b.txt, extra.txt]'));
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^all: inputs changed: added extra\.txt$/m);
    expect(run(dir)).toEqual(['all']);
    expect(read(dir, 'out/all.txt')).toBe('A\nhello\nB\nhello\nE\n');
    write(dir, 'Daxfile.yaml', DAXFILE.replace('input: [out/a.txt, out/b.txt]', 'input: [out/a.txt, out/b.txt, extra.txt]\n    env:\n      MODE: fast'));
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^all: command changed: env MODE: \(none\) -> 'fast'$/m);
    expect(run(dir)).toEqual(['all']);
    expect(run(dir)).toEqual([]);
  });

  it('a directory output is rebuilt when its input changes', () => {
    const dir = project({
      'in.txt': '1\n',
      'Daxfile.yaml': `version: 1
rules:
  parts:
    output: out/parts
    input: in.txt
    run: "mkdir {output} && cp {input} {output}/p.txt && touch {output}/$(cat {input}).n"
targets:
  - out/parts
`,
    });
    expect(dax(dir, 'run').code).toBe(0);
    expect(files(dir, 'out')).toEqual(['out/parts/1.n', 'out/parts/p.txt']);
    write(dir, 'in.txt', '22\n');
    const r = dax(dir, 'run');
    expect(r.code, r.stdout).toBe(0);
    // The new directory replaced the old one whole.
    expect(files(dir, 'out')).toEqual(['out/parts/22.n', 'out/parts/p.txt']);
    expect(read(dir, 'out/parts/p.txt')).toBe('22\n');
  });

  it('--json run-end carries the counts of a build and of a no-op', () => {
    const dir = twoStage();
    const first = events(dax(dir, 'run', '--json').stdout).find((e) => e.type === 'run-end')!;
    expect(first).toMatchObject({ result: 'ok', counts: { total: 3, done: 3, failed: 0, upToDate: 0 } });
    const second = events(dax(dir, 'run', '--json').stdout).find((e) => e.type === 'run-end')!;
    expect(second).toMatchObject({ result: 'nothing-to-do', counts: { total: 3, done: 0, upToDate: 3 } });
  });
});
