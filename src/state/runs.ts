// How a recorded run stands: the one answer `dax runs`, `dax status`, `dax resume` and the
// run record share.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Journal, type RunInfo } from './journal.js';
import type { RunRecord } from './records.js';
import { Lock } from './lock.js';

/** The id of the run holding the lock, when its holder is alive. */
export function liveRunId(stateDir: string): string | undefined {
  const holder = Lock.read(stateDir);
  return holder && Lock.isAlive(holder) ? holder.run : undefined;
}

export type RunState = 'ok' | 'failed' | 'interrupted' | 'running' | 'crashed';

export function runState(info: RunInfo, live: string | undefined): RunState {
  if (info.end) return info.end.result;
  return info.run.id === live ? 'running' : 'crashed';
}

/** The last run record of the journal, read from its end: the journal may hold 10^6 lines, and
 * `dax status` and `dax run -n` only want the last run's --set values. Runs are kept in order
 * (compaction too), so the last `run` line is the last run. */
export function lastRunRecord(stateDir: string): RunRecord | undefined {
  let fd: number;
  try {
    fd = openSync(Journal.path(stateDir), 'r');
  } catch {
    return undefined; // no journal: no run yet
  }
  try {
    const size = fstatSync(fd).size;
    const CHUNK = 1 << 16;
    let end = size;
    let tail = Buffer.alloc(0); // the start of the line cut by the chunk boundary
    while (end > 0) {
      const from = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - from);
      readSync(fd, chunk, 0, chunk.length, from);
      const buf = tail.length ? Buffer.concat([chunk, tail]) : chunk;
      // Whole lines only: the first one may continue in the previous chunk.
      let stop = buf.length;
      for (;;) {
        const nl = stop > 0 ? buf.lastIndexOf(0x0a, stop - 1) : -1;
        if (nl < 0 && from > 0) break;
        const line = buf.subarray(nl + 1, stop);
        if (line.length > RUN_PREFIX.length && line.subarray(0, RUN_PREFIX.length).equals(RUN_PREFIX)) {
          try {
            return JSON.parse(line.toString('utf8')) as RunRecord;
          } catch {
            // A damaged line: look further back.
          }
        }
        if (nl < 0) break;
        stop = nl;
      }
      tail = buf.subarray(0, stop);
      end = from;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const RUN_PREFIX = Buffer.from('{"t":"run",');

/** The --set values a command that does not run (status, run -n) uses: those given, else the
 * last run's, so that after `dax run --set x=y` it judges the state that run left. */
export interface SetsChoice {
  items: string[]; // NAME=VALUE, as --set takes them
  /** The run they come from, when they were not given. */
  fromRun?: string;
}

export function setsOrLastRun(stateDir: string, given: string[]): SetsChoice {
  if (given.length > 0) return { items: given };
  const last = lastRunRecord(stateDir);
  if (!last || Object.keys(last.sets).length === 0) return { items: [] };
  return { items: Object.entries(last.sets).map(([k, v]) => `${k}=${v}`), fromRun: last.id };
}
