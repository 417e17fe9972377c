// The Slurm client commands dax runs (sbatch, squeue, scancel), with the worker's environment
// (SLURM_CONF and the like pass through from dax's own). A controller that is busy or briefly
// away is a transient failure: retried with backoff, never taken as the job's own.
import { execFile } from 'node:child_process';
import { err, ok, type Result } from '../../util/result.js';

export interface CommandFailure {
  message: string;
  /** The controller may answer a moment later: worth another try. */
  transient: boolean;
  /** The program is not there at all. */
  missing: boolean;
}

/** What slurmctld says when it is busy, restarting or unreachable. */
const TRANSIENT = /Socket timed out|Unable to contact slurm controller|temporarily unavailable|Resource temporarily|try again|Connection refused|Connection reset|Zero Bytes were transmitted|Transport endpoint|slurm_load_jobs error|Slurm temporarily unable/i;

const MAX_BUFFER = 256 * 1024 * 1024;

export function runSlurm(program: string, args: string[], env: Record<string, string>, input?: string): Promise<Result<string, CommandFailure>> {
  return new Promise((resolve) => {
    const child = execFile(program, args, { env: { ...process.env, ...env }, maxBuffer: MAX_BUFFER, encoding: 'utf8' }, (e, stdout, stderr) => {
      if (!e) return resolve(ok(stdout));
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolve(err({ message: `${program} not found (is the Slurm client installed and on PATH?)`, transient: false, missing: true }));
      const said = (stderr || e.message).trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join('; ');
      resolve(err({ message: `${program} failed: ${said || `exit ${String(code)}`}`, transient: TRANSIENT.test(said), missing: false }));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000, 15000, 30000];

/** runSlurm, retrying transient failures with backoff (about a minute in all). `before` runs
 * before each retry and may settle the matter (an sbatch whose answer was lost may have
 * submitted the job: look before submitting again). */
export async function runSlurmRetrying(
  program: string,
  args: string[],
  env: Record<string, string>,
  before?: () => Promise<Result<string, CommandFailure> | undefined>,
): Promise<Result<string, CommandFailure>> {
  let r = await runSlurm(program, args, env);
  for (const wait of BACKOFF_MS) {
    if (r.ok || !r.error.transient) return r;
    await new Promise((res) => setTimeout(res, wait));
    const settled = await before?.();
    if (settled) return settled;
    r = await runSlurm(program, args, env);
  }
  return r;
}
