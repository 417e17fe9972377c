// How a recorded run stands: the one answer `dax runs`, `dax status`, `dax resume` and the
// run record share.
import type { RunInfo } from './journal.js';
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
