// One run per project: .dax/lock holds {pid, host, start, heartbeat, run}. A holder that is dead
// (same host, no such process; or another host with a heartbeat older than STALE_MS) is taken over.
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempPathFor, writeFileAtomic } from '../util/atomic.js';
import { err, ok, type Result } from '../util/result.js';

export interface LockInfo {
  pid: number;
  host: string;
  start: number;
  heartbeat: number;
  run: string;
}

const HEARTBEAT_MS = 5_000;
const STALE_MS = 60_000;

export type LockFailure = { kind: 'held'; holder: LockInfo };

export class Lock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private info: LockInfo,
    /** The dead holder this lock was taken over from, if any. */
    readonly tookOverFrom: LockInfo | undefined,
  ) {}

  static path(stateDir: string): string {
    return path.join(stateDir, 'lock');
  }

  static read(stateDir: string): LockInfo | undefined {
    try {
      return parseLock(readFileSync(Lock.path(stateDir), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Whether the holder of a lock is still alive, as far as this host can tell. */
  static isAlive(info: LockInfo, now = Date.now()): boolean {
    // Not a process (kill(0) or kill(-1) would signal groups and always succeed).
    if (!Number.isInteger(info.pid) || info.pid <= 0) return false;
    if (info.host === os.hostname()) {
      try {
        process.kill(info.pid, 0);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    return now - info.heartbeat < STALE_MS;
  }

  static acquire(stateDir: string, run: string): Result<Lock, LockFailure> {
    mkdirSync(stateDir, { recursive: true });
    const file = Lock.path(stateDir);
    const now = Date.now();
    const info: LockInfo = { pid: process.pid, host: os.hostname(), start: now, heartbeat: now, run };
    let tookOver: LockInfo | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      // Written aside, then hard-linked into place: link fails if a lock exists, atomically.
      const mine = tempPathFor(file);
      writeFileSync(mine, JSON.stringify(info));
      try {
        linkSync(mine, file);
        unlinkSync(mine);
        const lock = new Lock(file, info, tookOver);
        lock.startHeartbeat();
        return ok(lock);
      } catch (e) {
        unlinkSync(mine);
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let raw: string;
      try {
        raw = readFileSync(file, 'utf8');
      } catch {
        continue; // it went away: try again
      }
      // A lock is written aside and then linked or renamed into place, so a live holder's lock
      // always reads back whole. One that does not (left empty by a power loss, say) holds nobody;
      // refusing to run on it would stop the project until someone deleted it by hand.
      const holder = parseLock(raw) ?? unreadableLock(file);
      if (Lock.isAlive(holder)) return err({ kind: 'held', holder });
      // Take over a dead holder's lock: move it aside, and make sure what moved is that lock
      // (not one another process took over in the meantime) before trying again.
      const aside = `${file}.dead.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      let moved: string | undefined;
      try {
        moved = readFileSync(aside, 'utf8');
      } catch {
        moved = undefined;
      }
      if (moved === raw) {
        unlinkSync(aside);
        tookOver = holder;
      } else {
        // We moved a live lock: put it back.
        try {
          linkSync(aside, file);
        } catch {
          /* someone else holds it now; the next round reads them */
        }
        unlinkSync(aside);
      }
    }
    const holder = Lock.read(stateDir);
    return err({ kind: 'held', holder: holder ?? info });
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      this.info = { ...this.info, heartbeat: Date.now() };
      // A missed heartbeat is harmless: the next one comes in 5 s, and staleness takes minutes.
      writeFileAtomic(this.file, JSON.stringify(this.info));
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      const cur = JSON.parse(readFileSync(this.file, 'utf8')) as LockInfo;
      if (cur.pid === this.info.pid && cur.start === this.info.start) unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as LockInfo;
    if (v === null || typeof v !== 'object') return undefined;
    const whole = typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.run === 'string' && Number.isFinite(v.start) && Number.isFinite(v.heartbeat);
    return whole ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Stands for the holder of a lock file that does not read back: nobody alive. */
function unreadableLock(file: string): LockInfo {
  const t = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return { pid: 0, host: os.hostname(), start: t, heartbeat: t, run: 'unknown (the lock file was unreadable)' };
}

export function describeHolder(h: LockInfo): string {
  return `pid ${h.pid} on ${h.host}, run ${h.run}, started ${new Date(h.start).toISOString()}, last heartbeat ${new Date(h.heartbeat).toISOString()}`;
}
