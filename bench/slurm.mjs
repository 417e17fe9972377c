#!/usr/bin/env node
// Slurm worker benchmark on the local test cluster (bench/lib/slurm.mjs: one node declared with
// many CPUs, so the cluster's scheduling is not the bottleneck), side by side in one run:
//   dax      N trivial jobs through a Slurm worker (job arrays, hint files, adaptive squeue)
//   dax, bundled  the same with `bundle: B` (B jobs one after another in each array task)
//   arrays   the same jobs submitted by hand as job arrays of ARRAY tasks, waited for by squeue
//   sbatch   one `sbatch --wrap` per job, waited for by squeue
// and dax's own CPU time per job, the time dax takes to submit 10,000 jobs, and how many
// squeue/scontrol calls dax makes a minute (counted by shims on PATH). Run as root.
// Usage: npm run bench:slurm [-- --jobs N] [-- --submit N] [-- --array N] [-- --poll S] [-- --cpus N] [-- --bundle B]
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from './lib/slurm.mjs';
import { numArg as arg } from './lib/measure.mjs';
import { benchEnv } from './lib/env.mjs';

const envNote = benchEnv();
if (envNote) console.log(`bench: ${envNote}`);

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const DAX = join(REPO, 'bin', 'dax.js');
const N = arg('--jobs', 1000);
const SUBMIT = arg('--submit', 10000);
const ARRAY = arg('--array', 1000);
const POLL = arg('--poll', 1);
// The bundled dax row's jobs per array task (1: no bundled row).
const BUNDLE = arg('--bundle', 10);
// --cpu-prof DIR: a V8 CPU profile of dax's N-job run into DIR (its CPU figure then includes the
// profiler's cost); --dax-only: that run alone, no baselines and no 10,000-job submission.
const profDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const daxOnly = process.argv.includes('--dax-only');

// 64 declared CPUs: the node starts jobs as fast as this machine lets it (4 CPUs: ~5 a second,
// each job holding a CPU ~0.8 s from start to completion; 64: ~28-38 a second). Less logging by
// the daemons: one fewer write per job step.
const CPUS = arg('--cpus', 64);
const cluster = await startCluster({ cpus: CPUS, conf: { SlurmctldDebug: 'error', SlurmdDebug: 'error' } });
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cluster.stop().then(() => process.exit(130)));
const work = mkdtempSync(join(os.tmpdir(), 'dax-bench-slurm-'));

// Shims that log each Slurm client call, then run the real command.
const shims = join(work, 'shims');
const callLog = join(work, 'calls.log');
mkdirSync(shims);
for (const p of ['sbatch', 'squeue', 'scontrol', 'scancel', 'sinfo']) {
  const real = spawnSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(shims, p), `#!/bin/sh\necho "${p}" >> ${callLog}\nexec ${real} "$@"\n`);
  chmodSync(join(shims, p), 0o755);
}
const env = { ...process.env, ...cluster.env, CI: 'true', PATH: `${shims}:${process.env.PATH}` };
const calls = () => {
  const c = {};
  try {
    for (const l of readFileSync(callLog, 'utf8').split('\n')) if (l) c[l] = (c[l] ?? 0) + 1;
  } catch {
    /* none yet */
  }
  rmSync(callLog, { force: true });
  return c;
};

/** `hold`: the jobs are submitted held (they never start): for timing the submission alone. */
function project(jobs, slots, hold = false, bundle = 1) {
  const dir = mkdtempSync(join(work, 'p-'));
  writeFileSync(join(dir, 'chunks.txt'), `0:${jobs - 1}\n`);
  writeFileSync(
    join(dir, 'Daxfile.yaml'),
    `version: 1\nlocal: false\nworkers:\n  cluster:\n    slurm: { partition: ${cluster.partition}${hold ? ', extra: [--hold]' : ''} }\n    slots: ${slots}\n    array_size: ${ARRAY}\n    poll: ${POLL}\n    bundle: ${bundle}\n` +
      `wildcards:\n  n: { pattern: '[0-9]+', file: chunks.txt }\nrules:\n  touch:\n    output: out/{n}\n    run: [touch, '{output}']\ntargets: ['out/{n}']\n`,
  );
  mkdirSync(join(dir, 'out'));
  return dir;
}

/** Until the cluster has none of the jobs named `name` pending or running (polled like dax). */
async function waitQueue(name) {
  for (;;) {
    const r = spawnSync('squeue', ['-h', '-r', `--name=${name}`, '-o', '%i'], { env, encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '') return;
    await new Promise((res) => setTimeout(res, POLL * 1000));
  }
}

const count = (dir) => readdirSync(join(dir, 'out')).length;

// dax: wall time and its own CPU time (user+sys, by /usr/bin/time).
function daxRun(bundle) {
  calls();
  const dir = project(N, N, false, bundle);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', join(work, 'cpu'), process.execPath, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), DAX, '--log-level', 'error', 'run'], { cwd: dir, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`dax run (bundle ${bundle}) failed: ${r.stderr}${r.stdout}`);
  if (count(dir) !== N) throw new Error(`dax (bundle ${bundle}) made ${count(dir)} of ${N} outputs`);
  const [user, sys] = readFileSync(join(work, 'cpu'), 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { bundle, ms, user, sys, calls: calls() };
}
const cpuPerJob = (d) => `${((d.user + d.sys) * 1000 / N).toFixed(2)} ms per job (user ${d.user}s + sys ${d.sys}s)`;
const polls = (d) => `squeue+scontrol ${(((d.calls.squeue ?? 0) + (d.calls.scontrol ?? 0)) / (d.ms / 60000)).toFixed(1)} a minute`;
const runs = [daxRun(1), ...(BUNDLE > 1 ? [daxRun(BUNDLE)] : [])];
if (daxOnly) {
  for (const d of runs) console.log(`dax, bundle ${d.bundle}: ${(d.ms / 1000).toFixed(1)} s wall, CPU ${cpuPerJob(d)}, its Slurm calls included; calls ${JSON.stringify(d.calls)}, ${polls(d)}`);
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

// By hand, as job arrays.
const pArr = project(N, N);
const t1 = performance.now();
for (let i = 0; i < N; i += ARRAY) {
  const n = Math.min(ARRAY, N - i);
  writeFileSync(join(pArr, `a${i}.sh`), `#!/bin/sh\ntouch out/$((${i} + SLURM_ARRAY_TASK_ID))\n`);
  const s = spawnSync('sbatch', ['--parsable', '--no-requeue', `--array=0-${n - 1}`, '--job-name=bench-arrays', `--output=/dev/null`, `--chdir=${pArr}`, join(pArr, `a${i}.sh`)], { env, encoding: 'utf8' });
  if (s.status !== 0) throw new Error(`sbatch: ${s.stderr}`);
}
await waitQueue('bench-arrays');
const arraysMs = performance.now() - t1;
if (count(pArr) !== N) throw new Error(`arrays made ${count(pArr)} of ${N}`);

// By hand, one sbatch per job.
const pOne = project(N, N);
const t2 = performance.now();
for (let i = 0; i < N; i++) {
  const s = spawnSync('sbatch', ['--parsable', '--no-requeue', '--job-name=bench-one', '--output=/dev/null', `--chdir=${pOne}`, `--wrap=touch out/${i}`], { env, encoding: 'utf8' });
  if (s.status !== 0) throw new Error(`sbatch: ${s.stderr}`);
}
const oneSubmitMs = performance.now() - t2;
await waitQueue('bench-one');
const oneMs = performance.now() - t2;
if (count(pOne) !== N) throw new Error(`one-per-job made ${count(pOne)} of ${N}`);
calls();

// dax submitting SUBMIT jobs (held, so the node's speed does not matter): from start to the
// last job-queued event, then SIGTERM (dax cancels them).
const pSub = project(SUBMIT, SUBMIT, true);
const t3 = performance.now();
const child = spawn(process.execPath, [DAX, 'run', '--json'], { cwd: pSub, env, stdio: ['ignore', 'pipe', 'pipe'] });
let queuedN = 0;
let submitMs = 0;
let buf = '';
child.stdout.setEncoding('utf8').on('data', (s) => {
  buf += s;
  const lines = buf.split('\n');
  buf = lines.pop();
  for (const l of lines) {
    if (!l.includes('"job-queued"')) continue;
    if (++queuedN === SUBMIT) {
      submitMs = performance.now() - t3;
      child.kill('SIGTERM');
    }
  }
});
let subErr = '';
child.stderr.setEncoding('utf8').on('data', (s) => (subErr += s));
const subCode = await new Promise((res) => child.on('close', res));
if (queuedN < SUBMIT) console.error(`the ${SUBMIT}-job run ended (${subCode}) after ${queuedN} jobs: ${subErr.slice(-500)}`);
const subCalls = calls();
const left = cluster.queue().length;

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const load = os.loadavg()[0].toFixed(1);
console.log(`Slurm benchmark: ${N} trivial jobs (touch), one node declared with ${CPUS} CPUs, poll ${POLL}s, arrays of ${ARRAY}; load ${load} on ${os.availableParallelism()} CPUs`);
console.log(`| run | wall | vs arrays | vs one sbatch per job |`);
console.log(`|---|---|---|---|`);
for (const d of runs) console.log(`| dax (Slurm worker${d.bundle > 1 ? `, bundle ${d.bundle}` : ''}) | ${s(d.ms)} | ${(d.ms / arraysMs).toFixed(2)}x | ${(d.ms / oneMs).toFixed(2)}x |`);
console.log(`| job arrays by hand | ${s(arraysMs)} | 1.00x | ${(arraysMs / oneMs).toFixed(2)}x |`);
console.log(`| one sbatch per job | ${s(oneMs)} | ${(oneMs / arraysMs).toFixed(2)}x | 1.00x |`);
// What bounds the wall times: one sbatch call's cost, against the rate the node starts jobs.
console.log(`one sbatch per job: ${N} calls took ${s(oneSubmitMs)} (${(oneSubmitMs / N).toFixed(1)} ms a call, ${(N / (oneSubmitMs / 1000)).toFixed(0)} jobs/s submitted); the node ran the arrays' jobs at ${(N / (arraysMs / 1000)).toFixed(1)} jobs/s and the one-per-job ones at ${(N / (oneMs / 1000)).toFixed(1)} jobs/s`);
for (const d of runs) {
  const what = d.bundle > 1 ? `dax, bundle ${d.bundle}` : 'dax';
  console.log(`${what} CPU: ${cpuPerJob(d)} by /usr/bin/time: dax and every process it waited for, its sbatch/squeue calls and their shims included; start-up and planning included`);
  console.log(`${what} Slurm calls in the ${N}-job run (${s(d.ms)}): ${JSON.stringify(d.calls)}; ${polls(d)}`);
}
console.log(`dax submitted ${queuedN} of ${SUBMIT} jobs in ${s(submitMs)} (calls ${JSON.stringify(subCalls)}); left in the queue after SIGTERM: ${left}`);

await cluster.stop();
rmSync(work, { recursive: true, force: true });
