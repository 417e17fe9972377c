// Atomic file replacement: write a temp beside the target, rename it into place. Readers see the
// old file or the whole new one, never a part. With `durable`, the data and the rename are on
// disk (fsync of the file, then of its directory) before the call returns.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { err, ok, type Result } from './result.js';
import { claimTemp, liveTemps, tempPath } from './temp.js';

export interface AtomicOptions {
  /** fsync the file before the rename and its directory after: survives a power loss. */
  durable?: boolean;
  /** Permission bits of a new file (the umask applies), as for fs.openSync. Default 0o666. */
  mode?: number;
}

/** A failed write, named by the target (not the temp), with the system's error code. */
export interface AtomicWriteError {
  path: string;
  code: string;
  errno: number | undefined;
  message: string;
}

function failure(file: string, e: unknown): AtomicWriteError {
  const x = e as NodeJS.ErrnoException;
  const code = x.code ?? 'EIO';
  const why = (x.message ?? String(e)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return { path: file, code, errno: x.errno, message: `cannot write ${file}: ${code}: ${why}` };
}

function removeTemp(temp: string, release?: () => void): void {
  release?.();
  rmSync(temp, { force: true });
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some file systems cannot fsync a directory; the rename itself has happened */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A temp file open for writing, to be committed (renamed into place) or aborted. */
export interface AtomicFile {
  /** The temp's path: for a writer that opens it by name (e.g. SQLite's VACUUM INTO). */
  readonly temp: string;
  readonly fd: number;
  /** Closes the temp and renames it into place (fsyncs first when durable). */
  commit(): Result<void, AtomicWriteError>;
  /** Closes and removes the temp; the target is untouched. */
  abort(): void;
}

/** Creates the (empty) temp for `file` and returns it open, for output written in pieces. */
export function openAtomic(file: string, opts: AtomicOptions = {}): Result<AtomicFile, AtomicWriteError> {
  const temp = tempPath(file);
  const release = claimTemp(temp);
  if (!release) return err({ path: file, code: 'EBUSY', errno: undefined, message: `cannot write ${file}: this process is writing it already` });
  let fd: number;
  try {
    fd = openSync(temp, 'w', opts.mode ?? 0o666);
  } catch (e) {
    removeTemp(temp, release);
    return err(failure(file, e));
  }
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return ok({
    temp,
    fd,
    commit(): Result<void, AtomicWriteError> {
      try {
        if (opts.durable) fsyncSync(fd);
        close();
        renameSync(temp, file);
        release();
      } catch (e) {
        try {
          close();
        } catch {
          /* the error that matters is the first */
        }
        removeTemp(temp, release);
        return err(failure(file, e));
      }
      if (opts.durable) syncDir(path.dirname(file));
      return ok(undefined);
    },
    abort(): void {
      try {
        close();
      } catch {
        /* removing it is what matters */
      }
      removeTemp(temp, release);
    },
  });
}

/** Replaces `file` with `data` atomically. On failure the temp is gone and `file` untouched. */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicOptions = {}): Result<void, AtomicWriteError> {
  const f = openAtomic(file, opts);
  if (!f.ok) return f;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let at = 0;
    while (at < bytes.length) at += writeSync(f.value.fd, bytes, at, bytes.length - at);
  } catch (e) {
    f.value.abort();
    return err(failure(file, e));
  }
  return f.value.commit();
}

let handlersInstalled = false;

/**
 * For a program whose default on SIGTERM/SIGINT would be to die at once: remove the temps of
 * unfinished atomic writes, then exit 128+signal as the signal would have. (A signal handler
 * runs between synchronous steps, so a temp is either whole and renamed or still pending.)
 */
export function cleanUpTempsOnSignals(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      for (const temp of liveTemps()) rmSync(temp, { force: true });
      process.exit(128 + os.constants.signals[sig]);
    });
  }
}
