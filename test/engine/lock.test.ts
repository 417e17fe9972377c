// One run per project: a second run exits 3 at once naming the holder; status sees the running
// jobs; a lock left by a dead process is taken over.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { bootId, procStat } from '../../src/util/proc.js';
import { dax, deadPid, removeProjects, exists, files, project, read, start, waitFor, write, type Result } from './helpers.js';

afterAll(() => removeProjects());

// Two jobs that wait until the test lets them go (the file `go` exists), and one after them.
const DAXFILE = `version: 1
wildcards:
  n:
    values: [a, b]
rules:
  slow:
    output: out/{n}.txt
    run: "touch started.$DAX_JOB; while [ ! -e go ]; do sleep 0.05; done; echo {n} > {output}"
  sum:
    output: out/sum.txt
    input: [out/a.txt, out/b.txt]
    run: cat {input} > {output}
targets:
  - out/sum.txt
`;

describe('the project lock', () => {
  it('a second run exits 3 at once naming the holder; status shows the running jobs', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const first = start(dir, 'run', '--jobs', '2');
    try {
      await waitFor(() => exists(dir, 'started.slow[n=a]') && exists(dir, 'started.slow[n=b]'), 'both jobs to start');

      const second = dax(dir, 'run');
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(new RegExp(`another dax run holds this project's lock: pid ${first.pid} on ${hostname()}`));
      expect(second.ms).toBeLessThan(5000);
      // Nor may a run of other targets.
      expect(dax(dir, 'run', 'out/a.txt').code).toBe(3);

      // A dry run takes no lock: it answers, and says the jobs are running, not incomplete.
      const n = dax(dir, 'run', '-n');
      expect(n.code).toBe(0);
      expect(n.stdout).toMatch(/^slow\[n=a\]: running now, in run \S+$/m);
      expect(n.stdout).toMatch(/^sum: /m);
      expect(n.stderr).toMatch(new RegExp(`holds this project's lock \\(pid ${first.pid} on .*dax run would exit 3 now`));

      const st = dax(dir, 'status');
      expect(st.code).toBe(0);
      expect(st.stdout).toMatch(/^slow\s+2\s+0\s+0\s+0\s+0\s+2\s+0\s*$/m);
      expect(st.stdout).toMatch(/^running run \S+: running/m);
      const js = JSON.parse(dax(dir, 'status', '--json').stdout) as { rules: Record<string, Record<string, number>>; live: string; lastRun: Record<string, unknown> };
      expect(js.rules['slow']).toMatchObject({ total: 2, running: 2 });
      expect(js.rules['sum']).toMatchObject({ total: 1, running: 0, missing: 1 });
      expect(js.live).toMatch(/\S/);
      expect(js.lastRun).toMatchObject({ id: js.live, result: 'running' });
    } finally {
      write(dir, 'go', '');
    }
    const r = await first.done;
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'out/sum.txt')).toBe('a\nb\n');
    // The lock is released: the next run proceeds.
    expect(exists(dir, '.dax/lock')).toBe(false);
    expect(dax(dir, 'run').stdout).toMatch(/nothing to do/);
  });

  it('of two runs started at once, exactly one runs', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const a = start(dir, 'run', '--jobs', '2');
    const b = start(dir, 'run', '--jobs', '2');
    let loser: Result;
    try {
      loser = await Promise.race([a.done, b.done]);
    } finally {
      write(dir, 'go', '');
    }
    expect(loser.code).toBe(3);
    // The other waited for `go`: it was the one running.
    const both = await Promise.all([a.done, b.done]);
    expect(both.map((r) => r.code).sort()).toEqual([0, 3]);
    expect(read(dir, 'out/sum.txt')).toBe('a\nb\n');
  });

  it('a lock left by a dead process is taken over with a message', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, go: '' });
    const pid = deadPid();
    const now = Date.now();
    write(dir, '.dax/lock', JSON.stringify({ pid, host: hostname(), start: now - 60_000, heartbeat: now - 1000, run: '20200101-000000-dead' }));
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`took over the lock of a dax run that is no longer alive \\(pid ${pid} on ${hostname()}, run 20200101-000000-dead`));
    expect(read(dir, 'out/sum.txt')).toBe('a\nb\n');
    expect(files(dir, '.dax').filter((f) => f.startsWith('.dax/lock'))).toEqual([]);
  });

  it('an empty or damaged lock file (a power loss while it was written) holds nobody', () => {
    for (const damaged of ['', '{"pid":', 'null', '{"pid":0,"host":"x"}']) {
      const dir = project({ 'Daxfile.yaml': DAXFILE, go: '', '.dax/lock': damaged });
      const r = dax(dir, 'run');
      expect(r.code, `${JSON.stringify(damaged)}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(/took over the lock/);
      expect(read(dir, 'out/sum.txt')).toBe('a\nb\n');
      expect(exists(dir, '.dax/lock')).toBe(false);
    }
  });

  it('a lock of another host is respected while its heartbeat is fresh, and taken over when stale', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, go: '' });
    const now = Date.now();
    const lock = (heartbeat: number): string => JSON.stringify({ pid: 4242, host: 'some-other-host', start: now - 600_000, heartbeat, run: '20200101-000000-away' });
    write(dir, '.dax/lock', lock(now - 1000));
    const held = dax(dir, 'run');
    expect(held.code).toBe(3);
    expect(held.stderr).toMatch(/pid 4242 on some-other-host/);
    write(dir, '.dax/lock', lock(now - 300_000));
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/took over the lock .*pid 4242 on some-other-host/);
  });

  // A lock naming a live process on this host: this test's own process stands in for it.
  const me = procStat(process.pid)!;
  const boot = bootId()!;
  const liveLock = (fields: Record<string, unknown>): string =>
    JSON.stringify({ pid: process.pid, host: hostname(), start: Date.now() - 60_000, heartbeat: Date.now() - 1000, run: '20200101-000000-live', ...fields });

  it('a lock whose holder is alive (same boot, pid and start time) is respected: exit 3', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, go: '' });
    write(dir, '.dax/lock', liveLock({ procStart: me.startTime, bootId: boot }));
    const r = dax(dir, 'run');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`another dax run holds this project's lock: pid ${process.pid} on ${hostname()}`));
    expect(exists(dir, 'out')).toBe(false);
  });

  it('a lock whose pid now belongs to an unrelated live process (another start time, or another boot) is taken over', () => {
    for (const fields of [{ procStart: me.startTime + 1, bootId: boot }, { procStart: me.startTime, bootId: '00000000-0000-0000-0000-000000000000' }]) {
      const dir = project({ 'Daxfile.yaml': DAXFILE, go: '' });
      write(dir, '.dax/lock', liveLock(fields));
      const r = dax(dir, 'run');
      expect(r.code, `${JSON.stringify(fields)}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`took over the lock of a dax run that is no longer alive \\(pid ${process.pid} on ${hostname()}, run 20200101-000000-live`));
      expect(read(dir, 'out/sum.txt')).toBe('a\nb\n');
      expect(exists(dir, '.dax/lock')).toBe(false);
    }
  });

  it('a run records its start time and boot id in the lock', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const first = start(dir, 'run', '--jobs', '2');
    try {
      await waitFor(() => exists(dir, 'started.slow[n=a]'), 'a job to start');
      const lock = JSON.parse(read(dir, '.dax/lock')) as Record<string, unknown>;
      expect(lock).toMatchObject({ pid: first.pid, host: hostname(), procStart: procStat(first.pid)!.startTime, bootId: boot });
    } finally {
      write(dir, 'go', '');
    }
    expect((await first.done).code).toBe(0);
  });

  it('an old-format lock (no start time) of a live pid holds while its heartbeat is under 10 minutes old', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, go: '' });
    write(dir, '.dax/lock', liveLock({ heartbeat: Date.now() - 9 * 60_000 }));
    expect(dax(dir, 'run').code).toBe(3);
    write(dir, '.dax/lock', liveLock({ heartbeat: Date.now() - 11 * 60_000 }));
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/took over the lock/);
  });

  it('a holder that is stopped (Ctrl-Z) keeps its lock however old its heartbeat; a running one 10 minutes silent loses it', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE, go: '' });
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      const lock = { pid, host: hostname(), start: 0, heartbeat: Date.now() - 3_600_000, run: '20200101-000000-stopped', procStart: procStat(pid)!.startTime, bootId: boot };
      child.kill('SIGSTOP');
      await waitFor(() => procStat(pid)?.state === 'T', 'the holder to stop');
      write(dir, '.dax/lock', JSON.stringify(lock));
      expect(dax(dir, 'run').code).toBe(3);
      child.kill('SIGCONT');
      await waitFor(() => procStat(pid)?.state !== 'T', 'the holder to continue');
      const r = dax(dir, 'run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`took over the lock .*pid ${pid}`));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
