// `dax abort ID`: state Aborted (so no job of it moves it on, and a step of it that runs stops:
// the steps watch their status.json, see tasks.ts), out of queue.json (so no run plans it again).
// Files stay.
import { err, ok, type Result } from '../util/result.js';
import { updateStatus } from './status.js';
import type { Workspace } from './workspace.js';

export function abortAcq(ws: Workspace, id: string): Result<void, string> {
  const dir = ws.inProgress(id);
  const s = updateStatus(dir, (st) => {
    if (st.state === 'Completed' || st.state === 'Aborted') return;
    st.state = 'Aborted';
    st.times.Aborted = new Date().toISOString();
  });
  if (!s.ok) return err(`no acquisition ${id} in progress in ${ws.root} (${s.error})`);
  const q = ws.updateQueue<string>((queue) => ok(queue.filter((x) => x !== id)));
  if (!q.ok) return err(q.error);
  return ok(undefined);
}
