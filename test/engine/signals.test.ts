// SIGINT/SIGTERM: exit 130, every running job's whole process group stopped, the jobs recorded
// as incomplete, and `dax resume` finishing the run with its targets and --set values.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dax, removeProjects, exists, groupGone, groupMembers, lines, project, read, start, tally, waitFor, type Started } from './helpers.js';

afterAll(() => removeProjects());

// slow[n=…] writes its pid (= its process group: dax starts each job in its own group), then, while
// the file `hold` exists, waits on two background sleeps.
const DAXFILE = `version: 1
vars:
  tag: T1
wildcards:
  n:
    values: [a, b]
rules:
  quick:
    output: out/quick.txt
    run: "echo quick >> runs.log; echo {vars.tag} > {output}"
  slow:
    output: out/slow/{n}.txt
    run: |
      echo "$DAX_JOB" >> runs.log
      echo $$ > "pids/$DAX_JOB"
      if [ -e hold ]; then sleep 30 & sleep 30 & wait; fi
      echo {vars.tag} > {output}
  final:
    output: out/final.txt
    input: [out/quick.txt, out/slow/a.txt, out/slow/b.txt]
    run: "echo final >> runs.log; cat {input} > {output}"
  other:
    output: out/other.txt
    run: "echo other >> runs.log; touch {output}"
targets:
  - out/final.txt
  - out/other.txt
`;

/** Waits until both slow jobs run with their sleeps; returns their process groups. */
async function slowGroups(dir: string, run: Started): Promise<number[]> {
  const pgids: number[] = [];
  for (const j of ['slow[n=a]', 'slow[n=b]']) {
    await waitFor(() => exists(dir, `pids/${j}`) && read(dir, `pids/${j}`).endsWith('\n'), `${j} to start (${run.out.stderr})`);
    const pgid = Number(read(dir, `pids/${j}`));
    await waitFor(() => groupMembers(pgid).length >= 3, `${j}'s sleeps`);
    pgids.push(pgid);
  }
  return pgids;
}

describe('signals', () => {
  it('SIGINT: exit 130, process groups gone, jobs incomplete, run interrupted; resume finishes it', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, hold: '', 'pids/.keep': '' });
    const run = start(dir, 'run', 'out/final.txt', '--set', 'tag=T2', '--jobs', '3');
    let pgids: number[] = [];
    try {
      await waitFor(() => exists(dir, 'out/quick.txt'), 'quick to finish');
      pgids = await slowGroups(dir, run);
    } finally {
      run.child.kill('SIGINT');
    }
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout).toBe(130);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/SIGINT/);
    // One line for the stopped jobs, and how to go on.
    expect(r.stderr).toMatch(/^stopped 2 running jobs \(incomplete\): slow\[n=[ab]\], slow\[n=[ab]\]$/m);
    expect(r.stderr).not.toMatch(/INCOMPLETE/);
    expect(r.stderr).toMatch(/^what now: `dax resume \S+` runs what is left$/m);
    expect(r.stderr).toMatch(/INTERRUPTED/);
    for (const pgid of pgids) await groupGone(pgid, 2000);
    expect(exists(dir, 'out/slow/a.txt')).toBe(false);
    expect(exists(dir, 'out/final.txt')).toBe(false);

    const st = JSON.parse(dax(dir, 'status', '--json', 'out/final.txt').stdout) as { rules: Record<string, Record<string, number>>; lastRun: Record<string, unknown> };
    expect(st.rules['slow']).toMatchObject({ total: 2, incomplete: 2, running: 0 });
    // dax status judges with the last run's --set tag=T2 by default; --set tag=T1 overrides.
    expect(st.rules['quick']).toMatchObject({ total: 1, 'up-to-date': 1, stale: 0 });
    const t1 = JSON.parse(dax(dir, 'status', '--json', '--set', 'tag=T1', 'out/final.txt').stdout) as { rules: Record<string, Record<string, number>> };
    expect(t1.rules['quick']).toMatchObject({ total: 1, 'up-to-date': 0, stale: 1 });
    expect(st.rules['final']).toMatchObject({ total: 1, missing: 1 });
    expect(st.lastRun).toMatchObject({ result: 'interrupted' });
    const text = dax(dir, 'status', '--set', 'tag=T2', 'out/final.txt').stdout;
    expect(text).toMatch(/^slow\s+2\s+0\s+0\s+2\s+0\s+0\s+0\s*$/m);
    expect(text).toMatch(/^quick\s+1\s+1\s+0\s+0\s+0\s+0\s+0\s*$/m);

    const runs = dax(dir, 'runs');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^\S+\s+\S+Z\s+\S+\s+interrupted\s+\d+\s+\d+\s+\d+\s+out\/final\.txt --set tag=T2 -j 3$/m);

    rmSync(join(dir, 'hold'));
    const resumed = dax(dir, 'resume');
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stderr).toMatch(/resuming run \S+ \(interrupted\): targets out\/final\.txt, --set tag=T2/);
    // The same targets (not the Daxfile's: `other` is not built) and the same --set values
    // (quick, already done with tag=T2, does not run again).
    expect(tally(lines(dir, 'runs.log'))).toEqual(
      new Map([
        ['quick', 1],
        ['slow[n=a]', 2],
        ['slow[n=b]', 2],
        ['final', 1],
      ]),
    );
    expect(read(dir, 'out/final.txt')).toBe('T2\nT2\nT2\n');
    expect(exists(dir, 'out/other.txt')).toBe(false);
    expect(dax(dir, 'runs').stdout.trim().split('\n').pop()).toMatch(/\sok\s+\d+\s+\d+\s+\d+\s+out\/final\.txt --set tag=T2 -j 3 \(resumes \S+\)$/);
    expect(dax(dir, 'resume').stdout).toMatch(/succeeded; nothing to resume/);
  });

  it('SIGTERM: the same stop, exit 130', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, hold: '', 'pids/.keep': '' });
    const run = start(dir, 'run', '--jobs', '2', 'slow');
    let pgids: number[] = [];
    try {
      pgids = await slowGroups(dir, run);
    } finally {
      run.child.kill('SIGTERM');
    }
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout).toBe(130);
    expect(r.stderr).toMatch(/SIGTERM/);
    for (const pgid of pgids) await groupGone(pgid, 2000);
    expect(dax(dir, 'run', '-n', 'slow').stdout).toMatch(/^slow\[n=a\]: incomplete/m);
  });

  it('a job that ignores SIGTERM is killed at the second SIGINT', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  stubborn:
    output: out.txt
    run: |
      trap '' TERM INT
      echo $$ > pid
      while :; do sleep 0.1; done
targets:
  - out.txt
`,
    });
    const run = start(dir, 'run');
    await waitFor(() => exists(dir, 'pid') && read(dir, 'pid').endsWith('\n'), 'the job to start');
    const pgid = Number(read(dir, 'pid'));
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    // Still waiting for the job, which ignores SIGTERM.
    expect(groupMembers(pgid).length).toBeGreaterThan(0);
    expect(run.child.exitCode).toBe(null);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    await groupGone(pgid, 2000);
  });
});
