// Temporary names of files written by a process and renamed into place when whole (dax's atomic
// writer, dax merge, the example tools), and the removal of those a killed process left. A name
// carries the host and pid of its writer: `.dax-tmp.<host>.<pid>.<name>`, so a later writer into
// the same directory can tell a dead writer's litter (same host, pid gone) from a live one's or
// another host's (a shared directory), which it never touches. A worker thread's name carries its
// thread too (`<pid>t<thread>`): dax runs its own tasks on threads, and one thread cannot see what
// another is writing, so it leaves every other thread's temporaries of its process alone.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readdirSync, unlinkSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { procStat } from './proc.js';

const PREFIX = '.dax-tmp.';
const NAME_MAX = 255; // bytes, ext4 and most others
const TEMP_RE = /^\.dax-tmp\.([^.]+)\.(\d+)(?:t(\d+))?\./;
/** This thread's tag after the pid: none on the main thread. */
const THREAD = threadId === 0 ? '' : `t${threadId}`;

// node:crypto only for the rare name that needs a hash: the no-op path writes through here.
const hash = (s: string, n: number): string =>
  (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(s).digest('hex').slice(0, n);

/** The host as it appears in a name: no '.', so the name splits unambiguously. */
export function hostTag(host = os.hostname()): string {
  const tag = host.replace(/[^A-Za-z0-9-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return tag.length <= 64 ? tag : `h${hash(host, 16)}`;
}

// Temporaries this process is writing now: never stale, whatever their pid says.
const live = new Set<string>();

/** The temporary file for `file`, beside it; a name over 255 bytes uses a hash of the file's. */
export function tempPath(file: string, host = hostTag(), pid = process.pid): string {
  const base = path.basename(file);
  const head = `${PREFIX}${host}.${pid}${pid === process.pid ? THREAD : ''}.`;
  const name = Buffer.byteLength(head + base) <= NAME_MAX ? head + base : `${head}${hash(base, 32)}`;
  return path.join(path.dirname(file), name);
}

/**
 * Marks a temporary as this process's own while it is written; returns the release, or null
 * when this process is writing it already (the same target, concurrently).
 */
export function claimTemp(temp: string): (() => void) | null {
  if (live.has(temp)) return null;
  live.add(temp);
  return () => void live.delete(temp);
}

/** The temporaries this process is writing now (for a signal handler to remove). */
export function liveTemps(): string[] {
  return [...live];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (killed, its parent gone and not yet reaped) writes nothing any more.
    return procStat(pid)?.state !== 'Z';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

/**
 * Removes the temporaries in `dir` left by dead writers of this host; returns their paths. A
 * file of this pid not being written now was left by an earlier process with the same pid.
 */
export function removeStaleTemps(dir: string, host = hostTag()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // the caller's own checks report a missing directory
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || m[1] !== host) continue;
    const pid = Number(m[2]);
    const file = path.join(dir, name);
    if (live.has(file) || (pid !== process.pid && alive(pid))) continue;
    // Another thread of this process may be writing it (a dead thread's litter waits for the
    // next process to clean it).
    if (pid === process.pid && (m[3] === undefined ? '' : `t${m[3]}`) !== THREAD) continue;
    try {
      unlinkSync(file);
      removed.push(file);
    } catch {
      // Gone already (another writer cleaned it), or not ours to remove: leave it.
    }
  }
  return removed;
}
