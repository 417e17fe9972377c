// A small exclusive lock file for read-modify-write of the workspace's shared files (queue.json,
// an acquisition's status.json): O_EXCL create with our pid; a holder that died is taken over.
// Waits are short (the holders only rewrite a small JSON file), so waiting is synchronous.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

const WAIT_MS = 5;
const GIVE_UP_MS = 30_000;
const EMPTY_STALE_MS = 2_000;
const nap = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `f` holding `<file>.lock`; throws only when the lock cannot be had (a bug or a stuck holder). */
export function withFileLock<T>(file: string, f: () => T): T {
  const lock = `${file}.lock`;
  const start = Date.now();
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      let age = 0;
      try {
        holder = Number(readFileSync(lock, 'utf8'));
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        /* released meanwhile */
      }
      // An empty file is a holder between create and write: wait for it, unless it is old (a
      // holder killed right after creating it, kill -9 of a step, never writes its pid).
      const dead = Number.isInteger(holder) && holder > 0 ? !alive(holder) : age > EMPTY_STALE_MS;
      if (dead) {
        try {
          unlinkSync(lock);
        } catch {
          /* another waiter took it over first */
        }
        continue;
      }
      if (Date.now() - start > GIVE_UP_MS) throw new Error(`cannot lock ${file}: ${lock} is held by pid ${holder}`);
      Atomics.wait(nap, 0, 0, WAIT_MS);
      continue;
    }
    closeSync(fd);
    try {
      return f();
    } finally {
      unlinkSync(lock);
    }
  }
}
