// The end of a run, as cron mails it and a person reads it: failures, the footer and a failed
// run's summary on stderr, progress on stdout; -q keeps only the former; a retry is no failure;
// the run header says why work runs and with what; -n ends with per-rule counts; -p prints
// commands.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, project, read, removeProjects } from '../engine/helpers.js';

afterAll(() => removeProjects());

const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

const DAXFILE = `version: 1
vars:
  tool: "echo"
wildcards:
  n:
    values: [a, b, c]
rules:
  gen:
    output: gen/{n}.txt
    run: "{vars.tool} {n} > {output}"
  broken:
    output: out/broken.txt
    input: gen/a.txt
    run: |
      echo "reading {input}"
      echo "the generator broke" >&2
      exit 3
  after:
    output: out/after.txt
    input: out/broken.txt
    run: cp {input} {output}
  all:
    output: out/all.txt
    input: [gen/a.txt, gen/b.txt, gen/c.txt]
    run: cat {input} > {output}
targets:
  - out/after.txt
  - out/all.txt
`;

describe('the end of a failed run', () => {
  it('without -k: the footer names the failed job, its command, log and tail, what did not start and why, and what to do', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run', '--jobs', '1');
    expect(r.code).toBe(1);
    const runId = /run (\S+): /.exec(r.stdout)![1]!;
    const err = r.stderr.trimEnd().split('\n');
    expect(err[0]).toMatch(new RegExp(`^${TS} FAILED broken \\d+ms: exit code 3 \\(log: \\.dax/logs/broken/_\\.log\\)$`));
    expect(err.slice(1)).toEqual([
      '',
      '1 job failed:',
      expect.stringMatching(/^ {2}broken \(exit code 3, after \d+ms\)$/),
      '    command: echo "reading gen/a.txt"',
      '             echo "the generator broke" >&2',
      '             exit 3',
      '    log: .dax/logs/broken/_.log, last 2 lines:',
      '      | reading gen/a.txt',
      '      | the generator broke',
      '1 job did not start: it depends on a failed job',
      expect.stringMatching(/^[1-4] jobs? did not start: dax stopped starting jobs after the first failure$/),
      `what now: fix the cause, then \`dax resume ${runId}\` runs what is left`,
      '          (with -k, dax keeps running the jobs that do not depend on a failure)',
      expect.stringMatching(new RegExp(`^${TS} run ${runId} FAILED: \\d done, 1 failed, \\d not started, 0 up to date \\(6 jobs\\) in `)),
    ]);
    // Progress only on stdout.
    expect(r.stdout).not.toMatch(/FAILED|the generator broke|what now/);
    expect(r.stdout).toMatch(/^\S+ start broken$/m);
  });

  it('with -k: the rest runs; the footer comes last, after the jobs that ran on', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run', '-k', '--jobs', '1');
    expect(r.code).toBe(1);
    expect(read(dir, 'out/all.txt')).toBe('a\nb\nc\n');
    expect(r.stderr).toMatch(/^1 job did not start: it depends on a failed job$/m);
    expect(r.stderr).not.toMatch(/stopped starting jobs|with -k/);
    expect(r.stderr.trimEnd().split('\n').slice(-2)[0]).toMatch(/^what now: fix the cause, then `dax resume \S+` runs what is left$/);
    // The header says why each job runs, grouped, and with what.
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(new RegExp(`^${TS} run \\S+: 6 of 6 jobs to run \\(0 up to date\\): 6 output missing$`)),
      expect.stringMatching(new RegExp(`^${TS} dax \\d+\\.\\d+\\.\\d+\\S*, in ${dir}, --jobs 1, -k$`)),
    ]);
    // Run again with another tool: the reasons are grouped.
    const again = dax(dir, 'run', '-k', '--set', "tool=printf '%s\\n'");
    expect(again.stdout).toMatch(new RegExp(`^${TS} run \\S+: 6 of 6 jobs to run \\(0 up to date\\): 3 command changed \\(var tool\\), 1 failed last time, 1 output missing, 1 dependency runs$`, 'm'));
    expect(again.stdout).toMatch(/, --set tool=printf '%s\\n', -k$/m);
  });

  it('-q (and --log-level warn): stderr holds exactly the failures and the summary; a good run prints its summary only', () => {
    for (const quiet of [['-q'], ['--log-level', 'warn']]) {
      const dir = project({ 'Daxfile.yaml': DAXFILE });
      const r = quiet[0] === '-q' ? dax(dir, 'run', ...quiet) : dax(dir, ...quiet, 'run');
      expect(r.code).toBe(1);
      expect(r.stdout, quiet.join(' ')).toBe('');
      expect(r.stderr).toMatch(/^1 job failed:$/m);
      expect(r.stderr).toMatch(/FAILED: /);
      const ok = dax(dir, 'run', ...quiet, '--set', "tool=printf '%s\\n'", 'out/all.txt');
      expect(ok.code).toBe(0);
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toMatch(new RegExp(`^${TS} run \\S+ succeeded: 4 done, 0 up to date \\(4 jobs\\) in \\S+\\n$`));
    }
  });

  it('a retry reads "retrying", never FAILED; each attempt in the log starts with its header line', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  flaky:
    output: out.txt
    retries: 2
    run: |
      echo try >> tries
      if [ "$(wc -l < tries)" -lt 2 ]; then echo "not yet" >&2; exit 5; fi
      echo ok > {output}
targets: [out.txt]
`,
    });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${TS} retrying flaky \\(attempt 2 of 3\\): exit code 5 \\(log: \\.dax/logs/flaky/_\\.log\\)$`, 'm'));
    expect(r.stdout + r.stderr).not.toMatch(/FAILED|failed/);
    expect(r.stderr).toBe('');
    const log = read(dir, '.dax/logs/flaky/_.log').split('\n');
    const header = (n: number): RegExp => new RegExp(`^=== dax attempt ${n} of 3 at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(run \\S+\\): echo try >> tries ↵ if .* fi ↵ echo ok > \\S+$`);
    expect(log[0]).toMatch(header(1));
    expect(log[1]).toBe('not yet');
    expect(log[2]).toMatch(header(2));
    expect(log.slice(3)).toEqual(['']);
  });

  it('a failure that left no log names none', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  a:
    output: blocker
    run: echo x > {output}
  b:
    output: blocker/b.txt
    input: [blocker]
    run: echo b > {output}
targets: [blocker/b.txt]
`,
    });
    const r = dax(dir, 'run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${TS} FAILED b \\d+ms: cannot create the directory of blocker/b\\.txt: blocker is a file, not a directory \\(\\w+\\)$`, 'm'));
    expect(r.stderr).not.toMatch(/log/);
    expect(r.stderr).toMatch(/^    command: echo b > blocker\/b\.txt$/m);
  });

  it('a good run names what it made when the targets are few', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run', 'out/all.txt');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${TS} made out/all\\.txt\\n${TS} run \\S+ succeeded: 4 done`, 'm'));
    // Many targets' outputs are not listed.
    const many = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(many, 'run', 'gen/{n}.txt', 'out/all.txt').stdout).not.toMatch(/ made /);
  });
});

describe('dry runs and -p', () => {
  it('-n ends with per-rule counts of what would run', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run', '-n');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').slice(-5)).toEqual(['6 of 6 jobs would run', '  gen     3 jobs', '  broken  1 job', '  after   1 job', '  all     1 job']);
  });

  it('-p prints each job\'s command as it starts, and in -n', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const n = dax(dir, 'run', '-n', '-p', 'out/all.txt');
    expect(n.stdout).toMatch(/^gen\[(n=)?b\]: output missing: gen\/b\.txt\n {4}\$ echo b > gen\/b\.txt$/m);
    expect(n.stdout).toMatch(/^all: output missing: out\/all\.txt\n {4}\$ cat gen\/a\.txt gen\/b\.txt gen\/c\.txt > out\/all\.txt$/m);
    const r = dax(dir, 'run', '-p', '--jobs', '1', 'out/all.txt');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${TS} start gen\\[(n=)?a\\]\\n {4}\\$ echo a > gen/a\\.txt$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${TS} start all\\n {4}\\$ cat gen/a\\.txt gen/b\\.txt gen/c\\.txt > out/all\\.txt$`, 'm'));
    // Without -p, no commands.
    expect(dax(dir, 'run', '--set', "tool=printf '%s\\n'", 'out/all.txt').stdout).not.toMatch(/\$ /);
  });
});
