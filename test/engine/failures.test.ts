// Failing jobs: retries, timeouts, keep-going, exit 1, outputs of a failed job removed, the
// failure message with the log's tail, one log per job under .dax/logs/.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, removeProjects, events, exists, files, groupGone, lines, project, read, started, write } from './helpers.js';

afterAll(() => removeProjects());

describe('failures', () => {
  it('retries: 1 reruns a job that failed its first attempt; both attempts are in its log', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  flaky:
    output: out.txt
    retries: 1
    run: |
      echo "attempt $DAX_ATTEMPT" >> attempts.log
      if [ "$DAX_ATTEMPT" = 1 ]; then echo "first attempt fails" >&2; exit 7; fi
      echo "second attempt works"
      echo ok > {output}
targets:
  - out.txt
`,
    });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(read(dir, 'out.txt')).toBe('ok\n');
    expect(lines(dir, 'attempts.log')).toEqual(['attempt 1', 'attempt 2']);
    expect(r.stdout).toMatch(/retrying flaky \(attempt 2 of 2\): exit code 7/);
    expect(r.stdout + r.stderr).not.toMatch(/FAILED/);
    expect(r.stdout).toMatch(/start flaky \(attempt 2\)/);
    expect(r.stdout).toMatch(/succeeded: 1 done/);
    const log = read(dir, '.dax/logs/flaky/_.log');
    expect(log).toMatch(/first attempt fails/);
    expect(log).toMatch(/second attempt works/);

    // Without retries the same command fails the run.
    const once = project({ 'Daxfile.yaml': read(dir, 'Daxfile.yaml').replace('retries: 1', 'retries: 0') });
    const f = dax(once, 'run');
    expect(f.code).toBe(1);
    expect(lines(once, 'attempts.log')).toEqual(['attempt 1']);
    expect(exists(once, 'out.txt')).toBe(false);
  });

  it('timeout: 1s stops a job that runs longer: failed, exit 1, says timed out', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  sleepy:
    output: out.txt
    timeout: 1s
    run: echo $$ > pgid; sleep 5 & sleep 5; wait; touch {output}
targets:
  - out.txt
`,
    });
    const r = dax(dir, 'run');
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(4000);
    expect(r.stderr).toMatch(/FAILED sleepy .*timed out after 1s/);
    // The whole process group was stopped, not just the shell.
    const pgid = Number(read(dir, 'pgid'));
    expect(pgid).toBeGreaterThan(1);
    await groupGone(pgid, 2000);
    expect(r.stderr).toMatch(/FAILED: 0 done, 1 failed/);
    expect(exists(dir, 'out.txt')).toBe(false);
    // Failed last time: the next run tries again.
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^sleepy: failed last time/m);
  });

  it('without -k dax starts nothing new after a failure; with -k independent jobs still run', () => {
    const daxfile = `version: 1
wildcards:
  n:
    values: [1, 2, 3]
rules:
  bad:
    output: out/bad.txt
    run: "echo boom >&2; exit 1"
  after:
    output: out/after.txt
    input: out/bad.txt
    run: cp {input} {output}
  good:
    output: out/good{n}.txt
    run: "echo {n} > {output}"
targets:
  - out/after.txt
  - out/good{n}.txt
`;
    const stop = project({ 'Daxfile.yaml': daxfile });
    const r = dax(stop, 'run', '--jobs', '1', '--json');
    expect(r.code).toBe(1);
    const ev = events(r.stdout);
    expect(ev.filter((e) => e.type === 'job-start').map((e) => e.job)).toEqual(['bad']);
    expect(ev.find((e) => e.type === 'run-end')).toMatchObject({ result: 'failed', counts: { failed: 1, done: 0, skipped: 4 } });
    expect(exists(stop, 'out/good1.txt')).toBe(false);

    const keep = project({ 'Daxfile.yaml': daxfile });
    const k = dax(keep, 'run', '--jobs', '1', '-k', '--json');
    expect(k.code).toBe(1);
    const kev = events(k.stdout);
    expect(kev.filter((e) => e.type === 'job-start').map((e) => e.job).sort()).toEqual(['bad', 'good[n=1]', 'good[n=2]', 'good[n=3]']);
    expect(kev.find((e) => e.type === 'job-skipped')).toMatchObject({ job: 'after', why: 'dependency bad failed' });
    expect(kev.find((e) => e.type === 'run-end')).toMatchObject({ result: 'failed', counts: { failed: 1, done: 3, skipped: 1 } });
    for (const n of [1, 2, 3]) expect(read(keep, `out/good${n}.txt`)).toBe(`${n}\n`);
    expect(exists(keep, 'out/after.txt')).toBe(false);
    const st = JSON.parse(dax(keep, 'status', '--json').stdout) as { rules: Record<string, Record<string, number>> };
    expect(st.rules['bad']).toMatchObject({ total: 1, failed: 1 });
    expect(st.rules['after']).toMatchObject({ total: 1, missing: 1 });

    // Fixed, the failed run is resumed by its id: only what failed or did not start runs.
    const failedRun = kev.find((e) => e.type === 'run-end')!.run as string;
    write(keep, 'Daxfile.yaml', daxfile.replace('run: "echo boom >&2; exit 1"', 'run: "echo fixed > {output}"'));
    expect(dax(keep, 'resume', 'no-such-run').code).toBe(2);
    const resumed = dax(keep, 'resume', failedRun, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming run ${failedRun} \\(failed\\)`));
    expect(started(resumed.stdout)).toEqual(['bad', 'after']);
    expect(read(keep, 'out/after.txt')).toBe('fixed\n');
  });

  it("a failed job's outputs are removed, whether written through {output} or under their own name", () => {
    // Both succeed until the file `fail` exists; both depend on in.txt.
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  via:
    output: out/via.txt
    input: in.txt
    run: "cat {input} > {output}; if [ -e fail ]; then exit 3; fi"
  direct:
    output: out/direct.txt
    input: in.txt
    run: "cat in.txt > out/direct.txt; if [ -e fail ]; then exit 3; fi"
targets:
  - out/via.txt
  - out/direct.txt
`,
      'in.txt': 'one\n',
    });
    expect(dax(dir, 'run').code).toBe(0);
    expect(read(dir, 'out/direct.txt')).toBe('one\n');
    write(dir, 'in.txt', 'two, longer\n');
    write(dir, 'fail', '');
    const r = dax(dir, 'run', '-k');
    expect(r.code).toBe(1);
    // Neither the new partial outputs nor the old good ones are left.
    expect(exists(dir, 'out/via.txt')).toBe(false);
    expect(exists(dir, 'out/direct.txt')).toBe(false);
    // Nor are temporary files.
    expect(files(dir, 'out')).toEqual([]);
  });

  it("the failure message shows the tail of the job's log; each job has its own log under .dax/logs/", () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  n:
    values: [x, y]
rules:
  talk:
    output: out/{n}.txt
    run: |
      echo "out of {n}"
      echo "err of {n}" >&2
      echo {n} > {output}
  fail:
    output: out/fail.txt
    run: |
      for i in $(seq 1 40); do echo "line $i"; done
      echo "the real reason" >&2
      exit 2
targets:
  - out/{n}.txt
  - out/fail.txt
`,
    });
    const r = dax(dir, 'run', '-k');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED fail .*exit code 2 \(log: \.dax\/logs\/fail\/_\.log\)/);
    // The footer shows the last lines of the log.
    const tail = r.stderr.split('\n').filter((l) => l.startsWith('      | '));
    expect(tail.length).toBeGreaterThan(3);
    expect(tail.length).toBeLessThan(40);
    expect(tail[tail.length - 1]).toBe('      | the real reason');
    expect(tail[tail.length - 2]).toBe('      | line 40');
    expect(r.stderr).not.toMatch(/\| line 1$/m);

    // Each log starts with its attempt's header line.
    const header = '=== dax attempt 1 of 1 at \\S+Z \\(run \\S+\\): ';
    expect(read(dir, '.dax/logs/fail/_.log')).toMatch(new RegExp(`^${header}.*\\nline 1\\n[\\s\\S]*line 40\\nthe real reason\\n$`));
    expect(read(dir, '.dax/logs/talk/x.log')).toMatch(new RegExp(`^${header}.*\\nout of x\\nerr of x\\n$`));
    expect(read(dir, '.dax/logs/talk/y.log')).toMatch(new RegExp(`^${header}.*\\nout of y\\nerr of y\\n$`));
    // The job's output holds only what it wrote to {output}.
    expect(read(dir, 'out/x.txt')).toBe('x\n');
    // --json names each job's log.
    const again = events(dax(dir, 'run', '-k', '--json').stdout);
    expect(again.find((e) => e.type === 'job-end' && e.job === 'fail')).toMatchObject({ status: 'failed', log: '.dax/logs/fail/_.log' });
  });
});
