// A one-node Slurm cluster on this machine for the Slurm tests and bench:slurm: munged,
// slurmctld and slurmd as children of the calling process, a minimal slurm.conf and all state
// under one short 0755 directory in /tmp (munged refuses group/world-writable ancestors), the
// node declared with many CPUs (config_overrides) so the cluster is not the bottleneck, jobs
// started at once (batch_sched_delay=0), no cgroups and no accounting. Stopped by pid; the
// daemons a crashed earlier run left are found by their pid files and stopped first.
// Shared by test/slurm (cluster.ts) and bench/slurm.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, freePort } from './proc.mjs';
import { randomBytes } from 'node:crypto';

const PREFIX = '/tmp/dax-slurm-';
export const NODE = 'daxnode1';
export const PARTITION = 'debug';

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Processes whose environment names `marker` (SLURM_CONF=<dir>/slurm.conf): job steps whose
 * slurmstepd was killed keep running under linuxproc; they are found this way. */
function withEnv(marker) {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').includes(marker)) out.push(Number(e));
    } catch {
      /* gone, or not ours */
    }
  }
  return out;
}

async function waitGone(pids, ms) {
  const end = Date.now() + ms;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(alive);
}

/** Stops what a directory's daemons and jobs left: SIGTERM, at most 3 s, then SIGKILL. */
async function stopAll(dir, pids) {
  const kill = (p, sig) => {
    try {
      process.kill(p, sig);
    } catch {
      /* gone */
    }
  };
  const steps = () => [...withEnv(`SLURM_CONF=${dir}/slurm.conf`), ...withEnv(`DAX_SLURM_TEST=${dir}`)];
  // slurmstepd ignores SIGTERM: its jobs and it go by SIGKILL.
  for (const p of readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number)) if (cmdline(p).startsWith('slurmstepd') && cmdline(p).includes(dir)) kill(p, 'SIGKILL');
  for (const p of steps()) kill(p, 'SIGKILL');
  for (const p of pids) kill(p, 'SIGTERM');
  const left = await waitGone(pids, 3000);
  for (const p of left) kill(p, 'SIGKILL');
  await waitGone(left, 1000);
  for (const p of steps()) kill(p, 'SIGKILL');
}

/** Daemons of earlier runs that crashed: only pids whose command line names their directory. */
export async function cleanStale() {
  for (const name of readdirSync('/tmp')) {
    const dir = `/tmp/${name}`;
    if (!dir.startsWith(PREFIX)) continue;
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner'), 'utf8').trim() || 0);
    } catch {
      continue; // being made by another test file right now
    }
    if (owner && alive(owner)) continue; // another test file's cluster
    const pids = [];
    for (const f of ['munged.pid', 'ctld.pid', 'slurmd.pid']) {
      const p = Number(existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim() : 0);
      if (p && alive(p) && cmdline(p).includes(dir)) pids.push(p);
    }
    await stopAll(dir, pids);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** slurm.conf; `over`: Key -> value, replacing (or adding) a line (null drops it). */
function slurmConf(dir, ports, cpus, over = {}) {
  const lines = [
    'ClusterName=daxtest',
    'SlurmctldHost=localhost(127.0.0.1)',
    `SlurmctldPort=${ports.ctld}`,
    `SlurmdPort=${ports.slurmd}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${dir}/munge.socket`,
    `StateSaveLocation=${dir}/ctld`,
    `SlurmdSpoolDir=${dir}/slurmd`,
    `SlurmctldPidFile=${dir}/ctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/ctld.log`,
    `SlurmdLogFile=${dir}/slurmd.log`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'SchedulerType=sched/builtin',
    // Every pending job looked at on each scheduling event (default 100): an array's tasks start
    // as soon as CPUs free, not 100 at a time.
    'SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,default_queue_depth=10000',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'SlurmdParameters=config_overrides',
    'MpiDefault=none',
    'ReturnToService=2',
    'SlurmdTimeout=5',
    'MinJobAge=300',
    'KillWait=2',
    'MaxArraySize=10001',
    'MaxJobCount=100000',
    'SlurmctldDebug=info',
    'SlurmdDebug=info',
    `NodeName=${NODE} NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=100000 State=UNKNOWN`,
    `PartitionName=${PARTITION} Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO`,
  ];
  const key = (l) => l.split('=')[0];
  const out = lines.filter((l) => !(key(l) in over)).concat(Object.entries(over).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`));
  return out.join('\n') + '\n';
}

/**
 * Starts a cluster; `cpus`: the node's declared CPUs; `conf`: slurm.conf lines to replace or
 * add (Key -> value; null drops the key). Resolves once the node is idle.
 * @returns {Promise<{dir: string, conf: string, env: Record<string,string>, partition: string, node: string, run: (args: string[]) => import('node:child_process').SpawnSyncReturns<string>, queue: () => string[], stop: () => Promise<void>}>}
 */
export async function startCluster({ cpus = 64, conf: over = {} } = {}) {
  await cleanStale();
  const dir = mkdtempSync(PREFIX);
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'owner'), `${process.pid}\n`);
  for (const d of ['ctld', 'slurmd']) mkdirSync(join(dir, d), { mode: 0o755 });
  writeFileSync(join(dir, 'munge.key'), randomBytes(1024), { mode: 0o600 });
  const ports = { ctld: await freePort(), slurmd: await freePort() };
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, slurmConf(dir, ports, cpus, over), { mode: 0o644 });
  const env = { SLURM_CONF: conf };
  const children = [];
  const daemon = (cmd, args, log) => {
    // stderr to a file, not a pipe: a caller blocked in spawnSync would not drain a pipe, and a
    // daemon blocked writing its log stops the whole cluster.
    const errFile = `${log}.stderr`;
    const fd = openSync(errFile, 'a');
    const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    let spawnErr = '';
    c.on('error', (e) => (spawnErr += String(e)));
    children.push({ c, log, err: () => spawnErr + (existsSync(errFile) ? readFileSync(errFile, 'utf8').slice(-3000) : '') });
    return c;
  };
  const dump = () => children.map(({ c, log, err }) => `--- ${c.spawnfile} (exit ${c.exitCode}):\n${err}\n${log && existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : ''}`).join('\n');
  const until = async (ready, ms, what) => {
    const end = Date.now() + ms;
    while (!ready()) {
      if (Date.now() > end) {
        await stopAll(dir, children.map(({ c }) => c.pid));
        throw new Error(`slurm test cluster: ${what} not ready within ${ms} ms\n${dump()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  daemon('/usr/sbin/munged', ['-F', '-f', `--socket=${dir}/munge.socket`, `--key-file=${dir}/munge.key`, `--pid-file=${dir}/munged.pid`, `--log-file=${dir}/munged.log`, `--seed-file=${dir}/munged.seed`], join(dir, 'munged.log'));
  await until(() => existsSync(`${dir}/munge.socket`), 10_000, 'munged');
  daemon('/usr/sbin/slurmctld', ['-D', '-i', '-f', conf], join(dir, 'ctld.log'));
  daemon('/usr/sbin/slurmd', ['-D', '-N', NODE, '-f', conf], join(dir, 'slurmd.log'));
  const run = (args) => spawnSync(args[0], args.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
  await until(() => /^idle/.test(run(['sinfo', '-h', '-N', '-o', '%t']).stdout?.trim() ?? ''), 30_000, 'the node');
  let stopped;
  const stop = () => (stopped ??= (async () => {
    process.off('exit', onExit);
    await stopAll(dir, children.map(({ c }) => c.pid));
    if (!process.env['DAX_TEST_KEEP']) rmSync(dir, { recursive: true, force: true });
  })());
  const onExit = () => {
    for (const { c } of children) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.on('exit', onExit);
  return {
    dir, conf, env, partition: PARTITION, node: NODE, run,
    /** Slurm job ids `array_index` (or plain ids) pending or running now. */
    queue: () => run(['squeue', '-h', '-r', '-o', '%i']).stdout.split('\n').map((s) => s.trim()).filter(Boolean),
    stop,
  };
}
