// The Slurm worker on a real (one-node) Slurm: the catalog through the cluster gives the local
// database; kill -9 of dax with jobs pending and running, then dax run: nothing submitted twice,
// the same result; SIGTERM cancels what was submitted; a job cancelled from outside is reported
// and retried; dax workers runs a trivial job.
import { catalogDaxfile, PUBLISHED } from '../catalog/daxfile.js';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, exists, project, read, startEnv, waitFor, type Result, type Started } from '../engine/helpers.js';
import { fileCluster } from './cluster.js';

const theCluster = fileCluster();

/** dax ARGS to its end (not spawnSync: runs through the cluster take seconds, and the test
 * process must stay responsive meanwhile). */
function daxRun(dir: string, ...args: string[]): Promise<Result> {
  return daxStart(dir, ...args).done;
}

function daxStart(dir: string, ...args: string[]): Started {
  return startEnv(dir, theCluster().env, ...args);
}

/** The worker, as a Daxfile declares it; `slurm` adds to its sbatch options. */
function worker(slurm = '', extra = ''): string {
  return `local: false
workers:
  cluster:
    slurm: { partition: ${theCluster().partition}${slurm ? `, ${slurm}` : ''} }
    slots: 100
    poll: 0.3
    grace: 3
${extra}`;
}

/** Jobs of this run's name in the queue (pending or running). */
function queued(): string[] {
  return theCluster().queue();
}

/** Lines of the ledger each job appends to when it runs: `JOB SLURM_JOB_ID`. */
function ledger(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

function counts(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.split(' ')[0]!, (m.get(l.split(' ')[0]!) ?? 0) + 1);
  return m;
}

describe('Slurm worker', () => {
  it('runs the catalog through the cluster to the same database as a local run, and names the node of each job', async () => {
    const daxfile = (extra: string): string => catalogDaxfile({ rows: 200, ra: [0, 1], dec: [0, 1], rest: PUBLISHED + extra });
    const local = project({ 'Daxfile.yaml': daxfile('') });
    // The catalog's ingest runs on this machine (it writes the database): one local slot.
    const remote = project({ 'Daxfile.yaml': daxfile(worker().replace('local: false', 'local: { slots: 1 }')) });
    const l = await daxRun(local, 'run', '--jobs', '4');
    expect(l.code, l.stderr).toBe(0);
    const r = await daxRun(remote, 'run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const dump = (dir: string): string => {
      const db = new Database(join(dir, 'out/catalog.db'), { readonly: true });
      try {
        return ['Object', 'Forced_Source'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY chunkId, id, overlap`).all())).join('\n');
      } finally {
        db.close();
      }
    };
    expect(dump(remote)).toBe(dump(local));
    const ev = events(r.stdout);
    const starts = ev.filter((e) => e.type === 'job-start' && e.worker === 'cluster');
    expect(starts.length).toBeGreaterThan(10);
    for (const s of starts) {
      expect(s.worker).toBe('cluster');
      expect(s.node).toBe(theCluster().node);
      expect(s.handle).toMatch(/^\d+_\d+$/);
    }
    // Jobs of one rule that were ready together went as one array: fewer arrays than jobs.
    const arrays = new Set(starts.map((s) => String(s.handle).split('_')[0]));
    expect(arrays.size).toBeLessThan(starts.length / 2);
    expect(ev.filter((e) => e.type === 'job-queued').length).toBe(starts.length);
    // The status directories are gone once every job ended; a second run has nothing to do.
    expect(exists(remote, '.dax/slurm/cluster')).toBe(true);
    expect(spawnSync('ls', [join(remote, '.dax/slurm/cluster')], { encoding: 'utf8' }).stdout.trim()).toBe('');
    expect((await daxRun(remote, 'run')).stdout).toMatch(/nothing to do/);
  }, 180_000);

  it('after kill -9 of dax with jobs pending and running, dax run re-attaches: no job runs twice, the result is the same', async () => {
    const led = join(mkdtempSync(join(tmpdir(), 'dax-ledger-')), 'ledger');
    writeFileSync(led, '');
    // 32 CPUs a job on a 64-CPU node: two run, the others pend. This machine is a worker too
    // (the rule may not use it): the lock takeover's stop of the dead run's local jobs must
    // leave the Slurm jobs running here alone.
    const dir = project({
      'Daxfile.yaml': `version: 1
${worker('cpus_per_task: 32').replace('local: false', 'local: { slots: 1 }')}
wildcards:
  n: { values: [1, 2, 3, 4, 5, 6] }
rules:
  gen:
    workers: [cluster]
    output: out/{n}.txt
    run: echo "$DAX_JOB $SLURM_JOB_ID" >> ${led}; sleep 2; echo {n} > {output}
targets: ['out/{n}.txt']
`,
    });
    const first = daxStart(dir, 'run', '--json');
    await waitFor(() => ledger(led).length >= 2, 'two jobs running', 30_000);
    await waitFor(() => theCluster().run(['squeue', '-h', '-r', '-t', 'PD', '-o', '%i']).stdout.trim() !== '', 'pending jobs', 10_000);
    first.child.kill('SIGKILL');
    await first.done;
    expect(queued().length).toBeGreaterThan(2); // the jobs go on without dax
    // dax status names them by Slurm job id, pending and running.
    const st = await daxRun(dir, 'status');
    expect(st.stdout).toMatch(/cluster \(Slurm\): [1-9]\d* pending \(\d+_\d+.*, [0-2] running/);
    const second = await daxRun(dir, 'run', '--json');
    expect(second.code, second.stderr).toBe(0);
    const notices = events(second.stdout).filter((e) => e.type === 'notice').map((e) => e.notice as { kind: string });
    expect(notices.filter((n) => n.kind === 'attached').length).toBeGreaterThan(2);
    expect(notices.some((n) => n.kind === 'lock-taken-over')).toBe(true);
    expect(notices.some((n) => n.kind === 'orphans-stopped')).toBe(false);
    // Each re-attached job, whether it was running, pending or done meanwhile, has its start with
    // the node it ran on (the report's node column), before its end.
    const ev2 = events(second.stdout);
    const ended = ev2.filter((e) => e.type === 'job-end' && e.status === 'ok');
    expect(ended.length).toBeGreaterThan(2);
    for (const end of ended) {
      const start = ev2.find((e) => e.type === 'job-start' && e.job === end.job);
      expect(start, `job-start of ${String(end.job)}`).toMatchObject({ worker: 'cluster', node: theCluster().node });
      expect(ev2.indexOf(start!)).toBeLessThan(ev2.indexOf(end));
    }
    // Both runs' status directories are gone: nothing is left to re-attach to.
    expect(spawnSync('ls', [join(dir, '.dax/slurm/cluster')], { encoding: 'utf8' }).stdout.trim()).toBe('');
    // Every job ran once: nothing was submitted twice.
    const c = counts(ledger(led));
    expect(c.size).toBe(6);
    for (const [job, n] of c) expect(n, job).toBe(1);
    for (let n = 1; n <= 6; n++) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
    expect((await daxRun(dir, 'run')).stdout).toMatch(/nothing to do/);
  }, 90_000);

  it('SIGTERM to dax cancels every job it submitted and records them incomplete', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
${worker('cpus_per_task: 32')}
wildcards:
  n: { values: [1, 2, 3, 4] }
rules:
  gen:
    output: out/{n}.txt
    # &&: a shell that sees its sleep killed before its own SIGTERM arrives does not go on to
    # write the output (and end 0).
    run: sleep 60 && echo {n} > {output}
targets: ['out/{n}.txt']
`,
    });
    const d = daxStart(dir, 'run', '--json');
    await waitFor(() => events(d.out.stdout).filter((e) => e.type === 'job-start').length >= 2, 'two jobs running', 30_000);
    expect(queued().length).toBe(4);
    d.child.kill('SIGTERM');
    const r = await d.done;
    expect(r.code).toBe(130);
    expect(queued()).toEqual([]);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends.length).toBe(4);
    for (const e of ends) expect(e.status, JSON.stringify(ends)).toBe('incomplete');
    const plan = await daxRun(dir, 'run', '-n');
    expect(plan.stdout).toMatch(/incomplete/);
  }, 60_000);

  it('a job cancelled with scancel from outside is reported and run again per retries', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
${worker()}
rules:
  slow:
    output: out/slow.txt
    retries: 1
    run: if [ "$DAX_ATTEMPT" = 1 ]; then touch started; sleep 60; fi; echo done > {output}
targets: [out/slow.txt]
`,
    });
    const d = daxStart(dir, 'run', '--json');
    // Cancelled once its command runs (a job-start comes as the task begins, a moment before).
    await waitFor(() => events(d.out.stdout).some((e) => e.type === 'job-start') && exists(dir, 'started'), 'the job running', 30_000);
    const id = String(events(d.out.stdout).find((e) => e.type === 'job-start')!.handle);
    expect(theCluster().run(['scancel', id]).status).toBe(0);
    const r = await d.done;
    expect(r.code, r.stderr).toBe(0);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends[0]).toMatchObject({ status: 'failed', retry: true });
    expect(String(ends[0]!.why)).toMatch(/cancelled in Slurm/);
    expect(ends[1]).toMatchObject({ status: 'ok', attempt: 2 });
    expect(read(dir, 'out/slow.txt')).toBe('done\n');
    // The task wrote the first attempt's header (dax makes no log per job), dax the retry's.
    expect(read(dir, '.dax/logs/slow/_.log')).toMatch(/^=== dax attempt 1 of 2 at \S+Z \(run \S+\): if \[[^\n]*\n(.*\n)*=== dax attempt 2 of 2 at /);
  }, 60_000);

  it("a rule's slurm: and resources: reach sbatch over the worker's options; timeout: becomes --time", async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
limits: { cpus: 0 }
${worker('mem: 200M, time: 5')}
rules:
  big:
    output: big.txt
    resources: { cpus: 3 }
    slurm: { mem: 300M }
    timeout: 2m
    run: echo "$SLURM_CPUS_PER_TASK $SLURM_MEM_PER_NODE" > {output}; squeue -h -j $SLURM_JOB_ID -o %l >> {output}
  small:
    output: small.txt
    run: echo "$SLURM_MEM_PER_NODE" > {output}; squeue -h -j $SLURM_JOB_ID -o %l >> {output}
targets: [big.txt, small.txt]
`,
    });
    const r = await daxRun(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'big.txt')).toBe('3 300\n3:00\n');
    expect(read(dir, 'small.txt')).toBe('200\n5:00\n');
  }, 60_000);

  it('removes the status directories of earlier runs that nothing can re-attach to', async () => {
    const dir = project({ 'Daxfile.yaml': `version: 1\n${worker()}rules:\n  a: { output: a.txt, run: 'echo a > a.txt' }\n` });
    // What a run killed after its jobs' ends were journalled leaves behind.
    const stale = join(dir, '.dax/slurm/cluster/20260101-000000-0000');
    mkdirSync(join(stale, 'batch'), { recursive: true });
    writeFileSync(join(stale, 'batch/0.jobs'), 'a-0123456789.1\n');
    const r = await daxRun(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(spawnSync('ls', [join(dir, '.dax/slurm/cluster')], { encoding: 'utf8' }).stdout.trim()).toBe('');
  }, 60_000);

  it('dax workers checks the cluster: commands, partition, a trivial job', async () => {
    const dir = project({ 'Daxfile.yaml': `version: 1\n${worker()}rules:\n  a: { output: a.txt, run: 'true' }\n` });
    const ok = await daxRun(dir, 'workers', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    const w = (JSON.parse(ok.stdout) as { workers: Array<{ worker: string; usable: boolean; job: string }> }).workers[0]!;
    expect(w).toMatchObject({ worker: 'cluster', usable: true, job: `ran on ${theCluster().node}` });
    const bad = project({ 'Daxfile.yaml': `version: 1\nlocal: false\nworkers:\n  cluster: { slurm: { partition: nosuch } }\nrules:\n  a: { output: a.txt, run: 'true' }\n` });
    const no = await daxRun(bad, 'workers');
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/no partition 'nosuch'/);
  }, 60_000);

  it('refuses shared_fs: false with the reason, and sbatch options dax owns', async () => {
    const dir = project({ 'Daxfile.yaml': `version: 1\nworkers:\n  cluster: { slurm: { partition: debug }, shared_fs: false }\nrules:\n  a: { output: a.txt, run: 'true' }\n` });
    const r = await daxRun(dir, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Daxfile.yaml:3:\d+: workers.cluster.shared_fs: a Slurm worker needs the project on a file system the cluster's nodes share/);
    const dep = project({ 'Daxfile.yaml': `version: 1\nworkers:\n  cluster: { slurm: { extra: [--dependency=afterok:1] } }\nrules:\n  a: { output: a.txt, run: 'true' }\n` });
    const d = await daxRun(dep, 'run');
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/sbatch option --dependency=afterok:1 is not allowed here: dax owns the order of jobs/);
  });

  it('a misspelt key of a Slurm worker, or of its slurm: options, is named with a suggestion at file:line:col', async () => {
    const typo = (w: string): string => `version: 1\nworkers:\n  cluster:\n${w}rules:\n  a: { output: a.txt, run: 'true' }\n`;
    const outer = await daxRun(project({ 'Daxfile.yaml': typo('    slurm: { partition: debug }\n    slotz: 3\n') }), 'run');
    expect(outer.code).toBe(2);
    expect(outer.stderr).toMatch(/Daxfile.yaml:5:5: workers.cluster.slotz: unknown key 'slotz' in workers.cluster — did you mean 'slots'\?/);
    expect(outer.stderr).not.toMatch(/expected an SSH worker/);
    const inner = await daxRun(project({ 'Daxfile.yaml': typo('    slurm: { partiton: debug }\n') }), 'run');
    expect(inner.code).toBe(2);
    expect(inner.stderr).toMatch(/Daxfile.yaml:4:14: workers.cluster.slurm.partiton: unknown key 'partiton' in workers.cluster.slurm — did you mean 'partition'\?/);
  });
});
