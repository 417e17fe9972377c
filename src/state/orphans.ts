// Jobs left running by a dax that was killed (kill -9, power to the terminal cut): each job's
// environment carries DAX_RUN, so the next run finds them in /proc and stops their process
// groups before rebuilding what they were writing. Linux only; elsewhere it finds nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { procStat } from '../util/proc.js';

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** Process groups of live processes whose environment has DAX_RUN=runId (and passes `filter`,
 * given the environment as NUL-separated text with a leading NUL). */
export function orphanGroups(runId: string, filter?: (env: string) => boolean): number[] {
  const needle = `\0DAX_RUN=${runId}\0`;
  const groups = new Set<number>();
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    try {
      const env = '\0' + readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!env.includes(needle) || (filter && !filter(env))) continue;
      const stat = procStat(pid);
      if (!stat || stat.state === 'Z') continue;
      groups.add(stat.pgrp);
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return [...groups];
}

/** True when some process of the group is alive (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  const all = pids();
  if (all.length === 0) return true; // no /proc: kill(0) said it is there
  return all.some((pid) => {
    const s = procStat(pid);
    return s !== undefined && s.pgrp === pgid && s.state !== 'Z';
  });
}

/** Stops the process groups `find` returns: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopGroups(find: () => number[], graceMs = 2000): Promise<void> {
  const groups = find();
  const signal = (sig: NodeJS.Signals): void => {
    for (const g of groups) {
      try {
        process.kill(-g, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const end = Date.now() + graceMs;
  while (Date.now() < end && find().length > 0) await new Promise((r) => setTimeout(r, 50));
  if (find().length > 0) signal('SIGKILL');
}

/** The process group of each running job of a run on this machine, by its DAX_JOB: where
 * `dax status` finds a job's pid before its handle reaches the journal (it is written lazily). */
export function jobGroups(runId: string): Map<string, number> {
  const needle = `\0DAX_RUN=${runId}\0`;
  const out = new Map<string, number>();
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    try {
      const env = '\0' + readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (!env.includes(needle)) continue;
      const job = /\0DAX_JOB=([^\0]*)\0/.exec(env)?.[1];
      const stat = procStat(pid);
      if (job === undefined || !stat || stat.state === 'Z') continue;
      if (!out.has(job)) out.set(job, stat.pgrp);
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return out;
}
