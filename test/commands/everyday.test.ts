// The everyday commands: dax list, log, why, clean, touch, run -B.
import { existsSync, symlinkSync, utimesSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dax, events, exists, project, read, removeProjects, start, waitFor, write } from '../engine/helpers.js';

afterAll(() => removeProjects());

// gen[n] per value, sum of all three.
const DAXFILE = `version: 1
wildcards:
  n: { values: ['1', '2', '3'] }
rules:
  gen:
    description: one file per n
    output: out/{n}.txt
    input: [seed.txt]
    run: echo making {n}; cat {input} > {output}; echo {n} >> {output}
  sum:
    output: out/all.txt
    input: [out/1.txt, out/2.txt, out/3.txt]
    run: cat {input} > {output}
targets: [out/all.txt]
`;

const built = (): string => {
  const dir = project({ 'Daxfile.yaml': DAXFILE, 'seed.txt': 'seed\n' });
  const r = dax(dir, 'run');
  expect(r.code, r.stderr).toBe(0);
  return dir;
};

const ran = (stdout: string): string[] => events(stdout).filter((e) => e.type === 'job-end').map((e) => e.job as string).sort();

describe('dax list', () => {
  it('lists rules with description, wildcards and jobs, then the targets', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, 'seed.txt': 'seed\n' });
    const r = dax(dir, 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rule\s+wildcards\s+jobs\s+description/);
    expect(r.stdout).toMatch(/^gen\s+\{n\}\s+3\s+one file per n$/m);
    expect(r.stdout).toMatch(/^sum\s+-\s+1\s+out\/all\.txt$/m);
    expect(r.stdout).toMatch(/^targets \(what dax run builds by default\): out\/all\.txt$/m);
    const j = JSON.parse(dax(dir, 'list', '--json').stdout) as { rules: Array<{ name: string; jobs: number; wildcards: string[] }>; targets: string[] };
    expect(j.rules.map((x) => [x.name, x.jobs, x.wildcards])).toEqual([['gen', 3, ['n']], ['sum', 1, []]]);
    expect(j.targets).toEqual(['out/all.txt']);
  });

  it('still lists the rules when a source file is missing, saying why jobs are not counted', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gen\s+\{n\}\s+\?\s+one file per n$/m);
    expect(r.stdout).toMatch(/jobs not counted: .*seed\.txt/);
  });
});

describe('dax log', () => {
  it("prints a job's log; a job that printed nothing or never ran is said so", () => {
    const dir = built();
    const r = dax(dir, 'log', 'gen[n=2]');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('making 2\n');
    // By the path it makes, too.
    expect(dax(dir, 'log', 'out/3.txt').stdout).toContain('making 3\n');
    const quiet = dax(dir, 'log', 'sum');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toMatch(/^dax: sum printed nothing \(its last attempt: run \S+\)\n$/);
    const gen = dax(dir, 'log', 'gen');
    expect(gen.code).toBe(2);
    expect(gen.stderr).toMatch(/'gen' is a rule with a wildcard \(n\): name one of its jobs\n {2}hint: e\.g\. gen\[n=…\]/);
  });

  it('-f follows a running job until it ends', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  slow:
    output: out.txt
    run: "echo first; while [ ! -e go ]; do sleep 0.05; done; echo second; touch {output}"
targets: [out.txt]
`,
    });
    const run = start(dir, 'run');
    await waitFor(() => exists(dir, '.dax/logs/slow/_.log') && read(dir, '.dax/logs/slow/_.log').includes('first'), 'the job to print');
    const follow = start(dir, 'log', '-f', 'slow');
    await waitFor(() => follow.out.stdout.includes('first'), 'dax log -f to print the log so far');
    expect(follow.child.exitCode).toBeNull();
    writeFileSync(join(dir, 'go'), '');
    const f = await follow.done;
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/^=== dax attempt 1 of 1 at \S+ \(run \S+\): echo first;[^\n]*\nfirst\nsecond\n$/);
    expect((await run.done).code).toBe(0);
  });
});

describe('dax why', () => {
  it('says why a job is up to date, and traces what would run back to the changed source', () => {
    const dir = built();
    const ok = dax(dir, 'why', 'out/all.txt');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^sum is up to date: made by run \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; its command and its 3 inputs are as they were then\n {2}its inputs from gen\[n=1\], gen\[n=2\], gen\[n=3\]: up to date, and so is everything they need\n$/);
    write(dir, 'seed.txt', 'new seed\n');
    const stale = dax(dir, 'why', 'sum');
    expect(stale.stdout).toBe(
      'sum would run: dependency runs: gen[n=1]\n' +
        '  gen[n=1] would run: input changed: seed.txt (a source file)\n' +
        '  gen[n=2] would run: input changed: seed.txt (a source file)\n' +
        '  gen[n=3] would run: input changed: seed.txt (a source file)\n',
    );
    const src = dax(dir, 'why', 'seed.txt');
    expect(src.stdout).toMatch(/^seed\.txt is a source file: no rule makes it, so dax never runs anything for it\n {2}read by gen\[n=1\], gen\[n=2\], gen\[n=3\]/);
    const missing = dax(dir, 'why', 'gen[n=9]');
    expect(missing.stdout).toBe('gen[n=9] would run: output missing: out/9.txt\n');
  });
});

describe('dax clean', () => {
  it('removes the outputs dax made, and keeps what it did not make or what changed since', () => {
    const dir = built();
    write(dir, 'out/mine.txt', 'mine\n');
    // Changed since dax made it: kept.
    utimesSync(join(dir, 'out/3.txt'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    const n = dax(dir, 'clean', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toBe('would remove out/1.txt\nwould remove out/2.txt\nkept out/3.txt: changed since dax made it\nwould remove out/all.txt\nwould remove 3 files; kept 1\n');
    expect(exists(dir, 'out/1.txt')).toBe(true);
    const r = dax(dir, 'clean');
    expect(r.stdout).toMatch(/^removed 3 files; kept 1$/m);
    expect(['out/1.txt', 'out/2.txt', 'out/all.txt'].filter((p) => exists(dir, p))).toEqual([]);
    expect(read(dir, 'out/mine.txt')).toBe('mine\n');
    expect(exists(dir, 'out/3.txt')).toBe(true);
    expect(read(dir, 'seed.txt')).toBe('seed\n');
    // The next run makes them again.
    expect(ran(dax(dir, 'run', '--json').stdout)).toEqual(['gen[n=1]', 'gen[n=2]', 'sum']);
  });

  it('cleans only the jobs a target names; an output made outside dax, or through a link out of the project, is kept', () => {
    const dir = built();
    const r = dax(dir, 'clean', 'gen[n=1]');
    expect(r.stdout).toBe('removed out/1.txt\nremoved 1 file\n');
    expect(exists(dir, 'out/2.txt')).toBe(true);
    // Made again by hand: not the file dax made.
    write(dir, 'out/1.txt', 'by hand\n');
    expect(dax(dir, 'clean', 'gen').stdout).toBe('kept out/1.txt: changed since dax made it\nremoved out/2.txt\nremoved out/3.txt\nremoved 2 files; kept 1\n');
    expect(read(dir, 'out/1.txt')).toBe('by hand\n');
    // Never made by dax at all.
    const fresh = project({ 'Daxfile.yaml': DAXFILE, 'seed.txt': 'seed\n', 'out/2.txt': 'mine\n' });
    expect(dax(fresh, 'clean').stdout).toBe('kept out/2.txt: not made by dax (no record in the journal)\nremoved 0 files; kept 1\n');
    expect(read(fresh, 'out/2.txt')).toBe('mine\n');
    // A directory on the way to an output that a link takes outside the project.
    const outside = mkdtempSync(join(tmpdir(), 'dax-outside-'));
    writeFileSync(join(outside, 'x.txt'), 'not yours\n');
    const linked = project({ 'Daxfile.yaml': `version: 1\nallow_outside: ['${outside}']\nrules:\n  x: { output: ext/x.txt, run: 'echo x > {output}' }\ntargets: [ext/x.txt]\n` });
    symlinkSync(outside, join(linked, 'ext'));
    const made = dax(linked, 'run');
    expect(made.code, made.stderr).toBe(0);
    expect(dax(linked, 'clean').stdout).toBe('kept ext/x.txt: outside the project (through a symbolic link)\nremoved 0 files; kept 1\n');
    expect(existsSync(join(outside, 'x.txt'))).toBe(true);
  });
});

describe('dax touch', () => {
  it('records existing outputs as up to date, so nothing reruns; files are not changed', () => {
    const dir = built();
    write(dir, 'seed.txt', 'edited comment only\n');
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^4 of 4 jobs would run$/m);
    const r = dax(dir, 'touch');
    expect(r.code, r.stderr).toBe(0);
    // sum's inputs did not change: it was up to date already.
    expect(r.stdout).toBe('touched gen[n=1]\ntouched gen[n=2]\ntouched gen[n=3]\ntouched 3 jobs (1 up to date already)\n');
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^0 of 4 jobs would run$/m);
    expect(read(dir, 'out/all.txt')).toBe('seed\n1\nseed\n2\nseed\n3\n');
    expect(dax(dir, 'touch').stdout).toBe('nothing to touch: all 4 jobs are up to date\n');
  });

  it('refuses when an output is missing, naming it, and records nothing', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, 'seed.txt': 'seed\n', 'out/1.txt': 'x\n', 'out/2.txt': 'x\n' });
    const r = dax(dir, 'touch');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'dax: cannot touch: 2 outputs do not exist, so nothing was recorded:\n  gen[n=3]: out/3.txt\n  sum: out/all.txt\n' +
        '  hint: touch records outputs that exist; make these with dax run, or name only targets whose outputs exist\n',
    );
    expect(exists(dir, '.dax/journal.jsonl')).toBe(false);
    // A target whose outputs exist can be touched alone (seed.txt edited after out/1.txt was made).
    utimesSync(join(dir, 'seed.txt'), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    expect(dax(dir, 'run', '-n', 'gen[n=1]').stdout).toMatch(/^gen\[n=1\]: output out\/1\.txt is older than input seed\.txt/m);
    expect(dax(dir, 'touch', 'gen[n=1]').stdout).toBe('touched gen[n=1]\ntouched 1 job (0 up to date already)\n');
    expect(dax(dir, 'run', '-n', 'gen[n=1]').stdout).toBe('0 of 1 jobs would run\n');
  });
});

describe('dax run -B', () => {
  it('reruns the jobs the targets name and what depends on them; without targets, every job', () => {
    const dir = built();
    expect(ran(dax(dir, 'run', '--json', '-B', 'gen[n=2]').stdout)).toEqual(['gen[n=2]']);
    const n = dax(dir, 'run', '-n', '--force', 'gen[n=2]');
    expect(n.stdout).toBe('gen[n=2]: forced (-B)\n1 of 1 jobs would run\n  gen  1 job\n');
    expect(ran(dax(dir, 'run', '--json', '-B').stdout)).toEqual(['gen[n=1]', 'gen[n=2]', 'gen[n=3]', 'sum']);
    // Not forced again: the next run has nothing to do.
    expect(ran(dax(dir, 'run', '--json').stdout)).toEqual([]);
  });
});
