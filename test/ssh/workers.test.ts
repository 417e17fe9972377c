// SSH workers end to end: real sshd hosts on loopback ports, the real CLI, real rsync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { events, groupGone, groupMembers, waitFor } from '../engine/helpers.js';
import { startHosts, type Hosts } from './hosts.js';
import { hostProject, runDax, startDax } from './run.js';
import { nativeAgent } from '../../src/util/addon.js';

let hosts: Hosts;
beforeAll(async () => {
  // h3's sessions find no perl: a worker there told to run perl's agent runs the sh one.
  hosts = await startHosts(['h1', 'h2', 'h3'], { withoutPerl: ['h3'] });
}, 30_000);
afterAll(async () => {
  await hosts?.stop();
});

const wd = (h: string, sub: string): string => join(hosts.hosts.get(h)!.dir, sub);

/** This machine's ssh processes that use the hosts' ssh_config (dax's masters and sessions). */
function sshProcesses(config: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((e) => {
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      return argv[0] === 'ssh' && argv.includes(config) ? [Number(e)] : [];
    } catch {
      return [];
    }
  });
}

/** The sshd processes of the session `pid` runs in on the host (below the listener). */
function sessionsOf(pid: number): number[] {
  const out: number[] = [];
  for (let p = ppid(pid); p > 1 && !cmdline(p).includes('listener'); p = ppid(p)) if (/^sshd: /.test(cmdline(p))) out.push(p);
  return out;
}
const kill9 = (p: number): void => {
  try {
    process.kill(p, 'SIGKILL');
  } catch {
    // gone already
  }
};
const cmdline = (p: number): string => readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
const ppid = (p: number): number => {
  const st = readFileSync(`/proc/${p}/stat`, 'utf8');
  return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
};

/** The job-start lines a run printed so far (whole lines only: it may be printing one). */
const startLines = (stdout: string): string[] => stdout.split('\n').slice(0, -1).filter((l) => l.includes('"job-start"'));
/** The host's record files (`DIR.pid`) of those jobs: their handles are `host:DIR`. */
const recordsOf = (stdout: string, host: string): string[] => events(startLines(stdout).join('\n')).map((e) => `${String(e.handle).slice(host.length + 1)}.pid`);

/** The process groups that attempts' records on the host name, once they do. */
async function recordedGroups(records: string[]): Promise<number[]> {
  const group = (f: string): number => Number(/^(\d+) /.exec(existsSync(f) ? readFileSync(f, 'utf8') : '')?.[1] ?? 0);
  await waitFor(() => records.every((f) => group(f) > 0), 'the jobs\' records', 30_000);
  return records.map(group);
}

describe('ssh workers', () => {
  it('runs jobs on a shared-file-system worker, each attempt recorded on its own', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 2, workdir: ${wd('h1', 'shared')}, shared_fs: true }
wildcards:
  n: { values: [a, b, c] }
rules:
  make:
    output: out/{n}.txt
    run: 'echo "made {n}"; echo "$DAX_WORKER $(id -un) {n}" > {output}'
targets: ['out/{n}.txt']
`,
    });
    const r = await runDax(hosts, dir, 'run', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['a', 'b', 'c']) expect(readFileSync(join(dir, `out/${n}.txt`), 'utf8')).toBe(`h1 daxtest ${n}\n`);
    // The host (its user) started the log with its header, dax did not make it first.
    const log = join(dir, '.dax/logs/make/a.log');
    expect(readFileSync(log, 'utf8')).toMatch(/^=== dax attempt 1 of 1 at .*: echo "made a"; echo "\$DAX_WORKER \$\(id -un\) a" > out\/\S*a\.txt\nmade a\n$/);
    expect(statSync(log).uid).not.toBe(process.getuid!());
    const starts = events(r.stdout).filter((e) => e.type === 'job-start');
    expect(starts.map((e) => e.worker)).toEqual(['h1', 'h1', 'h1']);
    expect(starts.every((e) => typeof e.handle === 'string' && e.handle.startsWith(`h1:${wd('h1', 'shared')}/jobs/`))).toBe(true);
    // Once the run ended its attempts' records on the host are gone (their ends are in the
    // journal): night after night, nothing piles up in the workdir.
    expect(readdirSync(join(wd('h1', 'shared'), 'jobs'))).toEqual([]);
  }, 60_000);

  it('runs jobs through the sh agent on a host without perl (agent: perl), outputs checked whole on the way back', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h3: { ssh: h3, slots: 2, workdir: ${wd('h3', 'noperl')}, agent: perl }
wildcards:
  n: { values: [a, b, c] }
rules:
  make:
    output: out/{n}.csv
    check: csv
    run: 'command -v perl && exit 9; printf "id,n\\n1,{n}\\n" > {output}; echo ran {n}'
targets: ['out/{n}.csv']
`,
    });
    const r = await runDax(hosts, dir, 'run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['a', 'b', 'c']) expect(readFileSync(join(dir, `out/${n}.csv`), 'utf8')).toBe(`id,n\n1,${n}\n`);
    expect((await runDax(hosts, dir, 'log', 'out/b.csv')).stdout).toMatch(/^=== dax attempt 1 .*\nran b\n$/);
  }, 60_000);

  // h1 runs dax's own agent (the default, when it is built), or perl's when told to; h3, told
  // to run perl's but without perl, the sh loop.
  for (const [host, agent, option] of [['h1', 'native', ''], ['h1', 'perl', ', agent: perl'], ['h3', 'sh', ', agent: perl']] as const) {
    it.skipIf(agent === 'native' && !nativeAgent())(`records jobs' ends when the connection drops mid-job and dax is killed; the next dax collects them (${agent} agent)`, async () => {
      const ledger = join(hostProject(hosts, {}), 'ledger');
      writeFileSync(ledger, '', { mode: 0o666 });
      chmodSync(ledger, 0o666);
      const dir = hostProject(hosts, {
        'Daxfile.yaml': `version: 1
local: false
workers:
  ${host}: { ssh: ${host}, slots: 2, workdir: ${wd(host, `drop-${agent}`)}, shared_fs: true${option} }
wildcards:
  n: { values: ['1', '2'] }
rules:
  slow:
    output: out/{n}.txt
    run: 'echo {n} >> ${ledger}; sleep {n}; echo done > {output}'
targets: ['out/{n}.txt']
`,
      });
      const run = startDax(hosts, dir, 'run', '--json');
      await waitFor(() => startLines(run.out.stdout).length === 2, 'the remote jobs', 30_000);
      const records = recordsOf(run.out.stdout, host);
      const groups = await recordedGroups(records);
      const recorders = records.map((f) => Number(readFileSync(f, 'utf8').split(/[ \n]/)[1]));
      // The process that records each job's end is the agent named (the sh agent's: a shell).
      const program = { native: /\/agent\/dax-agent-[0-9a-f]{16}\0$/, perl: /^perl\0-e\0/, sh: /^(?!perl\0)(?![^\0]*dax-agent)/ }[agent];
      for (const p of recorders) expect(readFileSync(`/proc/${p}/cmdline`, 'utf8')).toMatch(program);
      // The connection goes (the master, and the sshd processes that served the agent), and dax.
      const sessions = new Set(recorders.flatMap(sessionsOf));
      process.kill(run.pid, 'SIGKILL');
      for (const p of [...sshProcesses(hosts.config), ...sessions]) kill9(p);
      await run.done;
      // The first job's end is written back to no one; the second is recorded all the same.
      await waitFor(() => records.every((f) => /^\d+ \d+\n0\n$/.test(readFileSync(f, 'utf8'))), 'the jobs\' statuses', 30_000);
      await waitFor(() => recorders.every((p) => !existsSync(`/proc/${p}`)), 'the agent to exit', 10_000);
      for (const g of groups) await groupGone(g);
      const r = await runDax(hosts, dir, 'run', '--json');
      expect(r.code).toBe(0);
      expect(events(r.stdout).filter((e) => e.type === 'notice' && (e.notice as { kind: string }).kind === 'attached')).toHaveLength(2);
      for (const n of ['1', '2']) expect(readFileSync(join(dir, `out/${n}.txt`), 'utf8')).toBe('done\n');
      expect(readFileSync(ledger, 'utf8').split('\n').sort()).toEqual(['', '1', '2']);
      // The run that collected them removed the dead run's records.
      expect(readdirSync(join(wd(host, `drop-${agent}`), 'jobs'))).toEqual([]);
    }, 60_000);
  }

  it('refuses a host whose key is not in known_hosts, naming it and what to do', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  stranger: { ssh: 'daxtest@127.0.0.1:${hosts.hosts.get('h2')!.port}', workdir: ${wd('h2', 'x')} }
rules:
  make:
    output: out.txt
    run: 'echo hi > {output}'
targets: [out.txt]
`,
    });
    const r = await runDax(hosts, dir, 'run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/worker stranger is down: the host key of daxtest@127\.0\.0\.1:\d+ is not known .*`ssh -p \d+ daxtest@127\.0\.0\.1`.*known_hosts/);
    expect(r.stderr).toMatch(/no worker is up: 1 ready jobs cannot run/);
  }, 60_000);

  it('does not send an input again that the worker holds; sends it again when it changed', async () => {
    const work = wd('h1', 'store');
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 1, workdir: ${work} }
rules:
  first:
    input: big.dat
    output: out/first.txt
    run: 'wc -c < {input} > {output}'
  second:
    input: [big.dat, out/first.txt]
    output: out/second.txt
    run: 'cat {input[1]} {input[1]} > {output}'
`,
      'big.dat': 'x'.repeat(1 << 20),
    });
    const first = await runDax(hosts, dir, 'run', 'out/first.txt');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(readFileSync(join(dir, 'out/first.txt'), 'utf8').trim()).toBe(String(1 << 20));
    const held = statSync(join(work, 'files/big.dat')).ino;
    const r = await runDax(hosts, dir, 'run', 'out/second.txt');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out/second.txt'), 'utf8')).toBe(`${1 << 20}\n${1 << 20}\n`);
    // Neither the input nor the output of the first job (made there) was sent.
    expect(statSync(join(work, 'files/big.dat')).ino).toBe(held);
    expect(statSync(join(work, 'files/out/first.txt')).nlink).toBe(1);
    writeFileSync(join(dir, 'big.dat'), 'y'.repeat(10));
    expect((await runDax(hosts, dir, 'run', 'out/first.txt')).code).toBe(0);
    expect(readFileSync(join(dir, 'out/first.txt'), 'utf8').trim()).toBe('10');
  }, 60_000);

  it('runs an `outputs: atomic` rule without a shared file system, with an input from an allow_outside place', async () => {
    const outside = mkdtempSync(join(hosts.dir, 'outside-'));
    writeFileSync(join(outside, 'data.txt'), 'from outside\n');
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
allow_outside: [${outside}]
workers:
  h1: { ssh: h1, slots: 1, workdir: ${wd('h1', 'atomic')} }
rules:
  pair:
    input: ext/data.txt
    output: [sub/a.txt, sub/b.txt]
    outputs: atomic
    check: csv
    run: 'cat {input} {input} > sub/a.txt && echo "$DAX_WORKER" > sub/b.txt && echo said on $DAX_WORKER'
  fails:
    output: sub/c.txt
    run: 'echo tried on $DAX_WORKER; exit 3'
targets: [sub/a.txt]
`,
    });
    // The input lies outside the project, reached through a link to a directory.
    symlinkSync(outside, join(dir, 'ext'));
    const r = await runDax(hosts, dir, 'run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'sub/a.txt'), 'utf8')).toBe('from outside\nfrom outside\n');
    expect(readFileSync(join(dir, 'sub/b.txt'), 'utf8')).toBe('h1\n');
    // On the host the input is a file, not a link to a place that is not there.
    expect(lstatSync(join(wd('h1', 'atomic'), 'files/ext')).isDirectory()).toBe(true);
    // The host's log comes back after the header dax wrote, of a job that failed too.
    expect((await runDax(hosts, dir, 'log', 'sub/a.txt')).stdout).toMatch(/^=== dax attempt 1 .*\nsaid on h1\n$/);
    const again = await runDax(hosts, dir, 'run');
    expect(again.stdout).toMatch(/nothing to do|up to date/);
    expect((await runDax(hosts, dir, 'run', 'sub/c.txt')).code).toBe(1);
    expect((await runDax(hosts, dir, 'log', 'sub/c.txt')).stdout).toMatch(/^=== dax attempt 1 .*\ntried on h1\n$/);
    expect(readdirSync(join(dir, '.dax/logs'), { recursive: true }).filter((f) => String(f).endsWith('.remote'))).toEqual([]);
  }, 60_000);

  it('stops remote jobs, their whole process group, on SIGTERM, and records them incomplete', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h2: { ssh: h2, slots: 2, workdir: ${wd('h2', 'term')} }
wildcards:
  n: { values: [a, b] }
rules:
  slow:
    output: out/{n}.txt
    run: 'sleep 60 & sleep 60; echo {n} > {output}'
targets: ['out/{n}.txt']
`,
    });
    const run = startDax(hosts, dir, 'run', '--json');
    await waitFor(() => startLines(run.out.stdout).length === 2, 'two remote jobs', 30_000);
    const records = recordsOf(run.out.stdout, 'h2');
    const groups = await recordedGroups(records);
    // Each job's shell and its two sleeps, in the group it made (setsid runs in the job, a moment
    // after its record is written).
    await waitFor(() => groups.every((g) => groupMembers(g).length >= 3), 'both jobs\' process groups', 30_000);
    process.kill(run.pid, 'SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(130);
    for (const g of groups) await groupGone(g);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends.map((e) => e.status)).toEqual(['incomplete', 'incomplete']);
  }, 60_000);

  it('stops a job that runs past its timeout on the host, its whole process group', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 1, workdir: ${wd('h1', 'timeout')}, shared_fs: true }
rules:
  slow:
    output: out.txt
    timeout: 3
    run: 'echo $$ > group; sleep 60 & sleep 60; echo > {output}'
targets: [out.txt]
`,
    });
    const r = await runDax(hosts, dir, 'run', '--json');
    expect(r.code).toBe(1);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends.map((e) => [e.status, e.worker])).toEqual([['failed', 'h1']]);
    expect(r.stdout).toMatch(/timed out after 3s/);
    // The job leads its process group (the agent made it): none of the group is left.
    const group = Number(readFileSync(join(dir, 'group'), 'utf8'));
    expect(group).toBeGreaterThan(1);
    await groupGone(group, 10_000);
  }, 60_000);

  it('marks a worker down after give_up_after failures in a row; its jobs go to the others', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 1, workdir: ${wd('h1', 'give')}, shared_fs: true }
  h2: { ssh: h2, slots: 1, workdir: ${wd('h2', 'give')}, shared_fs: true, give_up_after: 2 }
wildcards:
  n: { values: [a, b, c, d, e, f] }
rules:
  make:
    output: out/{n}.txt
    retries: 2
    run: 'if [ "$DAX_WORKER" = h2 ]; then exit 7; fi; sleep 0.2; echo {n} > {output}'
targets: ['out/{n}.txt']
`,
    });
    const r = await runDax(hosts, dir, 'run', '--json', '--keep-going');
    writeFileSync('/tmp/dax-ssh-give.json', r.stdout + r.stderr);
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const h2 = ev.flatMap((e) => (e.type === 'report' && (e.report as { kind: string }).kind === 'worker' ? [(e.report as { worker: { worker: string; failed: number; down?: string } }).worker] : [])).find((w) => w.worker === 'h2')!;
    expect(h2.failed).toBe(2);
    expect(h2.down).toBe('2 jobs in a row failed on it');
    expect(ev.filter((e) => e.type === 'job-end' && e.status === 'ok').every((e) => e.worker === 'h1')).toBe(true);
  }, 60_000);

  it("caps a host by its own pools on top of the global limits", async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
limits: { disk: 4 }
workers:
  h1: { ssh: h1, slots: 4, workdir: ${wd('h1', 'pools')}, shared_fs: true, pools: { disk: 1 } }
wildcards:
  n: { values: [a, b, c] }
rules:
  io:
    output: out/{n}.txt
    resources: { disk: 1 }
    run: 'date +%s.%N > {output}; sleep 0.3; date +%s.%N >> {output}'
targets: ['out/{n}.txt']
`,
    });
    const r = await runDax(hosts, dir, 'run');
    expect(r.code).toBe(0);
    const spans = ['a', 'b', 'c'].map((n) => readFileSync(join(dir, `out/${n}.txt`), 'utf8').trim().split('\n').map(Number) as [number, number]).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  }, 60_000);

  it('dax workers checks each worker and exits 1 when one is unusable', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
workers:
  h1: { ssh: h1, workdir: ${wd('h1', 'check')} }
  h2: { ssh: h2, workdir: /proc/no-such-dir, shared_fs: true }
  h3: { ssh: h3, workdir: ${wd('h3', 'check')}, agent: perl }
  h1p: { ssh: h1, workdir: ${wd('h1', 'check-perl')}, agent: perl }
rules:
  make:
    output: out.txt
    run: 'no-such-tool-dax {output}'
    workers: [h2]
  other:
    output: other.txt
    run: 'echo > {output}'
`,
    });
    const r = await runDax(hosts, dir, 'workers');
    expect(r.code).toBe(1);
    const [head, local, h1, h2, h3, h1p] = r.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(head).toEqual(['worker', 'host', 'slots', 'connect', 'workdir', 'commands', 'free', 'agent', 'usable']);
    expect(local![0]).toBe('local');
    // The agent each runs: dax's own (installed by the check, when built here), perl when told
    // so, sh on a host without perl; none is installed where the workdir cannot be written.
    expect(h1).toEqual(['h1', 'h1', '4', 'ok', 'writable', 'ok', expect.stringMatching(/\d/), nativeAgent() ? 'native' : 'perl', 'yes']);
    expect(h2).toEqual(['h2', 'h2', '4', 'ok', 'NOT WRITABLE', 'missing: no-such-tool-dax', expect.anything(), 'perl', 'NO']);
    expect(h3).toEqual(['h3', 'h3', '4', 'ok', 'writable', 'ok', expect.stringMatching(/\d/), 'sh', 'yes']);
    expect(h1p).toEqual(['h1p', 'h1', '4', 'ok', 'writable', 'ok', expect.stringMatching(/\d/), 'perl', 'yes']);
    expect(existsSync(wd('h1', 'check/agent'))).toBe(nativeAgent() !== null);
    expect(existsSync(wd('h1', 'check-perl/agent'))).toBe(false);
  }, 60_000);
});

describe('workers in the Daxfile', () => {
  const bad = async (daxfile: string): Promise<string> => {
    const dir = hostProject(hosts, { 'Daxfile.yaml': daxfile });
    const r = await runDax(hosts, dir, 'run');
    expect(r.code).toBe(2);
    return r.stderr;
  };

  it('refuses two workers on one host sharing a working directory', async () => {
    expect(await bad(`version: 1
workers:
  a: { ssh: 'me@build1:22', workdir: /scratch/dax }
  b: { ssh: build1, workdir: /scratch/dax/b }
rules:
  r: { output: o, run: 'true' }
`)).toMatch(/Daxfile\.yaml:4:\d+: workers\.b\.workdir: workers 'a' and 'b' are on the same host \(build1\) and share the working directory/);
  });

  it('refuses an agent it does not know, saying which it takes', async () => {
    expect(await bad(`version: 1
workers:
  a: { ssh: build1, workdir: /scratch/dax, agent: python }
rules:
  r: { output: o, run: 'true' }
`)).toMatch(/Daxfile\.yaml:3:\d+: workers\.a\.agent: expected auto, perl or sh/);
  });

  it('refuses a rule pinned to a worker that does not exist, and --workers naming one', async () => {
    expect(await bad(`version: 1
workers:
  gpu1: { ssh: gpu1, workdir: /w }
rules:
  r: { output: o, run: 'true', workers: [gpu2] }
`)).toMatch(/Daxfile\.yaml:5:\d+: rules\.r\.workers: rule 'r' names worker 'gpu2', which is not a worker of this Daxfile \(workers: local, gpu1\)\n.*did you mean 'gpu1'/);
    const dir = hostProject(hosts, { 'Daxfile.yaml': 'version: 1\nrules:\n  r: { output: o, run: \'true\' }\n' });
    const r = await runDax(hosts, dir, 'run', '--workers', 'local,gpu1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers: 'gpu1' is not a worker of this Daxfile \(workers: local\)/);
  });
});
