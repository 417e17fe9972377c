// The acquisitions' workspace on disk (see README, "Acquisitions"): its paths, and queue.json,
// which every writer rewrites atomically under queue.json.lock so concurrent `dax queue`,
// `dax abort` and releasing jobs all land.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, type AtomicWriteError } from '../util/atomic.js';
import { err, ok, type Result } from '../util/result.js';
import { withFileLock } from './lock.js';

/** An id usable as a directory name and a wildcard value. */
export const SAFE_ID = /^[-A-Za-z0-9_.:]+$/;

export function unsafeId(id: string): string | undefined {
  if (!SAFE_ID.test(id)) return 'only letters, digits and - _ . : are allowed (no path separators or control characters)';
  if (id === '.' || id === '..' || id.includes('..')) return '".." is not allowed';
  return undefined;
}

export class Workspace {
  constructor(readonly root: string) {}

  get queueFile(): string {
    return path.join(this.root, 'queue.json');
  }
  get incoming(): string {
    return path.join(this.root, 'incoming');
  }
  inProgress(id = ''): string {
    return path.join(this.root, 'in-progress', id);
  }
  archive(id = ''): string {
    return path.join(this.root, 'archive', id);
  }
  result(fileId = ''): string {
    return path.join(this.root, 'result', fileId === '' ? '' : `${fileId}.fits`);
  }
  /** The acquisition's directory: in progress, or archived once completed. */
  dirOf(id: string): string | undefined {
    if (unsafeId(id)) return undefined;
    for (const d of [this.inProgress(id), this.archive(id)]) if (existsSync(path.join(d, 'status.json'))) return d;
    return undefined;
  }

  /** Archived and no longer in progress: a release killed between its move and the queue's
   * update leaves such an id in queue.json; it is out of the domain, and the next update drops it. */
  archived(id: string): boolean {
    return !existsSync(this.inProgress(id)) && existsSync(path.join(this.archive(id), 'status.json'));
  }

  ensure(): void {
    for (const d of [this.inProgress(), this.archive(), this.result()]) mkdirSync(d, { recursive: true });
  }

  /** The queue, FIFO; a missing queue.json is an empty queue. */
  queue(): Result<string[], string> {
    let text: string;
    try {
      text = readFileSync(this.queueFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
      return err(`cannot read ${this.queueFile}: ${(e as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return err(`${this.queueFile}: invalid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(data) || !data.every((x) => typeof x === 'string')) return err(`${this.queueFile}: expected an array of acquisition ids`);
    return ok(data);
  }

  /** Read-modify-write of queue.json under its lock. `f` returns the new queue, or an error to write nothing. */
  updateQueue<E>(f: (q: string[]) => Result<string[], E>): Result<string[], E | string> {
    this.ensure();
    return withFileLock(this.queueFile, () => {
      const q = this.queue();
      if (!q.ok) return q;
      const next = f(q.value.filter((id) => !this.archived(id)));
      if (!next.ok) return next;
      const w = writeFileAtomic(this.queueFile, JSON.stringify(next.value, null, 1) + '\n');
      return w.ok ? next : err(w.error.message);
    });
  }
}

export function writeJson(file: string, data: unknown): Result<void, AtomicWriteError> {
  return writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n');
}
