// Files between the project and a worker without a shared file system, by rsync through the
// worker's master connection. Inputs go to the worker's store (rsync's quick check, size and
// mtime, skips what it holds already); outputs come back to their temporary names (rsync
// writes each under a name of its own and renames it, so none is seen half-written).
import { shellQuote } from '../../graph/quote.js';
import { err, ok, type Result } from '../../util/result.js';
import type { SshConnection } from './connection.js';

export async function pushInputs(conn: SshConnection, projectDir: string, inputs: string[], store: string): Promise<Result<void, string>> {
  if (inputs.length === 0) return ok(undefined);
  // The store's directory is made on the way (rsync needs the destination's parent; --mkpath is too new).
  return conn.rsync(['-rlt', '--files-from=-', '--from0', `--rsync-path=mkdir -p ${shellQuote(store)} && rsync`, `${projectDir}/`, `${conn.destination}:${store}/`], inputs.join('\0'));
}

/** A line of the host's record of an output: `SIZE HASH`, `-` for what it does not know. */
export function outputRecord(line: string): { size: number; hash: string } {
  const [size, hash] = line.split(' ');
  return { size: size === undefined || size === '-' ? -1 : Number(size), hash: hash ?? '-' };
}

/** Copies the temporaries back (and `extra` files of the attempt's directory, in the same copy)
 * and returns the size and hash the host recorded of each temporary (as the launch printed
 * them, else read from the attempt's record). */
export async function pullOutputs(conn: SshConnection, projectDir: string, dir: string, temps: string[], printed: Array<{ size: number; hash: string }>, extra: string[] = []): Promise<Result<Array<{ size: number; hash: string }>, string>> {
  let recorded = printed;
  if (temps.length > 0 && recorded.length < temps.length) {
    const m = await conn.run(`cat ${shellQuote(`${dir}.outputs`)}\n`);
    if (!m.ok) return m;
    if (m.value.code !== 0) return err(`no record of the outputs in ${dir} (${m.value.stderr.trim()})`);
    recorded = m.value.stdout.split('\n').filter((l) => l !== '').map(outputRecord);
  }
  const files = [...temps, ...extra];
  if (files.length === 0) return ok(recorded);
  const r = await conn.rsync(['-rlt', '--files-from=-', '--from0', `${conn.destination}:${dir}/`, `${projectDir}/`], files.join('\0'));
  return r.ok ? ok(recorded) : r;
}
