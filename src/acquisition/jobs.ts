// The work of the rules in rules/acquisition.yaml, run by `dax acq collect|merge|release`:
// each is idempotent (a rerun after kill -9 finishes the job), moves the state forward only,
// raises an Error alert when it fails (the state stays) and clears it when it succeeds.
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { runMerge } from '../fits/run.js';
import { removeStaleTemps, tempPath } from '../util/temp.js';
import { err, ok, type Result } from '../util/result.js';
import { advance, clear, raise, readStatus, sourcesFile, updateStatus, type AcqStatus, type SourceStatus } from './status.js';
import { fetchRemote, placeLocal, rsync } from './transfer.js';
import { isRemote } from './location.js';
import type { Workspace } from './workspace.js';
import { storageOf } from './report.js';
import { formatSize } from '../util/size.js';

function logTo(dir: string, name: string): (line: string) => void {
  const file = path.join(dir, 'logs', name);
  return (line) => appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

function update(dir: string, f: (s: AcqStatus) => void): Result<AcqStatus, string> {
  return updateStatus(dir, f);
}

/** Fails the step: an Error alert `alertId`, the state unchanged. */
function fail(dir: string, alertId: string, message: string, also?: (s: AcqStatus) => void): Result<never, string> {
  update(dir, (s) => {
    raise(s, alertId, 'Error', message);
    also?.(s);
  });
  return err(message);
}

function dirOf(ws: Workspace, id: string): Result<string, string> {
  const dir = ws.inProgress(id);
  return existsSync(path.join(dir, 'status.json')) ? ok(dir) : err(`no acquisition ${id} in progress in ${ws.root}`);
}

/** limits.min_free for the workspace's file system: below it a collection or a merge waits with
 * a Warning alert, and goes on by itself when space is back. */
export async function waitForSpace(ws: Workspace, dir: string, minFree: number, signal?: AbortSignal, pollMs = 2000): Promise<Result<void, string>> {
  if (minFree <= 0) return ok(undefined);
  for (let warned = false; ; warned = true) {
    const st = storageOf(ws.root);
    if (!st || st.free >= minFree) {
      if (warned) update(dir, (s) => clear(s, 'disk'));
      return ok(undefined);
    }
    if (!warned) update(dir, (s) => raise(s, 'disk', 'Warning', `the workspace's file system has ${formatSize(st.free)} free, less than limits.min_free ${formatSize(minFree)}: waiting for space`));
    if (signal?.aborted) return err('interrupted while waiting for free space');
    // Woken early by the signal: an abort or a stop ends the wait at once.
    await new Promise<void>((res) => {
      const t = setTimeout(done, pollMs);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        res();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Collects one source (by its local name, sources/<index>_<name>_<file>) into `into` (the
 * engine's temporary name of the output, which it renames into place), default the final name. */
export async function collect(ws: Workspace, id: string, local: string, into?: string, signal?: AbortSignal, minFree = 0): Promise<Result<void, string>> {
  const d = dirOf(ws, id);
  if (!d.ok) return d;
  const dir = d.value;
  const space = await waitForSpace(ws, dir, minFree, signal);
  if (!space.ok) return space;
  const s0 = readStatus(dir);
  if (!s0.ok) return s0;
  const src = s0.value.sources.find((s) => s.local === `sources/${local}`);
  if (!src) return err(`acquisition ${id} has no source sources/${local}`);
  const alertId = `collect/${src.local}`;
  const mark = (f: (x: SourceStatus) => void) => (s: AcqStatus): void => {
    const x = s.sources.find((y) => y.local === src.local);
    if (x) f(x);
  };
  // Each attempt counts; the last one's error stays in view until the source is collected.
  update(dir, (s) => {
    advance(s, 'Collecting');
    mark((x) => Object.assign(x, { state: 'transferring', attempts: (x.attempts ?? 0) + 1 }))(s);
  });
  const failed = (why: string): Result<never, string> => {
    const message = `source ${src.sourceName} ${src.location}: ${why}`;
    return fail(dir, alertId, message, mark((x) => Object.assign(x, { state: 'failed', error: message })));
  };
  const to = into === undefined ? path.join(dir, src.local) : path.resolve(into);
  mkdirSync(path.dirname(to), { recursive: true });
  removeStaleTemps(path.dirname(to));
  const log = logTo(dir, 'transfer.log');
  let method: SourceStatus['method'];
  let mtime: number;
  if (isRemote(src.origin)) {
    log(`rsync ${src.origin} -> ${src.local}`);
    const r = await fetchRemote(src.origin, to, log, signal);
    if (!r.ok) return failed(r.error);
    method = 'rsync';
    // rsync --times gave the copy the origin's mtime.
    mtime = statSync(to).mtimeMs;
  } else {
    const st = statSync(src.origin, { throwIfNoEntry: false });
    if (!st) return failed(`${src.origin} not found`);
    mtime = st.mtimeMs;
    const r = placeLocal(src.origin, to, ['hardlink', 'copy']);
    if (!r.ok) return failed(r.error);
    method = r.value === 'hardlink' ? 'hardlink' : 'copy';
    log(`${method} ${src.origin} -> ${src.local}`);
  }
  const bytes = statSync(to).size;
  update(dir, (s) => {
    clear(s, alertId);
    mark((x) => {
      Object.assign(x, { state: 'collected', bytes, method, collectedAt: new Date().toISOString(), originMtimeMs: mtime });
      delete x.error;
    })(s);
  });
  return ok(undefined);
}

/** Warning alerts for local sources changed since they were collected. */
export function checkModified(s: AcqStatus): void {
  for (const x of s.sources) {
    if (x.originMtimeMs === undefined || isRemote(x.origin)) continue;
    const st = statSync(x.origin, { throwIfNoEntry: false });
    const id = `modified/${x.local}`;
    if (st && st.mtimeMs !== x.originMtimeMs) raise(s, id, 'Warning', `source ${x.sourceName} ${x.location} was modified after it was collected`);
  }
}

/** Merges the collected sources into result/<fileId>.fits (atomic, then never rewritten) and
 * points in-progress/<id>/result at it (made at `link`, the engine's temporary name of it). */
export async function mergeAcq(ws: Workspace, id: string, link?: string, signal?: AbortSignal, minFree = 0): Promise<Result<void, string>> {
  const d = dirOf(ws, id);
  if (!d.ok) return d;
  const dir = d.value;
  const space = await waitForSpace(ws, dir, minFree, signal);
  if (!space.ok) return space;
  const st = update(dir, (s) => {
    advance(s, 'Merging');
    checkModified(s);
  });
  if (!st.ok) return st;
  const product = ws.result(st.value.fileId);
  mkdirSync(path.dirname(product), { recursive: true });
  // An earlier attempt may have merged and died before the symlink: the product is immutable.
  if (!existsSync(product)) {
    const staged = path.join(dir, `${st.value.fileId}.fits`);
    removeStaleTemps(dir);
    const log = logTo(dir, 'merge.log');
    const r = await runMerge({
      spec: path.join(dir, 'specification.json'), root: dir, outfile: staged, sources: sourcesFile(dir), signal,
      onEvent: (e) => appendFileSync(path.join(dir, 'logs', 'merge.log'), JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n'),
    });
    if (!r.ok) {
      log(JSON.stringify({ type: 'error', kind: r.error.kind, message: r.error.message }));
      return fail(dir, 'merge', `merge failed (${r.error.kind}): ${r.error.message}`);
    }
    try {
      renameSync(staged, product);
    } catch (e) {
      return fail(dir, 'merge', `cannot move the product into ${product}: ${(e as Error).message}`);
    }
  }
  const final = path.join(dir, 'result');
  const target = path.relative(dir, product);
  const at = link === undefined ? final : path.resolve(link);
  const temp = tempPath(at);
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  renameSync(temp, at);
  update(dir, (s) => {
    clear(s, 'merge');
    s.result = path.relative(ws.root, product);
  });
  return ok(undefined);
}

/** Delivers the product to every receiver, then archives the acquisition: in-progress/<id>/
 * moves to archive/<id>/ and the id leaves queue.json, together, under the queue's lock. */
export async function release(ws: Workspace, id: string, signal?: AbortSignal): Promise<Result<void, string>> {
  const archived = ws.archive(id);
  if (!existsSync(ws.inProgress(id)) && existsSync(path.join(archived, 'status.json'))) {
    // Killed between the move and the queue update: finish the update.
    const q = ws.updateQueue<string>((queue) => ok(queue.filter((x) => x !== id)));
    return q.ok ? ok(undefined) : err(q.error);
  }
  const d = dirOf(ws, id);
  if (!d.ok) return d;
  const dir = d.value;
  const st = update(dir, (s) => {
    advance(s, 'Releasing');
    checkModified(s);
  });
  if (!st.ok) return st;
  const product = ws.result(st.value.fileId);
  const log = logTo(dir, 'release.log');
  for (const [i, r] of st.value.receivers.entries()) {
    const alertId = `release/${i}`;
    const name = `${st.value.fileId}.fits`;
    if (r.host !== '') {
      const res = await rsync(['--times', product, `${r.host}:${path.posix.join(r.path, name)}`], log, signal);
      if (!res.ok) return fail(dir, alertId, `receiver ${r.host}:${r.path}: ${res.error}`, (s) => void (s.receivers[i]!.state = 'failed'));
      update(dir, (s) => {
        clear(s, alertId);
        Object.assign(s.receivers[i]!, { state: 'delivered', method: 'rsync' });
      });
      continue;
    }
    const rdir = path.resolve(dir, r.path);
    try {
      if (!statSync(rdir).isDirectory()) throw Object.assign(new Error(`${rdir} is not a directory`), { code: 'ENOTDIR' });
      accessSync(rdir, constants.W_OK);
    } catch (e) {
      return fail(dir, alertId, `receiver ${r.path}: the directory must exist and be writable: ${(e as Error).message}`, (s) => void (s.receivers[i]!.state = 'failed'));
    }
    removeStaleTemps(rdir);
    const placed = placeLocal(product, path.join(rdir, name), ['hardlink', 'symlink', 'copy']);
    if (!placed.ok) return fail(dir, alertId, `receiver ${r.path}: ${placed.error}`, (s) => void (s.receivers[i]!.state = 'failed'));
    log(`${placed.value} ${name} -> ${rdir}`);
    update(dir, (s) => {
      clear(s, alertId);
      Object.assign(s.receivers[i]!, { state: 'delivered', method: placed.value });
    });
  }
  const done = update(dir, (s) => advance(s, 'Completed'));
  if (!done.ok) return done;
  mkdirSync(ws.archive(), { recursive: true });
  const q = ws.updateQueue<string>((queue) => {
    try {
      renameSync(dir, archived);
    } catch (e) {
      return err(`cannot archive ${dir}: ${(e as Error).message}`);
    }
    return ok(queue.filter((x) => x !== id));
  });
  return q.ok ? ok(undefined) : err(q.error);
}
