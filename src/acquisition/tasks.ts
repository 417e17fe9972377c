// The acquisition steps as tasks (exec/tasks.ts): rules/acquisition.yaml runs them inside dax, on
// a worker thread, instead of starting `dax acq collect|merge|release` per step. They do exactly
// what those commands do (the same functions of jobs.ts); a failure is in status.json as an Error
// alert and in the job's log. `dax abort ID` (another process) marks the acquisition Aborted: a
// step of it that runs sees that within a poll and stops.
import path from 'node:path';
import type { TaskContext, TaskFunction } from '../exec/tasks.js';
import type { Result } from '../util/result.js';
import { collect, mergeAcq, release } from './jobs.js';
import { readStatus } from './status.js';
import { Workspace } from './workspace.js';

const FAILED = 1;
const ABORT_POLL_MS = 250;

/** Runs a step of acquisition args[1] in workspace args[0]; its signal also fires on abort. */
async function step(ctx: TaskContext, args: string[], usage: string, f: (ws: Workspace, id: string, rest: string[], signal: AbortSignal) => Promise<Result<void, string>>): Promise<number> {
  const want = usage.split(' ').length - 1;
  if (args.length !== want) {
    ctx.log(`dax: task ${usage}: expected ${want} arguments, got ${args.length}\n`);
    return FAILED;
  }
  const ws = new Workspace(path.resolve(ctx.cwd, args[0]!));
  const id = args[1]!;
  const stop = new AbortController();
  const onStop = (): void => stop.abort();
  ctx.signal.addEventListener('abort', onStop, { once: true });
  const poll = setInterval(() => {
    const s = readStatus(ws.inProgress(id));
    if (s.ok && s.value.state === 'Aborted') stop.abort();
  }, ABORT_POLL_MS);
  try {
    const r = await f(ws, id, args.slice(2), stop.signal);
    if (r.ok) return 0;
    ctx.log(`dax acq: error: ${r.error}\n`);
    return FAILED;
  } finally {
    clearInterval(poll);
    ctx.signal.removeEventListener('abort', onStop);
  }
}

const bytes = (s: string): number => (Number.isFinite(Number(s)) ? Number(s) : 0);

export const collectTask: TaskFunction = (args, ctx) =>
  step(ctx, args, 'acq_collect WORKSPACE ID SOURCE OUTPUT MIN_FREE', (ws, id, [source, out, minFree], signal) =>
    collect(ws, id, source!, path.resolve(ctx.cwd, out!), signal, bytes(minFree!)));

export const mergeTask: TaskFunction = (args, ctx) =>
  step(ctx, args, 'acq_merge WORKSPACE ID LINK MIN_FREE', (ws, id, [link, minFree], signal) =>
    mergeAcq(ws, id, path.resolve(ctx.cwd, link!), signal, bytes(minFree!)));

export const releaseTask: TaskFunction = (args, ctx) =>
  step(ctx, args, 'acq_release WORKSPACE ID', (ws, id, _rest, signal) => release(ws, id, signal));
