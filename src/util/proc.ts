// What Linux's /proc says about a process, for telling a live holder or orphan from a dead one.
// Elsewhere (no /proc) these answer undefined and callers fall back to what they can see.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, T (stopped), t (traced), Z (zombie), ... */
  state: string;
  pgrp: number;
  /** When the process started, in clock ticks since boot: with the boot id, it names one process. */
  startTime: number;
}

/** /proc/PID/stat, or undefined when there is no such process (or no /proc). */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields 3.. follow the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = f[0];
  const pgrp = Number(f[2]);
  const startTime = Number(f[19]); // field 22
  if (state === undefined || !Number.isFinite(pgrp) || !Number.isFinite(startTime)) return undefined;
  return { state, pgrp, startTime };
}

let boot: string | null | undefined;

/** This boot's id (/proc/sys/kernel/random/boot_id): a process of another boot is gone. */
export function bootId(): string | undefined {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
    } catch {
      boot = null;
    }
  }
  return boot ?? undefined;
}
