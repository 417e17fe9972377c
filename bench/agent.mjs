#!/usr/bin/env node
// The SSH agents' own cost per job, without ssh: --jobs trivial jobs (`touch out/N`, a lazy log
// with a header, as dax launches them: perlLaunchLine) through the perl agent (PERL_AGENT) and the
// native one (build/Release/dax-agent), --slots in flight (each batch of answers read is answered
// with one write of as many new lines, as dax's agent corks them). The two alternate, --runs times
// each. CPU is the agent's and its jobs' (user+sys): a cgroup of the agent's own where the machine
// lets root make one, else the children's times of a perl wrapper (10 ms ticks).
// Usage: node bench/agent.mjs [--jobs N] [--runs N] [--slots N] [--dir D]   (after `npm run build` and
// `npx node-gyp rebuild`)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numArg as arg } from './lib/measure.mjs';
import { benchEnv } from './lib/env.mjs';
import { cgroupCpu } from './lib/cgroup-cpu.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const NATIVE = join(REPO, 'build', 'Release', 'dax-agent');
const N = arg('--jobs', 1000);
const RUNS = arg('--runs', 3);
const SLOTS = arg('--slots', 8);
// Where the jobs' records, logs and outputs go. ext4 makes a file slower after many deletions
// (it scans for recently freed inodes), the same for both agents: a tmpfs (--dir /dev/shm) leaves
// only the agents' own costs to compare.
const DIR = process.argv.includes('--dir') ? process.argv[process.argv.indexOf('--dir') + 1] : os.tmpdir();
const { PERL_AGENT, perlLaunchLine } = await import(join(REPO, 'dist', 'exec', 'ssh', 'agent-perl.js'));

const envNote = benchEnv();
if (envNote) console.log(`bench: ${envNote}`);
if (!existsSync(NATIVE)) {
  console.error(`bench: ${NATIVE} is missing: build it with \`npx node-gyp rebuild\` (a C compiler and a static libc: apt-get install -y build-essential)`);
  process.exit(1);
}

// The children's CPU as a perl wrapper sees it, for a machine without cgroups.
const WRAP = 'my $r = system { $ARGV[0] } @ARGV; my @t = times; printf STDERR "dax-bench-cpu %.3f\\n", $t[2] + $t[3]; exit($r >> 8)';

const TICK = 100; // USER_HZ: /proc's times are in 1/100 s on Linux
/** The process's own user+sys and its reaped children's, in seconds (undefined if unreadable). */
function ownCpu(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return { self: (Number(f[11]) + Number(f[12])) / TICK, jobs: (Number(f[13]) + Number(f[14])) / TICK };
  } catch {
    return undefined;
  }
}

/** One run: the wall time from the agent's start to its exit, and its CPU. */
async function run(kind) {
  const root = mkdtempSync(join(DIR, 'dax-bench-agent-'));
  mkdirSync(join(root, 'out'));
  const argv = kind === 'perl' ? ['perl', '-e', PERL_AGENT] : [NATIVE];
  const t0 = performance.now();
  let child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  // Moved before it reads a line: it starts nothing before.
  const cg = cgroupCpu(`dax-bench-agent-${kind}`, child.pid);
  if (!cg) {
    child.kill();
    child = spawn('perl', ['-e', WRAP, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  }
  let wrapped = '';
  child.stderr?.on('data', (d) => (wrapped += d));
  const line = (i) =>
    `j${i} ${perlLaunchLine({
      dir: join(root, 'jobs', `t${i}`), cwd: root, argv: ['touch', `out/${i}`], env: {}, log: join(root, 'logs', `t${i}.log`), appendLog: false,
      logOnOutput: true, header: `=== t${i}`, mkdirs: [], links: [], outputs: [], hash: false,
    })}\n`;
  // The agent alone: its own CPU, its jobs' apart, read from /proc before its input ends.
  const agentPid = child.pid;
  let own;
  let next = 0;
  let ended = 0;
  let failed = 0;
  let rest = '';
  const send = (k) => {
    let text = '';
    for (; k > 0 && next < N; k--) text += line(next++);
    if (text) child.stdin.write(text);
  };
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.stdout.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    let now = 0;
    for (const l of parts) {
      if (!/^j\d+ status /.test(l)) continue;
      now++;
      if (!l.endsWith(' status 0')) failed++;
    }
    ended += now;
    if (ended === N) {
      own = ownCpu(agentPid);
      child.stdin.end();
    }
    else send(now);
  });
  send(SLOTS);
  await closed;
  const wall = (performance.now() - t0) / 1000;
  let cpu;
  if (cg) {
    cpu = cg.seconds();
    cg.release();
  } else cpu = Number(/dax-bench-cpu (\S+)/.exec(wrapped)?.[1]);
  const made = readdirSync(join(root, 'out')).length;
  rmSync(root, { recursive: true, force: true });
  if (failed || made !== N) throw new Error(`${kind}: ${failed} jobs failed, ${made} of ${N} outputs made`);
  // Wrapped, agentPid is the wrapper's: the agent is its child, not reaped yet, so not counted.
  return { wall, cpu, self: cg ? own?.self : undefined };
}

const results = { perl: [], native: [] };
await run('native'); // warm: the binary and perl paged in, /tmp's directories made once
for (let r = 0; r < RUNS; r++) for (const kind of ['perl', 'native']) results[kind].push(await run(kind));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (s) => ((s * 1000) / N).toFixed(3);
console.log(`${N} jobs (touch, lazy log) in ${DIR}, ${SLOTS} in flight, ${RUNS} runs each, alternating; CPU = the agent and its jobs (user+sys)`);
console.log('| agent | wall s (runs) | CPU s, agent + jobs (runs) | agent alone (runs) | ms/job, median: wall, CPU, agent alone |');
console.log('| --- | --- | --- | --- | --- |');
for (const kind of ['perl', 'native']) {
  const w = results[kind].map((x) => x.wall);
  const c = results[kind].map((x) => x.cpu);
  const a = results[kind].map((x) => x.self);
  const alone = a.every((x) => x !== undefined) ? a.map((x) => x.toFixed(2)).join(' ') : '-';
  const aloneMs = a.every((x) => x !== undefined) ? ms(median(a)) : '-';
  console.log(`| ${kind} | ${w.map((x) => x.toFixed(2)).join(' ')} | ${c.map((x) => x.toFixed(3)).join(' ')} | ${alone} | ${ms(median(w))}, ${ms(median(c))}, ${aloneMs} |`);
}
