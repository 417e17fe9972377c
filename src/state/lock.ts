// One run per project: .dax/lock holds {pid, host, start, heartbeat, run, procStart, bootId}.
// A holder that is dead is taken over. On this host a pid alone is not proof of life: after a
// reboot or a container restart the dead run's pid may belong to an unrelated process, so the
// holder is alive only when the boot id, the pid, and the process's start time all still match
// (and it is not a zombie). On another host only the heartbeat can tell: older than STALE_MS is dead.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { tempPath } from '../util/temp.js';
import { bootId, procStat } from '../util/proc.js';
import { err, ok, type Result } from '../util/result.js';

export interface LockInfo {
  pid: number;
  host: string;
  start: number;
  heartbeat: number;
  run: string;
  /** The holder's start time in clock ticks since boot (/proc/PID/stat field 22). Absent in
   * locks written before dax recorded it, and where there is no /proc. */
  procStart?: number;
  /** /proc/sys/kernel/random/boot_id of the holder's boot. Absent as procStart is. */
  bootId?: string;
}

const HEARTBEAT_MS = 5_000;
/** Another host's holder whose heartbeat is older than this is dead. */
const STALE_MS = 60_000;
/** A holder on this host whose heartbeat is older than this is dead even if its pid lives (an
 * old-format lock, or no /proc to check the start time): heartbeats come every 5 s, so 10
 * minutes without one means the process is not dax's, or is hung. A holder whose start time
 * matches and that is stopped (Ctrl-Z, SIGSTOP) is the exception: it goes on when continued. */
const LOCAL_STALE_MS = 10 * 60_000;

export type LockFailure =
  | { kind: 'held'; holder: LockInfo }
  /** The lock cannot be written (a full disk, a read-only .dax/): nothing was run or written. */
  | { kind: 'io'; path: string; message: string };

function ioFailure(file: string, e: unknown): { ok: false; error: LockFailure } {
  const x = e as NodeJS.ErrnoException;
  return err({ kind: 'io', path: file, message: `${x.code ?? 'error'}: ${(x.message ?? String(e)).replace(/^[A-Z]+: /, '')}` });
}

export class Lock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private info: LockInfo,
    /** The dead holder this lock was taken over from, if any. */
    readonly tookOverFrom: LockInfo | undefined,
    /** Why that holder counts as dead (deathOf), e.g. "pid 123 now belongs to another process". */
    readonly tookOverWhy: string | undefined,
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
    return deathOf(info, now) === undefined;
  }

  static acquire(stateDir: string, run: string): Result<Lock, LockFailure> {
    const file = Lock.path(stateDir);
    try {
      mkdirSync(stateDir, { recursive: true });
    } catch (e) {
      return ioFailure(stateDir, e);
    }
    const now = Date.now();
    const info: LockInfo = { pid: process.pid, host: os.hostname(), start: now, heartbeat: now, run, ...selfIdentity() };
    let tookOver: LockInfo | undefined;
    let why: string | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      // Written aside, then hard-linked into place: link fails if a lock exists, atomically.
      const mine = tempPath(file);
      try {
        writeFileSync(mine, JSON.stringify(info));
      } catch (e) {
        rmSync(mine, { force: true });
        return ioFailure(file, e);
      }
      try {
        linkSync(mine, file);
        unlinkSync(mine);
        const lock = new Lock(file, info, tookOver, why);
        lock.startHeartbeat();
        return ok(lock);
      } catch (e) {
        unlinkSync(mine);
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return ioFailure(file, e);
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
      const death = deathOf(holder);
      if (death === undefined) return err({ kind: 'held', holder });
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
        why = death;
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

/** Why the holder of a lock is dead, or undefined when it is (as far as can be told) alive. */
export function deathOf(info: LockInfo, now = Date.now()): string | undefined {
  // Not a process (kill(0) or kill(-1) would signal groups and always succeed).
  if (!Number.isInteger(info.pid) || info.pid <= 0) return 'no holder';
  const age = now - info.heartbeat;
  if (info.host !== os.hostname()) return age < STALE_MS ? undefined : `no heartbeat for ${Math.round(age / 1000)} s`;
  const boot = bootId();
  if (info.bootId !== undefined && boot !== undefined && info.bootId !== boot) return 'the machine has rebooted since';
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'no such process';
  }
  const stat = procStat(info.pid);
  if (stat?.state === 'Z') return 'the process has exited';
  const same = stat !== undefined && info.procStart !== undefined && stat.startTime === info.procStart;
  if (stat !== undefined && info.procStart !== undefined && !same) return `pid ${info.pid} now belongs to another process`;
  if (same && (stat.state === 'T' || stat.state === 't')) return undefined;
  return age < LOCAL_STALE_MS ? undefined : `no heartbeat for ${Math.round(age / 60_000)} minutes`;
}

/** This process's start time and boot, for the lock it writes (nothing where /proc is absent). */
function selfIdentity(): Pick<LockInfo, 'procStart' | 'bootId'> {
  const stat = procStat(process.pid);
  const boot = bootId();
  return stat && boot ? { procStart: stat.startTime, bootId: boot } : {};
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as LockInfo;
    if (v === null || typeof v !== 'object') return undefined;
    const whole = typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.run === 'string' && Number.isFinite(v.start) && Number.isFinite(v.heartbeat);
    if (!whole) return undefined;
    const { pid, host, start, heartbeat, run, procStart, bootId } = v;
    // The identity fields are optional (older locks lack them); a damaged one counts as absent.
    return { pid, host, start, heartbeat, run, ...(Number.isFinite(procStart) ? { procStart } : {}), ...(typeof bootId === 'string' ? { bootId } : {}) };
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
