// `dax abort ID`: state Aborted (so no job of it moves it on), out of queue.json (so no run
// plans it again), then its running job processes (`dax acq ... ID`) get SIGTERM. Files stay.
import { readdirSync, readFileSync } from 'node:fs';
import { err, ok, type Result } from '../util/result.js';
import { updateStatus } from './status.js';
import type { Workspace } from './workspace.js';

export function abortAcq(ws: Workspace, id: string): Result<number, string> {
  const dir = ws.inProgress(id);
  const s = updateStatus(dir, (st) => {
    if (st.state === 'Completed' || st.state === 'Aborted') return;
    st.state = 'Aborted';
    st.times.Aborted = new Date().toISOString();
  });
  if (!s.ok) return err(`no acquisition ${id} in progress in ${ws.root} (${s.error})`);
  const q = ws.updateQueue<string>((queue) => ok(queue.filter((x) => x !== id)));
  if (!q.ok) return err(q.error);
  let stopped = 0;
  for (const pid of jobPids(ws, id)) {
    try {
      process.kill(pid, 'SIGTERM');
      stopped++;
    } catch {
      /* it ended meanwhile */
    }
  }
  return ok(stopped);
}

/** Processes of this user running `dax acq <step> --workspace WS ID ...`. */
function jobPids(ws: Workspace, id: string): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const a = argv.indexOf('acq');
    if (a < 0) continue;
    const rest = argv.slice(a + 2);
    const w = rest.indexOf('--workspace');
    if (w >= 0 && rest[w + 1] === ws.root && rest.includes(id)) out.push(Number(e));
  }
  return out;
}
