// The merger's temporary output names, and the removal of those a killed merge left behind.
// A name carries the host and pid of the process writing it: `.dax-tmp.<host>.<pid>.<name>`, so
// a later merge into the same directory can tell a dead writer's litter (same host, pid gone)
// from a live merge's file or another host's (a shared directory), which it never touches.
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';

const PREFIX = '.dax-tmp.';
const NAME_MAX = 255; // bytes, ext4 and most others
const TEMP_RE = /^\.dax-tmp\.([^.]+)\.(\d+)\./;

const hash = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The host as it appears in a name: no '.', so the name splits unambiguously. */
export function hostTag(host = os.hostname()): string {
  const tag = host.replace(/[^A-Za-z0-9-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return tag.length <= 64 ? tag : `h${hash(host, 16)}`;
}

// Temporaries this process is writing now: never stale, whatever their pid says.
const live = new Set<string>();

/** The temporary file for `outfile`, beside it; a name over 255 bytes uses a hash of the output's. */
export function tempPath(outfile: string, host = hostTag(), pid = process.pid): string {
  const base = path.basename(outfile);
  const head = `${PREFIX}${host}.${pid}.`;
  const name = Buffer.byteLength(head + base) <= NAME_MAX ? head + base : `${head}${hash(base, 32)}`;
  return path.join(path.dirname(outfile), name);
}

/**
 * Marks a temporary as this process's own while it is written; returns the release, or null
 * when another merge of this process is writing it (the same output, concurrently).
 */
export function claimTemp(temp: string): (() => void) | null {
  if (live.has(temp)) return null;
  live.add(temp);
  return () => void live.delete(temp);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

/**
 * Removes the temporaries in `dir` left by dead merges of this host; returns their paths. A
 * file of this pid not being written now was left by an earlier process with the same pid.
 */
export async function removeStaleTemps(dir: string, host = hostTag()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // the output directory's own check reports it
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || m[1] !== host) continue;
    const pid = Number(m[2]);
    const file = path.join(dir, name);
    if (live.has(file) || (pid !== process.pid && alive(pid))) continue;
    try {
      await unlink(file);
      removed.push(file);
    } catch {
      // Gone already (another merge cleaned it), or not ours to remove: leave it.
    }
  }
  return removed;
}
