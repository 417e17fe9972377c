// The Scheduler: runs the jobs of a plan in dependency order within the pools' limits, with
// retries, timeouts, keep-going, and a clean stop on SIGINT/SIGTERM.
import { mkdirSync, openSync, closeSync, readSync, fstatSync, rmSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../graph/job.js';
import type { Logger, Counts } from '../events/events.js';
import { emptyCounts } from '../events/events.js';
import type { Files } from '../state/files.js';
import type { Journal } from '../state/journal.js';
import type { InputPrint, OutputPrint, RunResult } from '../state/records.js';
import { describeReason, type OutputCheck, type Reason } from '../state/staleness.js';
import type { ExecResult, Executor, RunningJob } from './executor.js';
import type { Pools } from './pool.js';
import { assertNever } from '../util/result.js';

export interface SchedulerOptions {
  runId: string;
  keepGoing: boolean;
  projectDir: string;
  stateDir: string;
  pools: Pools;
  executor: Executor;
  journal: Journal;
  files: Files;
  logger: Logger;
  checks: Map<string, OutputCheck>;
  /** Milliseconds between SIGTERM and SIGKILL when stopping jobs (default 5000). */
  killGraceMs?: number;
}

interface Active {
  job: Job;
  attempt: number;
  running: RunningJob;
  started: number;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
}

type Outcome = { status: 'ok' } | { status: 'failed'; why: string } | { status: 'incomplete'; why: string };

const LOG_TAIL_LINES = 15;

export class Scheduler {
  private readonly ready: Job[] = [];
  private readonly waiting = new Map<Job, number>();
  private readonly attempts = new Map<Job, number>();
  private readonly active = new Set<Active>();
  private readonly madeDirs = new Set<string>();
  private readonly counts: Counts = emptyCounts();
  private stopping = false;
  private interrupted = false;
  private finish: (() => void) | undefined;
  private readonly failedJobs: Job[] = [];
  /** Why each job of the plan runs; the jobs not in it are up to date. */
  private reasons = new Map<Job, Reason>();
  private readonly states = new Map<Job, 'ok' | 'failed' | 'incomplete'>();
  /** Jobs per worker and how they ended: the run report's "who did what". */
  readonly perWorker = new Map<string, { ok: number; failed: number; incomplete: number }>();

  constructor(private readonly o: SchedulerOptions) {}

  get failures(): readonly Job[] {
    return this.failedJobs;
  }

  /** How a job of the plan stands after (or during) the run. */
  stateOf(job: Job): 'ok' | 'failed' | 'incomplete' | 'pending' {
    return this.states.get(job) ?? (this.reasons.has(job) ? 'pending' : 'ok');
  }

  async run(jobs: Job[], toRun: Map<Job, Reason>): Promise<{ result: RunResult; counts: Counts }> {
    this.counts.total = jobs.length;
    this.counts.toRun = toRun.size;
    this.counts.upToDate = jobs.length - toRun.size;
    for (const job of jobs) {
      if (!toRun.has(job)) continue;
      let n = 0;
      for (const d of job.deps) if (toRun.has(d)) n++;
      this.waiting.set(job, n);
    }
    // The ready list is a stack: a job's dependents run right after it, so chunks finish
    // one after another instead of every stage waiting for the whole previous stage.
    for (let i = jobs.length - 1; i >= 0; i--) {
      const job = jobs[i]!;
      if (this.waiting.get(job) === 0) this.ready.push(job);
    }
    this.reasons = toRun;
    await new Promise<void>((resolve) => {
      this.finish = resolve;
      this.pump();
    });
    const result: RunResult = this.interrupted ? 'interrupted' : this.counts.failed > 0 ? 'failed' : 'ok';
    this.counts.skipped = this.counts.toRun - this.counts.done - this.counts.failed - this.counts.incomplete;
    return { result, counts: { ...this.counts } };
  }

  /** Start nothing new; stop running jobs' process groups. */
  interrupt(): void {
    if (this.interrupted) {
      // A second signal: no more grace.
      for (const a of this.active) a.running.kill('SIGKILL');
      return;
    }
    this.interrupted = true;
    this.stopping = true;
    for (const a of this.active) a.running.kill('SIGTERM');
    const t = setTimeout(() => {
      for (const a of this.active) a.running.kill('SIGKILL');
    }, this.o.killGraceMs ?? 5000);
    t.unref();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.active.size === 0 && (this.stopping || this.ready.length === 0)) {
      const f = this.finish;
      this.finish = undefined;
      f?.();
    }
  }

  private pump(): void {
    while (!this.stopping && this.ready.length > 0) {
      // Take the newest ready job that fits the pools; look a little deeper when the top does not
      // fit, so one job waiting for a busy pool does not hold back jobs that need other pools.
      let pick = -1;
      for (let i = this.ready.length - 1, seen = 0; i >= 0 && seen < 256; i--, seen++) {
        if (this.o.pools.fits(this.ready[i]!.rule.resourceList)) {
          pick = i;
          break;
        }
      }
      if (pick < 0) break;
      const job = pick === this.ready.length - 1 ? this.ready.pop()! : this.ready.splice(pick, 1)[0]!;
      this.start(job);
    }
    this.maybeFinish();
  }

  private logPath(job: Job): string {
    const name = job.rule.wildcards.length === 0 ? '_' : job.rule.wildcards.map((w) => encodeURIComponent(job.values[w]!)).join(',');
    const safe = name.length > 180 ? name.slice(0, 120) + '~' + Buffer.from(name).toString('base64url').slice(-40) : name;
    return path.join(this.o.stateDir, 'logs', encodeURIComponent(job.rule.name), `${safe}.log`);
  }

  private mkdirFor(file: string): void {
    const dir = path.dirname(file);
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private tempName(out: string, attempt: number, runId = this.o.runId): string {
    const dir = path.posix.dirname(out);
    const base = path.posix.basename(out);
    const t = `.dax-tmp.${runId}.${attempt}.${base}`;
    return dir === '.' ? t : `${dir}/${t}`;
  }

  private start(job: Job): void {
    const attempt = (this.attempts.get(job) ?? 0) + 1;
    this.attempts.set(job, attempt);
    const { projectDir, files } = this.o;
    const log = this.logPath(job);
    this.mkdirFor(log);
    for (const out of job.outputs) this.mkdirFor(files.abs(out));
    const reason = this.reasons.get(job);
    if (attempt === 1 && reason && (reason.kind === 'incomplete' || reason.kind === 'check' || reason.kind === 'failed')) {
      // What an unfinished or failed attempt left is not to be trusted or built upon.
      for (const out of job.outputs) removePath(files.abs(out));
      // An attempt cut short by a crash (kill -9, power) left its temporary outputs: remove them,
      // or every crash leaves half-written files behind for good.
      const last = this.o.journal.jobs.get(job.id)?.lastStart;
      if (reason.kind === 'incomplete' && last) for (const out of job.outputs) removePath(files.abs(this.tempName(out, last.a, last.r)));
    }
    for (const sup of job.rule.supersedes) removePath(files.abs(sup.render(job.values)));
    const cwd = job.rule.cwd ? path.join(projectDir, job.rule.cwd.render(job.values)) : projectDir;
    if (job.rule.cwd) mkdirSync(cwd, { recursive: true });
    const rel = (p: string): string => (cwd === projectDir ? p : path.relative(cwd, path.join(projectDir, p)));
    const temps = job.outputs.map((o) => this.tempName(o, attempt));
    const cmd = job.rule.renderCommand(job.values, job.inputs.map(rel), temps.map(rel));
    const env: Record<string, string> = job.rule.renderEnv(job.values, job.inputs.map(rel), temps.map(rel));
    env['DAX_JOB'] = job.id;
    env['DAX_RULE'] = job.rule.name;
    env['DAX_ATTEMPT'] = String(attempt);
    env['DAX_RUN'] = this.o.runId;
    const startedAt = Date.now();
    this.o.journal.append({ t: 'start', j: job.id, r: this.o.runId, a: attempt, ts: startedAt, w: this.o.executor.name });
    this.o.pools.take(job.rule.resourceList);
    this.counts.running++;
    const logRel = path.relative(projectDir, log);
    this.o.logger.event({ type: 'job-start', job: job.id, rule: job.rule.name, attempt, worker: this.o.executor.name, log: logRel, reason: reason ? describeReason(reason) : '' });
    this.o.logger.event({ type: 'progress', counts: { ...this.counts }, elapsedMs: 0 });
    const running: RunningJob = cmd
      ? this.o.executor.start({ argv: cmd.argv, cwd, env, logFile: log, appendLog: attempt > 1, publish: job.outputs.map((o, i) => [files.abs(temps[i]!), files.abs(o)]) })
      : { pid: undefined, done: Promise.resolve({ kind: 'exited', code: 0 }), kill() {} };
    const a: Active = { job, attempt, running, started: startedAt, timedOut: false };
    const timeout = job.rule.spec.timeout;
    if (timeout && timeout > 0) {
      a.timer = setTimeout(() => {
        a.timedOut = true;
        running.kill('SIGTERM');
        const k = setTimeout(() => running.kill('SIGKILL'), this.o.killGraceMs ?? 5000);
        k.unref();
      }, timeout * 1000);
    }
    this.active.add(a);
    running.done.then(
      (res) => this.ended(a, res, temps, log),
      (e: unknown) => this.ended(a, { kind: 'spawn-error', message: String(e) }, temps, log),
    );
  }

  private async ended(a: Active, res: ExecResult, temps: string[], log: string): Promise<void> {
    const { job, attempt } = a;
    if (a.timer) clearTimeout(a.timer);
    const { files, projectDir } = this.o;
    let outcome: Outcome;
    if (this.interrupted && !(res.kind === 'exited' && res.code === 0)) {
      outcome = { status: 'incomplete', why: 'stopped by a signal to dax' };
    } else if (a.timedOut) {
      outcome = { status: 'failed', why: `timed out after ${job.rule.spec.timeout}s` };
    } else {
      switch (res.kind) {
        case 'exited':
          outcome = res.code === 0 ? await this.publish(job, temps, a.started, res.published === true) : { status: 'failed', why: `exit code ${res.code}` };
          break;
        case 'signaled':
          outcome = { status: 'failed', why: `killed by ${res.signal}` };
          break;
        case 'spawn-error':
          outcome = { status: 'failed', why: `could not start: ${res.message}` };
          break;
        default:
          assertNever(res);
      }
    }
    let inputs: InputPrint[] = [];
    let outputs: OutputPrint[] = [];
    if (outcome.status === 'ok') {
      inputs = await Promise.all(
        job.inputs.map(async (p): Promise<InputPrint> => {
          const s = files.stat(p);
          const h = await files.hash(p);
          return [p, s?.size ?? -1, s?.mtimeMs ?? 0, h ?? ''];
        }),
      );
      outputs = job.outputs.map((p) => {
        const s = files.stat(p);
        return [p, s?.size ?? -1, s?.mtimeMs ?? 0];
      });
    } else {
      for (const t of temps) removePath(files.abs(t));
      if (outcome.status === 'failed') for (const out of job.outputs) removePath(files.abs(out));
      for (const out of job.outputs) files.forget(out);
    }
    const end = Date.now();
    const exit = res.kind === 'exited' ? res.code : null;
    const sig = res.kind === 'signaled' ? res.signal : undefined;
    this.o.journal.append({
      t: 'end', j: job.id, r: this.o.runId, a: attempt, b: a.started, ts: end,
      s: outcome.status, x: exit, ...(sig ? { sig } : {}), ...(outcome.status !== 'ok' ? { why: outcome.why } : {}),
      c: job.rule.commandHash(job.values, job.inputs, job.outputs), i: inputs, o: outputs, w: this.o.executor.name,
    });
    this.active.delete(a);
    this.o.pools.give(job.rule.resourceList);
    this.counts.running--;
    const retry = outcome.status === 'failed' && !this.stopping && attempt <= job.rule.spec.retries;
    const logRel = path.relative(projectDir, log);
    this.o.logger.event({
      type: 'job-end', job: job.id, rule: job.rule.name, attempt, status: outcome.status, exit, ...(sig ? { signal: sig } : {}),
      ...(outcome.status !== 'ok' ? { why: outcome.why, logTail: tail(log, LOG_TAIL_LINES) } : {}),
      durationMs: end - a.started, log: logRel, retry,
    });
    if (!retry) {
      this.states.set(job, outcome.status);
      const w = this.perWorker.get(this.o.executor.name) ?? { ok: 0, failed: 0, incomplete: 0 };
      w[outcome.status]++;
      this.perWorker.set(this.o.executor.name, w);
    }
    switch (outcome.status) {
      case 'ok':
        this.counts.done++;
        for (const d of job.dependents) {
          const n = this.waiting.get(d);
          if (n === undefined) continue;
          if (n === 1) {
            this.waiting.set(d, 0);
            this.ready.push(d);
          } else this.waiting.set(d, n - 1);
        }
        break;
      case 'failed':
        if (retry) {
          this.ready.push(job);
          break;
        }
        this.counts.failed++;
        this.failedJobs.push(job);
        this.skipDependents(job);
        if (!this.o.keepGoing) this.stopping = true;
        break;
      case 'incomplete':
        this.counts.incomplete++;
        break;
    }
    this.o.logger.event({ type: 'progress', counts: { ...this.counts }, elapsedMs: 0 });
    this.pump();
  }

  /** Moves each output from its temporary name into place, once the command succeeded. */
  private async publish(job: Job, temps: string[], started: number, published: boolean): Promise<Outcome> {
    const { files } = this.o;
    // The executor moved every output into place already.
    if (published) for (const out of job.outputs) files.forget(out);
    for (let i = 0; i < job.outputs.length && !published; i++) {
      const out = job.outputs[i]!;
      const tmpAbs = files.abs(temps[i]!);
      files.forget(out);
      try {
        try {
          // Off the main thread: thousands of jobs a second each publish their outputs.
          await rename(tmpAbs, files.abs(out));
        } catch (e) {
          // A directory output (or a file replacing a directory): rename cannot replace a
          // non-empty directory, so the previous build's goes first.
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
          removePath(files.abs(out));
          await rename(tmpAbs, files.abs(out));
        }
        continue;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { status: 'failed', why: `cannot move ${temps[i]} to ${out}: ${(e as Error).message}` };
      }
      // The command wrote the output under its own name (it did not use {output}).
      const s = statSync(files.abs(out), { throwIfNoEntry: false });
      if (!s) return { status: 'failed', why: `the command succeeded but did not write ${out}` };
      if (s.mtimeMs < started - 1000 && !s.isDirectory()) return { status: 'failed', why: `the command succeeded but did not write ${out} (it is older than the job)` };
    }
    const check = job.rule.check;
    if (check !== undefined) {
      const fn = this.o.checks.get(check);
      for (const out of job.outputs) {
        const problem = fn?.(files.abs(out));
        if (problem) return { status: 'failed', why: `output ${out} fails check '${check}': ${problem}` };
      }
    }
    return { status: 'ok' };
  }

  private skipDependents(job: Job): void {
    const stack = [...job.dependents];
    while (stack.length) {
      const d = stack.pop()!;
      if (!this.waiting.has(d)) continue;
      this.waiting.delete(d);
      this.o.logger.event({ type: 'job-skipped', job: d.id, rule: d.rule.name, why: `dependency ${job.id} failed` });
      stack.push(...d.dependents);
    }
  }
}

function removePath(abs: string): void {
  try {
    rmSync(abs, { recursive: true, force: true });
  } catch {
    /* best effort: a leftover is caught by the journal next time */
  }
}

/** The last lines of a log, for the failure message. */
function tail(file: string, lines: number): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, 8192);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8').replace(/\n$/, '');
    if (text === '') return [];
    return text.split('\n').slice(-lines);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
