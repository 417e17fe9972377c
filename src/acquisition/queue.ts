// `dax queue`: validate a specification exactly as `dax merge` does, refuse unsafe and
// duplicate ids, write in-progress/<id>/ (specification.json, sources.json, status.json,
// sources/, logs/) and append the id to queue.json. On any error nothing is left behind.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadSpec, parseSpec, prepareSpec, type PreparedSpec } from '../fits/spec.js';
import type { MergeError } from '../fits/errors.js';
import type { DpSpec } from '../fits/dpspec.types.js';
import type { SpecInput } from '../fits/run.js';
import { tempPath } from '../util/temp.js';
import { err, ok, type Result } from '../util/result.js';
import { sourcesJson, type AcqStatus, type SourceStatus } from './status.js';
import { unsafeId, writeJson, type Workspace } from './workspace.js';
import { isRemote } from './location.js';

export type QueueError = MergeError | { kind: 'unsafe-id' | 'duplicate' | 'io'; message: string };

async function prepare(input: SpecInput): Promise<Result<PreparedSpec, MergeError>> {
  if (typeof input === 'string') return loadSpec(input);
  if ('json' in input) return parseSpec(input.json, input.origin ?? '-');
  return prepareSpec(input.spec, input.origin ?? '(object)');
}

/** A file-name-safe piece of a name. */
const safePart = (s: string): string => s.replace(/[^-A-Za-z0-9_.]/g, '_').replace(/^\.+/, '_') || '_';

/** The sources to collect: every fitsFile source (and the target's), where each is read and kept. */
export function sourcesOf(spec: DpSpec, root: string): SourceStatus[] {
  const out: SourceStatus[] = [];
  const add = (index: string, sourceName: string, location: string): void => {
    if (out.some((s) => s.location === location)) return; // one copy serves every mention
    const origin = isRemote(location) ? location : path.resolve(root, location);
    const file = path.basename(isRemote(location) ? location.slice(location.indexOf(':') + 1) : location);
    out.push({ index, sourceName, location, origin, local: `sources/${index}_${safePart(sourceName)}_${safePart(file)}`, state: 'pending', attempts: 0 });
  };
  spec.sources.forEach((s, i) => {
    if (s.type === 'fitsFile') add(String(i), s.sourceName, s.location);
  });
  if (spec.target.source) add('target', spec.target.source.sourceName, spec.target.source.location);
  return out;
}

export async function queueSpec(ws: Workspace, input: SpecInput, root?: string): Promise<Result<AcqStatus, QueueError>> {
  const p = await prepare(input);
  if (!p.ok) return p;
  const spec = p.value.spec;
  const bad = unsafeId(spec.id);
  if (bad) return err({ kind: 'unsafe-id', message: `${p.value.origin}: /id: ${JSON.stringify(spec.id)} cannot be an acquisition id: ${bad}` });
  const badFile = unsafeId(spec.target.fileId);
  if (badFile) return err({ kind: 'unsafe-id', message: `${p.value.origin}: /target/fileId: ${JSON.stringify(spec.target.fileId)} cannot name a product file: ${badFile}` });
  const base = path.resolve(root ?? (typeof input === 'string' ? path.dirname(path.resolve(input)) : '.'));
  const now = new Date().toISOString();
  const sources = sourcesOf(spec, base);
  const status: AcqStatus = {
    id: spec.id, fileId: spec.target.fileId, state: 'Scheduled', error: false, alerts: [], sources,
    receivers: (spec.receivers ?? []).map((r) => ({ host: r.host, path: r.host === '' ? path.resolve(base, r.path) : r.path, state: 'pending' })),
    result: null, queued: now, updated: now, times: { Scheduled: now },
  };
  const dir = ws.inProgress(spec.id);
  // Built under a temporary name, renamed into place under the queue's lock: a directory under
  // its own name is always complete, and two queues of one id cannot both win.
  ws.ensure();
  const temp = tempPath(dir);
  try {
    mkdirSync(path.join(temp, 'sources'), { recursive: true });
    mkdirSync(path.join(temp, 'logs'));
    for (const [name, data] of [['specification.json', spec], ['sources.json', sourcesJson(sources)], ['status.json', status]] as const) {
      const w = writeJson(path.join(temp, name), data);
      if (!w.ok) throw new Error(w.error.message);
    }
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    return err({ kind: 'io', message: (e as Error).message });
  }
  const q = ws.updateQueue<QueueError>((queue) => {
    if (queue.includes(spec.id) || existsSync(dir) || existsSync(ws.archive(spec.id))) {
      return err({ kind: 'duplicate', message: `${p.value.origin}: /id: acquisition ${spec.id} is already ${existsSync(ws.archive(spec.id)) ? 'archived' : 'queued'}; give the new one another id` });
    }
    try {
      renameSync(temp, dir);
    } catch (e) {
      return err({ kind: 'io', message: `cannot create ${dir}: ${(e as Error).message}` });
    }
    return ok([...queue, spec.id]);
  });
  if (!q.ok) {
    rmSync(temp, { recursive: true, force: true });
    if (typeof q.error === 'string') {
      rmSync(dir, { recursive: true, force: true });
      return err({ kind: 'io', message: q.error });
    }
    return err(q.error);
  }
  return ok(status);
}

