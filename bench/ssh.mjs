#!/usr/bin/env node
// SSH worker benchmark: per-job dispatch overhead through a ControlMaster on a loopback worker,
// beside a fresh `ssh` per job and GNU parallel's --sshlogin (when installed); and 1,000 trivial
// jobs on two loopback workers against the same jobs run locally. Real sshd processes on
// loopback ports (bench/lib/hosts.mjs); run as root (it makes a test user with /bin/sh).
// The 1,000-job runs alternate, local and remote, --runs times each (median): file creation on a
// disk costs more after many deletions (ext4 without a journal skips recently freed inodes), so a
// run's figure depends on what ran just before it.
// Usage: npm run bench:ssh [-- --jobs N] [-- --dispatch N] [-- --runs N]
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHosts } from './lib/hosts.mjs';
import { numArg as arg, which } from './lib/measure.mjs';
import { benchEnv } from './lib/env.mjs';
import { cgroupCpu } from './lib/cgroup-cpu.mjs';

const envNote = benchEnv();
// All the CPU a run costs, the hosts' sshd and jobs too (the machine's other load not).
const cpu = cgroupCpu('dax-bench-ssh');
if (envNote) console.log(`bench: ${envNote}`);

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const DAX = join(REPO, 'bin', 'dax.js');
const N = arg('--jobs', 1000);
const D = arg('--dispatch', 200);
const RUNS = arg('--runs', 3);
const SLOTS = 8;

function project(hosts, workers, local, jobs) {
  const dir = mkdtempSync(join(hosts.dir, 'bench-'));
  chmodSync(dir, 0o777);
  const w = workers.map((h) => `  ${h.name}: { ssh: ${h.name}, slots: ${h.slots}, workdir: ${join(hosts.hosts.get(h.name).dir, 'bench-' + h.slots)}, shared_fs: true }`);
  writeFileSync(join(dir, 'chunks.txt'), Array.from({ length: jobs }, (_, i) => i).join('\n') + '\n');
  writeFileSync(
    join(dir, 'Daxfile.yaml'),
    `version: 1\n${local ? `local: { slots: ${local} }` : 'local: false'}\n${w.length ? `workers:\n${w.join('\n')}\n` : ''}wildcards:\n  n: { file: chunks.txt }\nrules:\n  touch:\n    output: out/{n}\n    run: [touch, '{output}']\ntargets: ['out/{n}']\n`,
  );
  mkdirSync(join(dir, 'out'));
  chmodSync(join(dir, 'out'), 0o777);
  return dir;
}

/** Wall time of a full `dax run` in dir (ms), under umask 0 (jobs run as the test user); the
 * CPU seconds it cost go to `cost.cpu` when they can be measured. */
function daxRun(hosts, dir, cost = {}) {
  rmSync(join(dir, '.dax'), { recursive: true, force: true });
  const c0 = cpu?.seconds();
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', 'umask 0; exec "$0" "$@"', process.execPath, DAX, '--log-level', process.env.BENCH_LOG ?? 'error', 'run'], { cwd: dir, env: { ...process.env, DAX_SSH_CONFIG: hosts.config, CI: 'true' }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (cpu) cost.cpu = cpu.seconds() - c0;
  if (r.status !== 0) throw new Error(`dax run failed in ${dir}: ${r.stderr}${r.stdout}`);
  return ms;
}

function timeLoop(n, argv) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}`);
  }
  return (performance.now() - t0) / n;
}

const hosts = await startHosts(['w1', 'w2']);
try {
  const rows = [];
  // Dispatch: one slot, so jobs follow each other and the time per job is what one costs.
  const localOne = daxRun(hosts, project(hosts, [], 1, D));
  const sshOne = daxRun(hosts, project(hosts, [{ name: 'w1', slots: 1 }], 0, D));
  const fresh = timeLoop(Math.min(D, 50), ['ssh', '-F', hosts.config, 'w1', 'true']);
  rows.push(['dax, local worker, 1 slot', `${(localOne / D).toFixed(1)} ms`, '']);
  rows.push(['dax, SSH worker through its ControlMaster, 1 slot', `${(sshOne / D).toFixed(1)} ms`, `+${((sshOne - localOne) / D).toFixed(1)} ms over local`]);
  rows.push(['a fresh `ssh w1 true` per job', `${fresh.toFixed(1)} ms`, '']);
  if (which('parallel')) {
    const t0 = performance.now();
    const r = spawnSync('parallel', ['-j1', '--ssh', `ssh -F ${hosts.config}`, '--sshlogin', 'w1', 'true', ':::', ...Array.from({ length: D }, (_, i) => String(i))], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`parallel: ${r.stderr}`);
    rows.push(['GNU parallel --sshlogin w1, -j1', `${((performance.now() - t0) / D).toFixed(1)} ms`, '']);
  } else rows.push(['GNU parallel --sshlogin', 'not installed', '']);
  // Throughput: N jobs on two workers of SLOTS slots, against N jobs on 2*SLOTS local slots.
  const pairs = [];
  for (let i = 0; i < RUNS; i++) {
    const lc = {}, rc = {};
    const l = daxRun(hosts, project(hosts, [], 2 * SLOTS, N), lc);
    const r = daxRun(hosts, project(hosts, [{ name: 'w1', slots: SLOTS }, { name: 'w2', slots: SLOTS }], 0, N), rc);
    pairs.push({ l, r, lcpu: lc.cpu, rcpu: rc.cpu });
  }
  const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const local = mid(pairs.map((p) => p.l));
  const two = mid(pairs.map((p) => p.r));
  const lc = { cpu: cpu ? mid(pairs.map((p) => p.lcpu)) : undefined };
  const rc = { cpu: cpu ? mid(pairs.map((p) => p.rcpu)) : undefined };
  const out = [
    `## SSH workers (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, OpenSSH ${spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim()})`,
    '',
    `Per job, ${D} trivial jobs one after another:`,
    '',
    '| how | per job | |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `${N} trivial jobs, median of ${RUNS} alternating runs: locally on ${2 * SLOTS} slots ${(local / 1000).toFixed(2)} s; on two loopback SSH workers of ${SLOTS} slots ${(two / 1000).toFixed(2)} s (${(two / local).toFixed(2)}x).`,
    `Each pair (local, workers): ${pairs.map((p) => `${(p.l / 1000).toFixed(2)}/${(p.r / 1000).toFixed(2)} s (${(p.r / p.l).toFixed(2)}x)`).join(', ')}.`,
    lc.cpu !== undefined ? `CPU of all their processes (dax, ssh, sshd, the hosts' jobs): ${lc.cpu.toFixed(2)} s locally, ${rc.cpu.toFixed(2)} s on the workers (${(rc.cpu / lc.cpu).toFixed(2)}x).` : 'CPU of all their processes: not measured (no cgroup of our own here).',
  ];
  process.stdout.write(out.join('\n') + '\n');
} finally {
  await hosts.stop();
  cpu?.release();
}
