// Jobs left running by a dax that was killed (kill -9, power to the terminal cut): each job's
// environment carries DAX_RUN, so the next run finds them in /proc and stops their process
// groups before rebuilding what they were writing. Linux only; elsewhere it finds nothing.
import { readdirSync, readFileSync } from 'node:fs';

/** Process groups of live processes whose environment has DAX_RUN=runId (and passes `filter`,
 * given the environment as NUL-separated text with a leading NUL). */
export function orphanGroups(runId: string, filter?: (env: string) => boolean): number[] {
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
      if (!env.includes(needle) || (filter && !filter(env))) continue;
      const fields = statFields(readFileSync(`/proc/${name}/stat`, 'latin1'));
      if (fields[0] === 'Z') continue;
      groups.add(Number(fields[2])); // pgrp
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return [...groups];
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces and parens). */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** True when some process of the group is alive (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  try {
    return statFields(readFileSync(`/proc/${pgid}/stat`, 'latin1'))[0] !== 'Z' || readdirSync('/proc').some((n) => /^\d+$/.test(n) && inGroup(n, pgid));
  } catch {
    return true; // no /proc: kill(0) said it is there
  }
}

function inGroup(pid: string, pgid: number): boolean {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return f[0] !== 'Z' && Number(f[2]) === pgid;
  } catch {
    return false;
  }
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
