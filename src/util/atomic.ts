// Atomic file replacement: write a temp beside the target, rename it into place. Readers see the
// old file or the whole new one, never a part. With `durable`, the data and the rename are on
// disk (fsync of the file, then of its directory) before the call returns.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { err, ok, type Result } from './result.js';

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

/** Temps not yet renamed or removed: what cleanUpTempsOnSignals removes. */
const pending = new Set<string>();

const NAME_MAX = 255;

/**
 * The temp beside `file`: `.<name>.<host>.<pid>.tmp`, hidden and recognisable, unique per process
 * and host (a state directory may be shared by several hosts). A name that would pass 255 bytes
 * uses a hash of the base name instead.
 */
export function tempPathFor(file: string): string {
  const host = os.hostname().replace(/[^A-Za-z0-9-]/g, '_').slice(0, 32);
  const base = path.basename(file);
  const suffix = `.${host}.${process.pid}.tmp`;
  const name = Buffer.byteLength(`.${base}${suffix}`) <= NAME_MAX ? base : nameHash(base);
  return path.join(path.dirname(file), `.${name}${suffix}`);
}

/** 64 bits of FNV-1a (two seeds) in hex: enough to tell names apart, and no crypto module to load
 * on the no-op path, which writes through here. */
function nameHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; ++i) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function failure(file: string, e: unknown): AtomicWriteError {
  const x = e as NodeJS.ErrnoException;
  const code = x.code ?? 'EIO';
  const why = (x.message ?? String(e)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return { path: file, code, errno: x.errno, message: `cannot write ${file}: ${code}: ${why}` };
}

function removeTemp(temp: string): void {
  pending.delete(temp);
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
  const temp = tempPathFor(file);
  let fd: number;
  try {
    pending.add(temp);
    fd = openSync(temp, 'w', opts.mode ?? 0o666);
  } catch (e) {
    removeTemp(temp);
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
        pending.delete(temp);
      } catch (e) {
        try {
          close();
        } catch {
          /* the error that matters is the first */
        }
        removeTemp(temp);
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
      removeTemp(temp);
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
      for (const temp of [...pending]) removeTemp(temp);
      process.exit(128 + os.constants.signals[sig]);
    });
  }
}
