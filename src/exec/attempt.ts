// One attempt of a job, before and after its worker runs it. prepare: clean what an earlier
// attempt left, directories, temporary output names, the command, its environment and log.
// finish: publish the outputs (temporary name -> output), check them, fingerprint inputs and
// outputs, and write the attempt's end to the journal.
import { mkdirSync, rename as renameCb, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import type { LimitFunction } from 'p-limit';
import type { Job } from '../graph/job.js';
import { STREAMED_ABOVE, type Files } from '../state/files.js';
import type { Journal } from '../state/journal.js';
import type { InputPrint, OutputPrint, StartRecord } from '../state/records.js';
import type { OutputCheck, Reason } from '../state/staleness.js';
import { err, ok, type Result } from '../util/result.js';
import type { AttemptResult, JobSpec } from './executor.js';

export type Outcome = { status: 'ok' } | { status: 'failed'; why: string } | { status: 'incomplete'; why: string };

export interface AttemptContext {
  runId: string;
  projectDir: string;
  stateDir: string;
  files: Files;
  journal: Journal;
  checks: Map<string, OutputCheck>;
}

/** Large inputs are hashed by streaming; this many at once, so a job reading 100,000 files does
 * not open them all together. */
const HASH_CONCURRENCY = 16;

/** node:fs's rename as a promise (node:fs/promises costs a few ms to load at start-up). */
const rename = promisify(renameCb);

export class Attempts {
  private readonly madeDirs = new Set<string>();
  /** Loaded with the first large input: most builds never need it, and start sooner without. */
  private hashLimit: LimitFunction | undefined;

  /** Where job logs go, project-relative. */
  private readonly logsDir: string;

  constructor(private readonly c: AttemptContext) {
    this.logsDir = path.relative(c.projectDir, path.join(c.stateDir, 'logs'));
  }

  /** The job's log, project-relative: .dax/logs/<rule>/<values>.log */
  logPath(job: Job): string {
    const name = job.rule.wildcards.length === 0 ? '_' : job.rule.wildcards.map((w) => encodeURIComponent(job.values[w]!)).join(',');
    const safe = name.length > 180 ? name.slice(0, 120) + '~' + Buffer.from(name).toString('base64url').slice(-40) : name;
    return `${this.logsDir}/${encodeURIComponent(job.rule.name)}/${safe}.log`;
  }


  /** The temporary name an attempt writes an output under, beside the output. */
  tempName(out: string, attempt: number, runId = this.c.runId): string {
    const dir = path.posix.dirname(out);
    const t = `.dax-tmp.${runId}.${attempt}.${path.posix.basename(out)}`;
    return dir === '.' ? t : `${dir}/${t}`;
  }

  /** The job's spec for a worker. `runId`/`attempt` name the attempt (an earlier run's, when
   * re-attaching). Renders only; touches no file. */
  spec(job: Job, attempt: number, runId = this.c.runId): JobSpec {
    const cwd = job.rule.cwd ? path.posix.normalize(job.rule.cwd.render(job.values)) : '.';
    const rel = (p: string): string => (cwd === '.' ? p : path.relative(path.join(this.c.projectDir, cwd), path.join(this.c.projectDir, p)));
    const temps = job.outputs.map((o) => this.tempName(o, attempt, runId));
    const cmd = job.rule.renderCommand(job.values, job.inputs.map(rel), temps.map(rel));
    const env = job.rule.renderEnv(job.values, job.inputs.map(rel), temps.map(rel));
    env['DAX_JOB'] = job.id;
    env['DAX_RULE'] = job.rule.name;
    env['DAX_ATTEMPT'] = String(attempt);
    env['DAX_RUN'] = runId;
    const timeout = job.rule.spec.timeout;
    return {
      job: job.id,
      rule: job.rule.name,
      run: runId,
      attempt,
      argv: cmd?.argv ?? [],
      cwd,
      env,
      inputs: job.inputs,
      outputs: job.outputs,
      temps,
      log: this.logPath(job),
      appendLog: attempt > 1,
      ...(timeout && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
    };
  }

  /** Gets the file system ready for the attempt. `earlier`: the job's last start before this
   * attempt's (whose temporary outputs a crash may have left). A failure (a file where a
   * directory must be, a full disk) is the job's failure, with the path and the reason. */
  prepare(job: Job, spec: JobSpec, reason: Reason | undefined, earlier: StartRecord | undefined): Result<void, string> {
    const { files } = this.c;
    if (spec.attempt === 1 && reason && (reason.kind === 'incomplete' || reason.kind === 'check' || reason.kind === 'failed')) {
      // What an unfinished or failed attempt left is not to be trusted or built upon.
      for (const out of job.outputs) removePath(files.abs(out));
      // An attempt cut short by a crash (kill -9, power) left its temporary outputs: remove them,
      // or every crash leaves half-written files behind for good.
      if (reason.kind === 'incomplete' && earlier) for (const out of job.outputs) removePath(files.abs(this.tempName(out, earlier.a, earlier.r)));
    }
    for (const sup of job.rule.supersedes) removePath(files.abs(sup.render(job.values)));
    const made = this.mkdirFor(spec.log, 'its log') ?? job.outputs.map((o) => this.mkdirFor(o, o)).find((e) => e !== undefined);
    if (made) return err(made);
    if (spec.cwd !== '.') {
      const e = this.mkdir(spec.cwd, `its working directory ${spec.cwd}`);
      if (e) return err(e);
    }
    return ok(undefined);
  }

  private mkdirFor(file: string, what: string): string | undefined {
    const dir = path.posix.dirname(file);
    if (this.madeDirs.has(dir)) return undefined;
    return this.mkdir(dir, `the directory of ${what}`);
  }

  private mkdir(dir: string, what: string): string | undefined {
    try {
      mkdirSync(this.c.files.abs(dir), { recursive: true });
      this.madeDirs.add(dir);
      return undefined;
    } catch (e) {
      return `cannot create ${what}: ${describeFsError(e, dir, this.c.files)}`;
    }
  }

  /** How the attempt ended, given its worker's result. `started`: when it began running. */
  async outcome(job: Job, spec: JobSpec, res: AttemptResult, started: number, ctx: { interrupted: boolean; timedOut: boolean }): Promise<Outcome> {
    if (ctx.interrupted && !(res.kind === 'exited' && res.code === 0)) return { status: 'incomplete', why: 'stopped by a signal to dax' };
    if (ctx.timedOut) return { status: 'failed', why: `timed out after ${job.rule.spec.timeout}s` };
    switch (res.kind) {
      case 'exited':
        return res.code === 0 ? this.publish(job, spec, started, res.published === true) : { status: 'failed', why: `exit code ${res.code}` };
      case 'signaled':
        return { status: 'failed', why: `killed by ${res.signal}` };
      case 'spawn-error':
        return { status: 'failed', why: `could not start: ${res.message}` };
      case 'lost':
        return { status: 'incomplete', why: res.why };
    }
  }

  /** Records the attempt's end; after a failure, removes what it left. */
  async record(job: Job, spec: JobSpec, outcome: Outcome, res: AttemptResult, started: number, worker: string): Promise<void> {
    const { files } = this.c;
    let inputs: InputPrint[] = [];
    let outputs: OutputPrint[] = [];
    if (outcome.status === 'ok') {
      inputs = await Promise.all(
        job.inputs.map(async (p): Promise<InputPrint> => {
          const s = files.stat(p);
          const h = s && s.size > STREAMED_ABOVE ? await this.hashLarge(p) : files.hashSync(p);
          return [p, s?.size ?? -1, s?.mtimeMs ?? 0, h ?? ''];
        }),
      );
      outputs = job.outputs.map((p) => {
        const s = files.stat(p);
        return [p, s?.size ?? -1, s?.mtimeMs ?? 0];
      });
    } else {
      for (const t of spec.temps) removePath(files.abs(t));
      if (outcome.status === 'failed') for (const out of job.outputs) removePath(files.abs(out));
      for (const out of job.outputs) files.forget(out);
    }
    const exit = res.kind === 'exited' ? res.code : null;
    const sig = res.kind === 'signaled' ? res.signal : undefined;
    // Lost in a crash, an end only makes the job run again: it is written with the next record.
    this.c.journal.appendSoon({
      t: 'end', j: job.id, r: spec.run, a: spec.attempt, b: started, ts: Date.now(),
      s: outcome.status, x: exit, ...(sig ? { sig } : {}), ...(outcome.status !== 'ok' ? { why: outcome.why } : {}),
      c: job.rule.commandHash(job.values, job.inputs, job.outputs), i: inputs, o: outputs, w: worker,
    });
  }

  private async hashLarge(p: string): Promise<string | undefined> {
    this.hashLimit ??= (await import('p-limit')).default(HASH_CONCURRENCY);
    return this.hashLimit(() => this.c.files.hash(p));
  }

  /** Moves each output from its temporary name into place, once the command succeeded. */
  private async publish(job: Job, spec: JobSpec, started: number, published: boolean): Promise<Outcome> {
    const { files } = this.c;
    // The worker moved every output into place already.
    if (published) for (const out of job.outputs) files.forget(out);
    for (let i = 0; i < job.outputs.length && !published; i++) {
      const out = job.outputs[i]!;
      const temp = spec.temps[i]!;
      files.forget(out);
      try {
        try {
          // Off the main thread: thousands of jobs a second each publish their outputs.
          await rename(files.abs(temp), files.abs(out));
        } catch (e) {
          // A directory output (or a file replacing a directory): rename cannot replace a
          // non-empty directory, so the previous build's goes first.
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
          removePath(files.abs(out));
          await rename(files.abs(temp), files.abs(out));
        }
        continue;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { status: 'failed', why: `cannot move ${temp} to ${out}: ${describeFsError(e, out, files)}` };
      }
      // The command wrote the output under its own name (it did not use {output}).
      const s = statSync(files.abs(out), { throwIfNoEntry: false });
      if (!s) return { status: 'failed', why: `the command succeeded but did not write ${out}` };
      if (s.mtimeMs < started - 1000 && !s.isDirectory()) return { status: 'failed', why: `the command succeeded but did not write ${out} (it is older than the job)` };
    }
    const check = job.rule.spec.extra['check'];
    if (typeof check === 'string') {
      const fn = this.c.checks.get(check);
      for (const out of job.outputs) {
        const problem = fn?.(files.abs(out));
        if (problem) return { status: 'failed', why: `output ${out} fails check '${check}': ${problem}` };
      }
    }
    return { status: 'ok' };
  }
}

/** A file system error in a user's terms: the errno's meaning and the path it concerns. A path
 * whose parent is a file names that file. */
export function describeFsError(e: unknown, rel: string, files: Files): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    // Walk up to the part of the path that exists and is not a directory.
    for (let p = rel; p !== '.' && p !== '/' && p !== ''; p = path.posix.dirname(p)) {
      const s = statSync(files.abs(p), { throwIfNoEntry: false });
      if (s && !s.isDirectory()) return `${p} is a file, not a directory (${code})`;
    }
  }
  const what: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENAMETOOLONG: 'file name too long',
    EMFILE: 'too many open files',
  };
  return `${code && what[code] ? what[code] : (e as Error).message} (${code ?? 'error'}, ${rel})`;
}

function removePath(abs: string): void {
  try {
    rmSync(abs, { recursive: true, force: true });
  } catch {
    /* best effort: a leftover is caught by the journal next time */
  }
}
