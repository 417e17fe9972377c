// Job bundling on a real (one-node) Slurm: `bundle: N` runs N jobs of a rule one after another
// in one array task, each with its own status, result and ref (`array_index.k`). One failing job
// fails alone; a timeout stops its job alone, the task goes on; a task lost mid-bundle (node
// failure) keeps its finished jobs and gives the rest back to dax's queue; a dax killed with -9
// re-attaches and runs no job twice.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, project, read, startEnv, tally, waitFor, type Result, type Started } from '../engine/helpers.js';
import { fileCluster } from './cluster.js';

const theCluster = fileCluster();

const daxStart = (dir: string, ...args: string[]): Started => startEnv(dir, theCluster().env, ...args);
const daxRun = (dir: string, ...args: string[]): Promise<Result> => daxStart(dir, ...args).done;

/** A Daxfile of `n` jobs of rule gen through a Slurm worker bundling `bundle` jobs a task. */
function daxfile(bundle: number | string, n: number, rule: string): string {
  return `version: 1
local: false
workers:
  cluster:
    slurm: { partition: ${theCluster().partition} }
    bundle: ${bundle}
    slots: 100
    poll: 0.3
    grace: 3
wildcards:
  n: { values: [${Array.from({ length: n }, (_, i) => i + 1).join(', ')}] }
rules:
  gen:
    output: out/{n}.txt
${rule}targets: ['out/{n}.txt']
`;
}

/** A file each job appends `N ATTEMPT` to when it runs. */
function ledger(): { file: string; lines: () => string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'dax-ledger-')), 'ledger');
  writeFileSync(file, '');
  return { file, lines: () => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') };
}

const taskOf = (handle: unknown): string => String(handle).replace(/\.\d+$/, '');

describe('Slurm worker, bundle: N', () => {
  it('packs 30 jobs 8 to a task: 4 array tasks, each job with a ref of its own', async () => {
    const dir = project({ 'Daxfile.yaml': daxfile(8, 30, '    run: echo {n} > {output}\n') });
    const r = await daxRun(dir, 'run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const queued = events(r.stdout).filter((e) => e.type === 'job-queued');
    expect(queued).toHaveLength(30);
    for (const q of queued) expect(String(q.handle)).toMatch(/^\d+_\d+\.\d$/);
    expect(new Set(queued.map((q) => q.handle)).size).toBe(30);
    const tasks = tally(queued.map((q) => taskOf(q.handle)));
    expect(tasks.size).toBe(4);
    expect([...tasks.values()].sort()).toEqual([6, 8, 8, 8]);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends.filter((e) => e.status === 'ok')).toHaveLength(30);
    for (let n = 1; n <= 30; n++) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
  }, 60_000);

  it('one failing job of a bundle fails alone: the others of its task succeed', async () => {
    const dir = project({ 'Daxfile.yaml': daxfile(4, 8, '    retries: 0\n    run: if [ {n} = 3 ]; then echo boom >&2; exit 3; fi; echo {n} > {output}\n') });
    const r = await daxRun(dir, 'run', '--json', '--keep-going');
    expect(r.code).toBe(1);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends.filter((e) => e.status === 'failed').map((e) => e.job)).toEqual(['gen[n=3]']);
    expect(ends.filter((e) => e.status === 'ok')).toHaveLength(7);
    for (const n of [1, 2, 4, 5, 6, 7, 8]) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
  }, 60_000);

  it("a job's timeout stops that job alone; the next jobs of its task run", async () => {
    // The first job of the task to run sleeps past its timeout; the others are quick.
    const dir = project({ 'Daxfile.yaml': daxfile(3, 3, '    retries: 0\n    timeout: 2\n    run: if mkdir first 2>/dev/null; then sleep 60; fi; echo {n} > {output}\n') });
    const r = await daxRun(dir, 'run', '--json', '--keep-going');
    expect(r.code).toBe(1);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    // Its task was not cancelled: the others ran in it, at their first attempt, none lost.
    expect(ends).toHaveLength(3);
    expect(ends.filter((e) => e.status === 'ok' && e.attempt === 1)).toHaveLength(2);
    expect(new Set(events(r.stdout).filter((e) => e.type === 'job-queued').map((e) => taskOf(e.handle))).size).toBe(1);
    const failed = ends.filter((e) => e.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!.why)).toMatch(/timeout|timed out/i);
    // Not the 60 s sleep, and not its task's time limit: the task went on at once.
    expect(r.ms).toBeLessThan(30_000);
    // The task ends soon after (its shell's exit), not after the killed job's 60 s sleep.
    await waitFor(() => theCluster().queue().length === 0, 'the task gone from the queue', 15_000);
  }, 60_000);

  it('dax killed with -9 mid-bundle: dax run re-attaches, no job runs twice', async () => {
    const led = ledger();
    const dir = project({ 'Daxfile.yaml': daxfile(4, 4, `    run: echo "{n} $DAX_ATTEMPT" >> ${led.file}; sleep 1; echo {n} > {output}\n`) });
    const first = daxStart(dir, 'run', '--json');
    // The second job of the task runs: the first is done.
    await waitFor(() => led.lines().length >= 2, 'two jobs of the bundle begun', 30_000);
    first.child.kill('SIGKILL');
    await first.done;
    expect(theCluster().queue().length).toBe(1); // the task goes on without dax
    const second = await daxRun(dir, 'run', '--json');
    expect(second.code, second.stderr + JSON.stringify(events(second.stdout).filter((e) => e.type === 'job-end' || e.type === 'notice'))).toBe(0);
    const notices = events(second.stdout).filter((e) => e.type === 'notice').map((e) => e.notice as { kind: string });
    expect(notices.filter((n) => n.kind === 'attached').length).toBeGreaterThanOrEqual(2);
    const c = tally(led.lines().map((l) => l.split(' ')[0]!));
    expect(c.size).toBe(4);
    for (const [job, k] of c) expect(k, job).toBe(1);
    for (let n = 1; n <= 4; n++) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
    expect((await daxRun(dir, 'run')).stdout).toMatch(/nothing to do/);
  }, 90_000);

  it('a task lost mid-bundle (node failure): its finished job is not rerun, the others are', async () => {
    const led = ledger();
    // The task's first job is quick, its second sleeps (attempt 1) until the node goes down,
    // its third never begins.
    const dir = project({
      'Daxfile.yaml': daxfile(3, 3, `    retries: 0\n    run: echo "{n} $DAX_ATTEMPT" >> ${led.file}; if [ "$DAX_ATTEMPT" = 1 ] && ! mkdir first 2>/dev/null; then sleep 60 || exit 1; fi; echo {n} > {output}\n`),
    });
    const d = daxStart(dir, 'run', '--json');
    await waitFor(() => led.lines().length >= 2 && events(d.out.stdout).some((e) => e.type === 'job-end'), 'the first job done, the second running', 30_000);
    expect(theCluster().run(['scontrol', 'update', `NodeName=${theCluster().node}`, 'State=DOWN', 'Reason=dax-test']).status).toBe(0);
    await waitFor(() => events(d.out.stdout).filter((e) => e.type === 'job-end').length >= 3, 'the lost jobs reported', 30_000);
    theCluster().run(['scontrol', 'update', `NodeName=${theCluster().node}`, 'State=RESUME']);
    const r = await d.done;
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(r.code, JSON.stringify(ends)).toBe(0);
    const byJob = new Map<string, Array<Record<string, unknown>>>();
    for (const e of ends) byJob.set(String(e.job), [...(byJob.get(String(e.job)) ?? []), e]);
    const once = [...byJob.values()].filter((l) => l.length === 1);
    const twice = [...byJob.values()].filter((l) => l.length === 2);
    expect(once).toHaveLength(1);
    expect(once[0]![0]).toMatchObject({ status: 'ok', attempt: 1 });
    expect(twice).toHaveLength(2);
    for (const l of twice) {
      expect(l[0]).toMatchObject({ status: 'lost', retry: true, attempt: 1 });
      expect(l[1]).toMatchObject({ status: 'ok', attempt: 2 });
    }
    // The third job never ran in the lost task: two jobs ran in attempt 1, then two in attempt 2.
    const runs = led.lines();
    expect(runs.filter((l) => l.endsWith(' 1'))).toHaveLength(2);
    expect(runs.filter((l) => l.endsWith(' 2'))).toHaveLength(2);
    for (let n = 1; n <= 3; n++) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
  }, 90_000);

  it('bundle: auto packs by the jobs\' last durations: a task each the first time, all in one once they are known short', async () => {
    const dir = project({ 'Daxfile.yaml': daxfile('auto', 6, '    run: echo {n} > {output}\n') });
    const tasksOf = (r: Result): number => new Set(events(r.stdout).filter((e) => e.type === 'job-queued').map((e) => taskOf(e.handle))).size;
    const first = await daxRun(dir, 'run', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(tasksOf(first)).toBe(6);
    const again = await daxRun(dir, 'run', '--json', '-B');
    expect(again.code, again.stderr).toBe(0);
    expect(events(again.stdout).filter((e) => e.type === 'job-end' && e.status === 'ok')).toHaveLength(6);
    expect(tasksOf(again)).toBe(1);
  }, 60_000);

  it('a bad bundle: value is named at file:line:col with what is expected', async () => {
    for (const bad of ['0', 'two', '2.5', 'Auto']) {
      const r = await daxRun(project({ 'Daxfile.yaml': daxfile(bad, 1, '    run: echo > {output}\n') }), 'run');
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/^dax: Daxfile.yaml:6:5: workers.cluster.bundle: expected an integer >= 1 \(jobs per array task; 1 = a task per job\) or auto, got /);
      // The value is a Slurm worker's: no word of SSH workers' keys.
      expect(r.stderr).not.toMatch(/slots|SSH/);
    }
  });
});
