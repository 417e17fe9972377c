// The worker thread of exec/tasks.ts: runs one task at a time, each in the job's terms (log,
// cwd, env), and says how it ended. Modules stay loaded between tasks.
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { TASK_BUG, type FromThread, type TaskFunction, type TaskMessage, type ToThread } from './tasks.js';

const port = parentPort!;
const stops = new Map<number, AbortController>();

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'run':
      void run(m);
      return;
    case 'stop':
      stops.get(m.id)?.abort();
      return;
  }
});

async function run(m: TaskMessage): Promise<void> {
  const stop = new AbortController();
  stops.set(m.id, stop);
  // The log is made at the first write, as for a command that prints nothing.
  let fd: number | undefined;
  const log = (text: string): void => {
    try {
      fd ??= openSync(m.log, m.appendLog ? 'a' : 'w');
      writeSync(fd, text);
    } catch {
      /* a log that cannot be written does not fail the task; the engine says the log is lost */
    }
  };
  let code: number;
  try {
    const fn = ((await import(m.module)) as Record<string, unknown>)[m.exportName];
    if (typeof fn !== 'function') throw new Error(`${m.module} has no task function ${m.exportName}`);
    code = await (fn as TaskFunction)(m.args, { cwd: m.cwd, env: m.env, signal: stop.signal, log });
  } catch (e) {
    log(`dax: internal error in task ${m.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    code = TASK_BUG;
  }
  stops.delete(m.id);
  if (fd !== undefined) closeSync(fd);
  port.postMessage({ t: 'done', id: m.id, code } satisfies FromThread);
}
