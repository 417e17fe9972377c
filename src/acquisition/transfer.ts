// Moving files in and out of the workspace: a local file by hard link (else a copy), a remote
// `host:path` by rsync over the system's ssh (the user's ssh config and known_hosts; host keys
// checked, never asked). Every file appears under its final name only when whole: it is made
// under a temporary name beside it (util/temp.ts names, swept after a crash) and renamed.
import { copyFileSync, linkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tempPath } from '../util/temp.js';
import { err, ok, type Result } from '../util/result.js';

const SSH = 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes';

/** The ssh command rsync runs: DAX_SSH_CONFIG names an ssh_config to use instead of the user's
 * (as for dax's SSH workers). */
function sshCommand(): string {
  const cfg = process.env['DAX_SSH_CONFIG'];
  return cfg ? `${SSH} -F '${cfg.replace(/'/g, "'\\''")}'` : SSH;
}

function why(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  return x.code ? `${x.code}: ${x.message.replace(/^[A-Z]+: /, '')}` : String(e);
}

/** Runs rsync; its output goes to `log` lines. */
export function rsync(args: string[], log: (line: string) => void, signal?: AbortSignal): Promise<Result<void, string>> {
  return new Promise((resolve) => {
    const child = spawn('rsync', ['-e', sshCommand(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let tail = '';
    const take = (b: Buffer): void => {
      const t = b.toString();
      tail = (tail + t).slice(-2000);
      for (const l of t.split('\n')) if (l.trim() !== '') log(l);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e) => resolve(err(`rsync: ${why(e)}`)));
    child.on('close', (code, sig) => resolve(code === 0 ? ok(undefined) : err(`rsync ${args.join(' ')} failed (${sig ?? `exit ${code}`}): ${tail.trim().split('\n').slice(-3).join('; ')}`)));
  });
}

export type LocalMethod = 'hardlink' | 'symlink' | 'copy';

/** Puts `from` at `to` atomically: a hard link, else (when allowed) a symlink, else a copy. */
export function placeLocal(from: string, to: string, methods: readonly LocalMethod[]): Result<LocalMethod, string> {
  const temp = tempPath(to);
  let last = '';
  for (const m of methods) {
    try {
      rmSync(temp, { force: true });
      if (m === 'hardlink') linkSync(from, temp);
      else if (m === 'symlink') symlinkSync(from, temp);
      else copyFileSync(from, temp);
      renameSync(temp, to);
      // rename() of a hard link onto another link of the same file does nothing (POSIX): a
      // delivery repeated after a crash would leave the temporary behind.
      rmSync(temp, { force: true });
      return ok(m);
    } catch (e) {
      last = why(e);
      rmSync(temp, { force: true });
      // A missing source or an unwritable directory will not get better with another method.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR') break;
    }
  }
  return err(`cannot place ${from} at ${to}: ${last}`);
}

/** Fetches `host:path` to `to` by rsync into a temporary name, then renames it. */
export async function fetchRemote(location: string, to: string, log: (line: string) => void, signal?: AbortSignal): Promise<Result<void, string>> {
  const temp = tempPath(to);
  const r = await rsync(['--times', location, temp], log, signal);
  if (!r.ok) {
    rmSync(temp, { force: true });
    return r;
  }
  try {
    renameSync(temp, to);
  } catch (e) {
    rmSync(temp, { force: true });
    return err(`cannot rename into ${to}: ${why(e)}`);
  }
  return ok(undefined);
}
