// Runs one command and measures its wall time and peak RSS.
//
// Peak RSS comes from GNU time (`/usr/bin/time -f '%e %M'`) when it is installed: %M is the
// maximum resident set size of the process, or of any waited-for descendant, whichever is larger
// (for make/ninja that is the tool itself: echo/cp are tiny). Without GNU time we spawn the command
// directly and poll /proc/<pid>/status VmHWM over its process tree every few milliseconds, taking
// the largest value seen (a child living shorter than one poll can be missed; the tool itself is not).
//
// Wall time is always measured here with a monotonic clock, from spawn to exit.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/** Detects how peak RSS will be measured: 'gnu-time' or 'proc-poll'. */
export function detectRssMethod() {
  const dir = mkdtempSync(join(tmpdir(), 'dax-bench-'));
  try {
    const out = join(dir, 't');
    const r = spawnSync(GNU_TIME, ['-f', '%e %M', '-o', out, 'true'], { stdio: 'ignore' });
    if (r.status === 0 && /^\d+(\.\d+)? \d+\s*$/.test(readFileSync(out, 'utf8').trim().split('\n').pop() ?? '')) {
      return 'gnu-time';
    }
  } catch {
    /* fall through */
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 'proc-poll';
}

export function describeRssMethod(method) {
  return method === 'gnu-time'
    ? "GNU time (`/usr/bin/time -f '%e %M'`: max RSS of the tool or any of its children)"
    : '/proc/<pid>/status VmHWM polled every 5 ms over the process tree (max of any one process)';
}

/** Reads VmHWM (KiB) of one pid, or 0. */
function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and all its descendants, via /proc/<pid>/task/<tid>/children. */
function processTree(root) {
  const seen = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    seen.push(pid);
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(/\s+/)) {
          if (c) stack.push(Number(c));
        }
      } catch {
        /* gone */
      }
    }
  }
  return seen;
}

/**
 * Runs argv in cwd with stdout to /dev/null; stderr is kept (the tail) for error messages.
 * onSpawn(child) is called once the process exists (for interruption).
 * Resolves to { ok, code, signal, timedOut, wallMs, rssKiB, cpuS, stderr }; cpuS (user + system
 * seconds of the tool and all its children, from GNU time) is null with the proc-poll method.
 */
export function measure(argv, { cwd, method, timeoutMs = 600_000, env = process.env, onSpawn }) {
  return new Promise((resolve) => {
    let tmp = null;
    let cmd = argv;
    if (method === 'gnu-time') {
      tmp = mkdtempSync(join(tmpdir(), 'dax-bench-'));
      cmd = [GNU_TIME, '-f', '%e %M %U %S', '-o', join(tmp, 't'), ...argv];
    }
    let stderr = '';
    let peak = 0;
    let cpuS = null;
    let poll = null;
    let timedOut = false;
    const start = process.hrtime.bigint();
    // detached: own process group, so a timeout can stop the whole tree (and only it).
    const child = spawn(cmd[0], cmd.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    onSpawn?.(child);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-16_384);
    });
    if (method !== 'gnu-time' && child.pid) {
      const sample = () => {
        for (const pid of processTree(child.pid)) peak = Math.max(peak, vmHwm(pid));
      };
      sample();
      poll = setInterval(sample, 5);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGTERM');
        setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 5000).unref();
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    const finish = (code, signal, spawnError) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (tmp) {
        try {
          // Last line is "%e %M %U %S"; earlier lines may say "Command exited with non-zero status N".
          const lines = readFileSync(join(tmp, 't'), 'utf8').trim().split('\n');
          const m = /^(\d+(?:\.\d+)?) (\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(lines[lines.length - 1] ?? '');
          if (m) {
            peak = Number(m[2]);
            cpuS = Number(m[3]) + Number(m[4]);
          }
        } catch {
          /* no figure */
        }
        rmSync(tmp, { recursive: true, force: true });
      }
      if (spawnError) stderr += `${spawnError.message}\n`;
      resolve({
        ok: !spawnError && !timedOut && code === 0,
        code,
        signal,
        timedOut,
        wallMs,
        rssKiB: peak || null,
        cpuS,
        stderr,
      });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal, null));
  });
}

/** Runs a short command and returns its trimmed stdout+stderr, or null when it cannot run. */
export function capture(argv, opts = {}) {
  try {
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000, ...opts });
    if (r.error) return null;
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  } catch {
    return null;
  }
}

/** Whether an executable is on PATH. */
export function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The number after `name` on the command line (`--jobs 100`), or `dflt`. */
export function numArg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
