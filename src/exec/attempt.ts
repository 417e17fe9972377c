// One attempt of a job, before and after its worker runs it. prepare: clean what an earlier
// attempt left, directories, temporary output names, the command, its environment and log.
// finish: publish the outputs (temporary name -> output), check them, fingerprint inputs and
// outputs, and write the attempt's end to the journal.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, rename as renameCb, rmSync, statSync, statfsSync, symlinkSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import type { LimitFunction } from 'p-limit';
import type { Job } from '../graph/job.js';
import { STREAMED_ABOVE, type Files } from '../state/files.js';
import type { Journal } from '../state/journal.js';
import type { InputPrint, OutputPrint, StartRecord } from '../state/records.js';
import type { OutputCheck, Reason } from '../state/staleness.js';
import { err, ok, type Result } from '../util/result.js';
import { removeStaleTemps } from '../util/temp.js';
import type { AttemptResult, JobSpec } from './executor.js';
import { logHeader, tail, writeHeaderLog } from './logtail.js';

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

/** Free space below which a job's empty log is taken as lost to a full disk. */
const LOW_SPACE = 64 * 1024;

/** The longest file name (bytes) Linux file systems take. */
const NAME_MAX = 255;

/** node:fs's rename as a promise (node:fs/promises costs a few ms to load at start-up). */
const rename = promisify(renameCb);

export class Attempts {
  private readonly madeDirs = new Set<string>();
  /** dax temporaries found in a directory when the run first wrote there. */
  private readonly listings = new Map<string, string[]>();
  /** The project's top-level entries, for job directories. */
  private topLevel: string[] | undefined;
  /** Loaded with the first large input: most builds never need it, and start sooner without. */
  private hashLimit: LimitFunction | undefined;

  /** Where job logs go, project-relative. */
  private readonly logsDir: string;

  constructor(private readonly c: AttemptContext) {
    this.logsDir = path.relative(c.projectDir, path.join(c.stateDir, 'logs'));
  }

  /** The job's log, project-relative: .dax/logs/<rule>/<values>.log */
  logPath(job: Job): string {
    return jobLogPath(this.logsDir, job);
  }

  /** The temporary name an attempt writes an output under, beside the output. */
  tempName(out: string, attempt: number, runId = this.c.runId): string {
    const dir = path.posix.dirname(out);
    const base = path.posix.basename(out);
    let t = `.dax-tmp.${runId}.${attempt}.${base}`;
    // A legal name near the 255-byte limit would not be with the prefix: hash it instead.
    if (Buffer.byteLength(t) > NAME_MAX) t = `.dax-tmp.${runId}.${attempt}.~${hashName(base)}`;
    return dir === '.' ? t : `${dir}/${t}`;
  }

  /** The job's spec for a worker. `runId`/`attempt` name the attempt (an earlier run's, when
   * re-attaching). `lazyLog`: the worker writes the log's header itself (Worker.lazyLog).
   * Renders only; touches no file. */
  spec(job: Job, attempt: number, runId = this.c.runId, lazyLog = false): JobSpec {
    const jobDir = job.rule.atomicOutputs ? this.jobDir(job, attempt, runId) : undefined;
    const cwd = jobDir ?? (job.rule.cwd ? path.posix.normalize(job.rule.cwd.render(job.values)) : '.');
    const rel = (p: string): string => path.relative(path.join(this.c.projectDir, cwd), path.join(this.c.projectDir, p));
    // In a job directory the command writes its outputs under their own names, there.
    const temps = job.outputs.map((o) => (jobDir ? `${jobDir}/${o}` : this.tempName(o, attempt, runId)));
    const ins = cwd === '.' ? job.inputs : job.inputs.map(rel);
    const outs = cwd === '.' ? temps : temps.map(rel);
    const cmd = job.rule.renderCommand(job.values, ins, outs);
    const env = job.rule.renderEnv(job.values, ins, outs);
    const id = job.id; // made on each call: the graph does not hold names
    env['DAX_JOB'] = id;
    env['DAX_RULE'] = job.rule.name;
    env['DAX_ATTEMPT'] = String(attempt);
    env['DAX_RUN'] = runId;
    const timeout = job.rule.spec.timeout;
    const last = this.c.journal.jobs.get(id)?.lastEnd;
    // Retries stay eager: a retry that prints nothing must not leave the last attempt's lines
    // looking like its own.
    const lazy = lazyLog && attempt === 1 && cmd !== undefined;
    return {
      job: id,
      rule: job.rule.name,
      run: runId,
      attempt,
      argv: cmd?.argv ?? [],
      ...(cmd?.task !== undefined ? { task: cmd.task } : {}),
      cwd,
      env,
      inputs: job.inputs,
      outputs: job.outputs,
      temps,
      log: this.logPath(job),
      // A first attempt starts the log anew: a worker that can writes the header itself, when
      // the job first writes something. Otherwise prepare() writes it and the worker appends.
      ...(lazy ? { appendLog: false, logHeader: logHeader(attempt, job.rule.spec.retries + 1, runId, Date.now(), cmd.display) } : { appendLog: true }),
      ...(cmd ? { command: cmd.display } : {}),
      ...(timeout && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
      ...(last?.s === 'ok' && last.ts >= last.b ? { lastMs: last.ts - last.b } : {}),
      ...(job.rule.check !== undefined ? { hashOutputs: true } : {}),
    };
  }

  /** The directory an `outputs: atomic` attempt runs in: .dax/jobs/<rule>/<values>.<run>.<attempt> */
  jobDir(job: Job, attempt: number, runId = this.c.runId): string {
    return `${path.posix.dirname(this.logPath(job)).replace(/^\.dax\/logs\//, '.dax/jobs/')}/${path.posix.basename(this.logPath(job), '.log')}.${runId}.${attempt}`;
  }

  /** A job directory mirrors the project: its top-level entries are links to the real ones,
   * but for the directories leading to the outputs, which are the job's own. */
  private makeJobDir(job: Job, spec: JobSpec): string | undefined {
    const { files } = this.c;
    const dir = spec.cwd;
    // What a crashed attempt of this job left.
    const parent = path.posix.dirname(dir);
    const prefix = path.posix.basename(this.logPath(job), '.log') + '.';
    try {
      for (const n of readdirSync(files.abs(parent))) if (n.startsWith(prefix)) removePath(files.abs(`${parent}/${n}`));
    } catch {
      /* no such directory yet */
    }
    const own = new Set(job.outputs.map((o) => o.split('/')[0]!));
    this.topLevel ??= readdirSync(this.c.projectDir).filter((n) => n !== '.dax');
    try {
      mkdirSync(files.abs(dir), { recursive: true });
      for (const n of this.topLevel) if (!own.has(n)) symlinkSync(path.join(this.c.projectDir, n), files.abs(`${dir}/${n}`));
      for (const t of spec.temps) mkdirSync(files.abs(path.posix.dirname(t)), { recursive: true });
    } catch (e) {
      return `cannot make the job's directory ${dir}: ${describeFsError(e, dir, files)}`;
    }
    return undefined;
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
    for (const out of job.outputs) this.sweep(out);
    const made = this.mkdirFor(spec.log, 'its log') ?? job.outputs.map((o) => this.mkdirFor(o, o)).find((e) => e !== undefined);
    if (made) return err(made);
    if (spec.logHeader === undefined) this.startLog(job, spec);
    const e = job.rule.atomicOutputs ? this.makeJobDir(job, spec) : spec.cwd !== '.' ? this.mkdir(spec.cwd, `its working directory ${spec.cwd}`) : undefined;
    if (e) {
      // The job never reaches its worker, which would have started the log.
      this.headerOnly(spec);
      return err(e);
    }
    return ok(undefined);
  }

  /** Each attempt's part of the log starts with a header line (attempt, time, command): the
   * first attempt's truncates the log an earlier run left. A rule without a command has no log. */
  private startLog(job: Job, spec: JobSpec): void {
    if (spec.command === undefined) return;
    const header = logHeader(spec.attempt, job.rule.spec.retries + 1, spec.run, Date.now(), spec.command);
    try {
      const fd = openSync(this.c.files.abs(spec.log), spec.attempt === 1 ? 'w' : 'a+');
      try {
        // On a line of its own, also after an attempt whose output did not end its last line.
        writeSync(fd, endsLine(fd) ? header : `\n${header}`);
      } finally {
        closeSync(fd);
      }
    } catch {
      /* a full disk: the job's own writes fail too, and its failure says so (lostLog) */
    }
  }

  /** A lazily started log (spec.logHeader) that the attempt left as it was: its header alone,
   * replacing what an earlier run left. */
  private headerOnly(spec: JobSpec): void {
    if (spec.logHeader !== undefined) writeHeaderLog(this.c.files.abs(spec.log), spec.logHeader);
  }

  /** Removes what killed writers left beside an output: temporaries of dead processes of this
   * host (the atomic writer's, dax merge's, the example tools'), and dax's own temporaries of
   * this output from earlier runs (found also when .dax/ was deleted). Each directory is
   * listed once a run. */
  private sweep(out: string): void {
    const dir = path.posix.dirname(out);
    let names = this.listings.get(dir);
    if (!names) {
      const abs = this.c.files.abs(dir);
      removeStaleTemps(abs);
      try {
        names = readdirSync(abs).filter((n) => n.startsWith('.dax-tmp.'));
      } catch {
        names = [];
      }
      this.listings.set(dir, names);
    }
    if (names.length === 0) return;
    const base = path.posix.basename(out);
    const ends = [`.${base}`, `.~${hashName(base)}`];
    for (const n of names) {
      const m = RUN_TEMP.exec(n);
      if (!m || m[1] === this.c.runId || !ends.includes(n.slice(m[0].length - 1))) continue;
      removePath(this.c.files.abs(dir === '.' ? n : `${dir}/${n}`));
    }
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

  /** How the attempt ended, given its worker's result. `started`: when it began running.
   * Synchronous when nothing is left to wait for (the worker published the outputs): thousands
   * of jobs a second end here, and each promise is a turn of the microtask queue. */
  outcome(job: Job, spec: JobSpec, res: AttemptResult, started: number, ctx: { interrupted: boolean; timedOut: boolean }): Outcome | Promise<Outcome> {
    if (ctx.interrupted && !(res.kind === 'exited' && res.code === 0)) return { status: 'incomplete', why: 'stopped by a signal to dax' };
    if (ctx.timedOut) return { status: 'failed', why: `timed out after ${job.rule.spec.timeout}s` };
    switch (res.kind) {
      case 'exited':
        if (res.code !== 0) return { status: 'failed', why: `exit code ${res.code}${this.lostLog(spec)}` };
        if (res.published !== true) return this.publish(job, spec, started);
        // The worker moved every output into place already.
        for (const out of job.outputs) this.c.files.forget(out);
        return this.check(job);
      case 'signaled':
        return { status: 'failed', why: `killed by ${res.signal}` };
      case 'spawn-error':
        return { status: 'failed', why: `could not start: ${res.message}` };
      case 'lost':
        return { status: 'incomplete', why: res.why };
    }
  }

  /** A failed job whose log is empty on a full disk: its messages were lost, and the user must
   * hear why, or "exit code 1" and an empty log explain nothing. */
  private lostLog(spec: JobSpec): string {
    const log = this.c.files.abs(spec.log);
    // Anything past the attempt's header line: the job's messages reached the log.
    if (tail(spec.log, this.c.projectDir, 1).length > 0) return '';
    try {
      const fs = statfsSync(path.dirname(log));
      if (fs.bavail * fs.bsize >= LOW_SPACE) return '';
    } catch {
      return '';
    }
    return `; could not write the job's log ${spec.log}: no space left on device (its messages are lost)`;
  }

  /** Records the attempt's end; after a failure, removes what it left. Synchronous unless an
   * input is large enough to be hashed by streaming. */
  record(job: Job, spec: JobSpec, outcome: Outcome, res: AttemptResult, started: number, worker: string): void | Promise<void> {
    const { files } = this.c;
    if (outcome.status !== 'ok') {
      // An attempt that ran and failed has a log, if only its header, as when the header was
      // written before the job started (a retry's log starts with it). One that could not start
      // has the log its worker or prepare() left, or none.
      if (spec.logHeader !== undefined && res.kind !== 'spawn-error') writeHeaderLog(files.abs(spec.log), spec.logHeader, true);
      for (const t of spec.temps) removePath(files.abs(t));
      if (outcome.status === 'failed') for (const out of job.outputs) removePath(files.abs(out));
      for (const out of job.outputs) files.forget(out);
      this.writeEnd(job, spec, outcome, res, started, worker, [], []);
      return;
    }
    const outputs = job.outputs.map((p): OutputPrint => {
      const s = files.stat(p);
      return [p, s?.size ?? -1, s?.mtimeMs ?? 0];
    });
    let large = false;
    for (const p of job.inputs) if ((files.stat(p)?.size ?? 0) > STREAMED_ABOVE) large = true;
    if (!large) {
      const inputs = job.inputs.map((p): InputPrint => {
        const s = files.stat(p);
        return [p, s?.size ?? -1, s?.mtimeMs ?? 0, files.hashSync(p) ?? ''];
      });
      this.writeEnd(job, spec, outcome, res, started, worker, inputs, outputs);
      return;
    }
    return Promise.all(
      job.inputs.map(async (p): Promise<InputPrint> => {
        const s = files.stat(p);
        const h = s && s.size > STREAMED_ABOVE ? await this.hashLarge(p) : files.hashSync(p);
        return [p, s?.size ?? -1, s?.mtimeMs ?? 0, h ?? ''];
      }),
    ).then((inputs) => this.writeEnd(job, spec, outcome, res, started, worker, inputs, outputs));
  }

  private writeEnd(job: Job, spec: JobSpec, outcome: Outcome, res: AttemptResult, started: number, worker: string, inputs: InputPrint[], outputs: OutputPrint[]): void {
    if (job.rule.atomicOutputs) removePath(this.c.files.abs(spec.cwd));
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
  private async publish(job: Job, spec: JobSpec, started: number): Promise<Outcome> {
    const { files } = this.c;
    for (let i = 0; i < job.outputs.length; i++) {
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
    return this.check(job);
  }

  /** The rule's check on each output, once they are in place. */
  private check(job: Job): Outcome {
    const check = job.rule.check;
    if (check !== undefined) {
      const fn = this.c.checks.get(check);
      for (const out of job.outputs) {
        const problem = fn?.(this.c.files.abs(out));
        if (problem) return { status: 'failed', why: `output ${out} fails check '${check}': ${problem}` };
      }
    }
    return { status: 'ok' };
  }
}

/** Whether the file is empty or ends with a newline. */
function endsLine(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return true;
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, size - 1);
  return b[0] === 0x0a;
}

/** dax's own temporary name of an attempt: `.dax-tmp.<run id>.<attempt>.<name>`. */
const RUN_TEMP = /^\.dax-tmp\.(\d{8}-\d{6}-[0-9a-z]+)\.\d+\./;

function hashName(base: string): string {
  return createHash('sha1').update(base).digest('base64url').slice(0, 20);
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

/** A job's log under `logsDir` (project-relative): <logsDir>/<rule>/<values>.log */
export function jobLogPath(logsDir: string, job: Pick<Job, 'rule' | 'values'>): string {
  const name = job.rule.wildcards.length === 0 ? '_' : job.rule.wildcards.map((w) => encodeURIComponent(job.values[w]!)).join(',');
  const safe = name.length > 180 ? name.slice(0, 120) + '~' + Buffer.from(name).toString('base64url').slice(-40) : name;
  return `${logsDir}/${encodeURIComponent(job.rule.name)}/${safe}.log`;
}
