// Jobs left running by a dax that was killed (kill -9, power to the terminal cut): each job's
// environment carries DAX_RUN, so the next run finds them in /proc and stops their process
// groups before rebuilding what they were writing. Linux only; elsewhere it finds nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { procStat } from '../util/proc.js';

/** Process groups of processes whose environment has DAX_RUN=runId. */
export function orphanGroups(runId: string): number[] {
  const needle = `\0DAX_RUN=${runId}\0`;
  const groups = new Set<number>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = '\0' + readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!env.includes(needle)) continue;
      const stat = procStat(Number(name));
      if (!stat || stat.state === 'Z') continue;
      groups.add(stat.pgrp);
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return [...groups];
}

/** Stops the process groups of a dead run's jobs: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopOrphans(runId: string, graceMs = 2000): Promise<number> {
  const groups = orphanGroups(runId);
  if (groups.length === 0) return 0;
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
  while (Date.now() < end && orphanGroups(runId).length > 0) await new Promise((r) => setTimeout(r, 50));
  if (orphanGroups(runId).length > 0) signal('SIGKILL');
  return groups.length;
}
