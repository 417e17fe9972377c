// The Scheduler (ninja's Builder): takes ready jobs off the queue, places each on a worker with
// free slots where its pools fit, follows the attempt (queued, running, ended), and decides what
// follows: dependents become ready, a failure is retried or blocks its dependents, a lost worker
// puts the job back in the queue. Stops cleanly when asked, and on a bug of its own.
import type { Job } from '../graph/job.js';
import type { Counts, JobStatus, Loggers, WorkerReport } from '../events/events.js';
import { emptyCounts } from '../events/events.js';
import type { RunResult } from '../state/records.js';
import type { Journal } from '../state/journal.js';
import { describeReason, type Reason } from '../state/staleness.js';
import { Attempts, type Outcome } from './attempt.js';
import type { AttemptResult, Executor, Handle, JobSpec, RunningAttempt, Worker } from './executor.js';
import { Pools, type Request } from './pool.js';
import { ReadyQueue } from './queue.js';
import type { FreeSpace } from './space.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tail } from './logtail.js';

export interface SchedulerOptions {
  runId: string;
  keepGoing: boolean;
  /** The Daxfile's pools (without `jobs`, which is each worker's slots). */
  pools: Pools;
  executor: Executor;
  attempts: Attempts;
  journal: Journal;
  loggers: Loggers;
  projectDir: string;
  /** Start nothing new; stop running jobs (SIGTERM, SIGKILL after the grace). */
  stop?: AbortSignal;
  /** Kill running jobs now. */
  kill?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL when stopping jobs (default 5000). */
  killGraceMs?: number;
  /** limits.min_free: no job starts while less is free. */
  space?: FreeSpace;
  /** job-start events carry the job's command (-p). */
  printCommands?: boolean;
}

/** An attempt an earlier run started and a worker re-attached to: it finishes in this run. */
export interface Adopted {
  job: Job;
  spec: JobSpec;
  worker: Worker;
  attempt: RunningAttempt;
  running: boolean;
  started: number;
  /** Where it runs, when its worker said so while attaching. */
  on?: Handle | undefined;
  /** Registers the scheduler's handler of its start, for a job still queued when attached to. */
  onRunning?: (f: (h: Handle) => void) => void;
}

interface Active {
  job: Job;
  spec: JobSpec;
  worker: Worker;
  slot: number;
  weight: number;
  request: Request;
  attempt: RunningAttempt;
  /** When it began running; undefined while it waits in a batch queue. */
  started: number | undefined;
  dispatched: number;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
  /** Settles when the attempt's end has been handled (recorded, or met a bug). */
  handled?: Promise<void>;
}

export type JobState = 'ok' | 'failed' | 'incomplete' | 'running' | 'pending';

const LOG_TAIL_LINES = 15;

/** Per worker: slots in use (lowest free index is a job's slot, the lane it is drawn in). */
class Seats {
  private readonly taken: boolean[] = [];
  used = 0;
  readonly pools: Pools;
  constructor(readonly worker: Worker) {
    this.pools = new Pools(worker.pools);
  }
  fits(weight: number, request: Request): boolean {
    const cap = this.worker.slots;
    return this.worker.up && (cap === 0 || this.used + weight <= cap) && this.pools.fits(request);
  }
  take(weight: number, request: Request): number {
    this.used += weight;
    this.pools.take(request);
    let slot = this.taken.indexOf(false);
    if (slot < 0) slot = this.taken.length;
    this.taken[slot] = true;
    return slot;
  }
  give(slot: number, weight: number, request: Request): void {
    this.used -= weight;
    this.pools.give(request);
    this.taken[slot] = false;
  }
}

export class Scheduler {
  private queue!: ReadyQueue;
  private readonly seats: Seats[];
  private readonly active = new Set<Active>();
  private readonly attemptNo = new Map<Job, number>();
  private readonly failuresOf = new Map<Job, number>();
  private readonly counts: Counts = emptyCounts();
  private stopping = false;
  private interrupted = false;
  private bugMessage: string | undefined;
  private stateBroken = false;
  /** Ready jobs were left that no worker could take. */
  private stuck = false;
  private lowSpace = false;
  private spaceTimer: NodeJS.Timeout | undefined;
  private finish: (() => void) | undefined;
  private readonly failedJobs: Job[] = [];
  /** Why each job of the plan runs; the jobs not in it are up to date. */
  private reasons = new Map<Job, Reason>();
  private readonly states = new Map<Job, 'ok' | 'failed' | 'incomplete'>();
  private readonly report = new Map<string, WorkerReport>();

  constructor(private readonly o: SchedulerOptions) {
    this.seats = o.executor.workers.map((w) => new Seats(w));
    for (const w of o.executor.workers) this.report.set(w.name, { worker: w.name, ok: 0, failed: 0, incomplete: 0, lost: 0, busyMs: 0 });
  }

  get failures(): readonly Job[] {
    return this.failedJobs;
  }

  /** A bug met while running (the run was stopped because of it), if any. */
  get bug(): string | undefined {
    return this.bugMessage;
  }

  /** What each worker did. */
  get workers(): WorkerReport[] {
    return [...this.report.values()];
  }

  /** How a job of the plan stands after (or during) the run. */
  stateOf(job: Job): JobState {
    return this.states.get(job) ?? (this.reasons.has(job) ? 'pending' : 'ok');
  }

  async run(jobs: Job[], toRun: Map<Job, Reason>, adopted: Adopted[] = []): Promise<{ result: RunResult; counts: Counts }> {
    this.counts.total = jobs.length;
    this.counts.toRun = toRun.size;
    this.counts.upToDate = jobs.length - toRun.size;
    this.reasons = toRun;
    const adoptedJobs = new Set(adopted.map((a) => a.job));
    // Adopted jobs are running already: they are not ready, but their dependents wait for them.
    this.queue = new ReadyQueue(jobs, toRun, adoptedJobs);
    const onStop = (): void => this.interrupt();
    const onKill = (): void => this.killAll('SIGKILL');
    this.o.stop?.addEventListener('abort', onStop);
    this.o.kill?.addEventListener('abort', onKill);
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        this.guard(() => {
          for (const a of adopted) this.adopt(a);
          if (this.o.stop?.aborted) this.interrupt();
          this.pump();
        });
      });
    } finally {
      this.o.stop?.removeEventListener('abort', onStop);
      this.o.kill?.removeEventListener('abort', onKill);
    }
    const result: RunResult = this.bugMessage || this.stateBroken || this.stuck ? 'failed' : this.interrupted ? 'interrupted' : this.counts.failed > 0 ? 'failed' : 'ok';
    this.counts.skipped = this.counts.toRun - this.counts.done - this.counts.failed - this.counts.incomplete;
    return { result, counts: { ...this.counts } };
  }

  /** Start nothing new; stop running jobs' process groups. */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    this.stopping = true;
    this.killAll('SIGTERM');
    const t = setTimeout(() => this.killAll('SIGKILL'), this.o.killGraceMs ?? 5000);
    t.unref();
    this.maybeFinish();
  }

  private killAll(signal: NodeJS.Signals): void {
    for (const a of this.active) a.attempt.kill(signal);
  }

  /** Runs `f`; an exception in it is a bug in dax: stop everything, and end the run once the
   * running jobs are gone, so the caller can record it and release the lock. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.onBug(e);
    }
  }

  private onBug(e: unknown): void {
    const first = this.bugMessage === undefined;
    if (first) this.bugMessage = e instanceof Error ? (e.stack ?? e.message) : String(e);
    this.stopping = true;
    this.interrupted = true;
    if (!first) return;
    this.killAll('SIGTERM');
    const t = setTimeout(() => this.killAll('SIGKILL'), this.o.killGraceMs ?? 5000);
    t.unref();
    // The books may be wrong after a bug: end once every attempt's end has been handled.
    void Promise.allSettled([...this.active].map((a) => a.handled ?? Promise.resolve())).then(() => {
      this.active.clear();
      this.maybeFinish();
    });
  }

  private maybeFinish(): void {
    if (this.active.size === 0 && (this.stopping || this.queue.size === 0)) {
      if (this.spaceTimer) clearTimeout(this.spaceTimer);
      this.spaceTimer = undefined;
      const f = this.finish;
      this.finish = undefined;
      f?.();
    }
  }

  private pump(): void {
    if (!this.stopping && this.queue.size > 0 && !this.roomOnDisk()) return this.maybeFinish();
    while (!this.stopping && this.queue.size > 0) {
      const next = this.queue.take((job) => this.place(job));
      if (!next) break;
      this.start(next.job, next.fit);
    }
    // Nothing runs and nothing could be placed with every slot and pool free: it never will.
    if (!this.stopping && this.queue.size > 0 && this.active.size === 0) {
      const why = this.seats.some((s) => s.worker.up) ? 'the workers they may run on are down' : 'no worker is up';
      this.o.loggers.emit({ type: 'message', level: 'error', text: `${why}: ${this.queue.size} ready jobs cannot run` });
      this.stuck = true;
      this.stopping = true;
    }
    this.maybeFinish();
  }

  /** False while a watched file system is below limits.min_free: say so once, and look again
   * in a while (the jobs that are running may also free space when they end). */
  private roomOnDisk(): boolean {
    const space = this.o.space;
    if (!space) return true;
    const s = space.check();
    if (s.ok) {
      if (this.lowSpace) {
        this.lowSpace = false;
        if (this.spaceTimer) clearTimeout(this.spaceTimer);
        this.spaceTimer = undefined;
        this.o.loggers.emit({ type: 'notice', level: 'info', notice: { kind: 'space-back', min: space.min } });
      }
      return true;
    }
    if (!this.lowSpace) {
      this.lowSpace = true;
      this.o.loggers.emit({ type: 'notice', level: 'warn', notice: { kind: 'space-low', path: s.path, free: s.free, min: space.min } });
    }
    this.spaceTimer ??= setTimeout(() => {
      this.spaceTimer = undefined;
      this.guard(() => this.pump());
    }, 1000);
    return false;
  }

  /** A worker with room for the job, where the global pools fit too. */
  private place(job: Job): Seats | undefined {
    const { weight, request } = demand(job);
    if (!this.o.pools.fits(request)) return undefined;
    const pins = job.rule.spec.workers?.names;
    for (const s of this.seats) if ((!pins || pins.includes(s.worker.name)) && s.fits(weight, request)) return s;
    return undefined;
  }

  private start(job: Job, seats: Seats): void {
    const attempt = (this.attemptNo.get(job) ?? 0) + 1;
    this.attemptNo.set(job, attempt);
    const worker = seats.worker;
    const spec = this.o.attempts.spec(job, attempt, this.o.runId, worker.lazyLog === true);
    const reason = this.reasons.get(job);
    const { weight, request } = demand(job);
    const dispatched = Date.now();
    // Cleans what the job's last attempt left, so before this attempt's start is recorded.
    const prepared = this.o.attempts.prepare(job, spec, reason, this.o.journal.jobs.get(job.id)?.lastStart);
    // The start is in the journal before the process exists: after a crash, the job is known
    // to be unfinished.
    this.o.journal.append({ t: 'start', j: job.id, r: this.o.runId, a: attempt, ts: dispatched, w: worker.name });
    if (this.o.journal.failure) {
      // Unrecorded, the job must not start: a crash now would leave its outputs unexplained.
      this.queue.push(job);
      this.stateFailed();
      return;
    }
    this.o.pools.take(request);
    const slot = seats.take(weight, request);
    this.counts.running++;
    const a: Active = { job, spec, worker, slot, weight, request, attempt: idle, started: undefined, dispatched, timedOut: false };
    this.active.add(a);
    if (!prepared.ok) {
      this.began(a, reason);
      this.settle(a, { kind: 'spawn-error', message: prepared.error }, prepared.error);
      return;
    }
    if (spec.argv.length === 0) {
      // A rule without a command: its outputs come from its inputs' jobs (an aggregate target).
      this.began(a, reason);
      this.settle(a, { kind: 'exited', code: 0 });
      return;
    }
    a.attempt = worker.start(spec, {
      queued: (h) => this.queued(a, h),
      running: (h) => this.running(a, h, reason),
    });
    this.follow(a);
  }

  private adopt(x: Adopted): void {
    const { weight, request } = demand(x.job);
    const seats = this.seats.find((s) => s.worker === x.worker)!;
    this.o.pools.take(request);
    const slot = seats.take(weight, request);
    this.counts.running++;
    const a: Active = { job: x.job, spec: x.spec, worker: x.worker, slot, weight, request, attempt: x.attempt, started: x.running ? x.started : undefined, dispatched: x.started, timedOut: false };
    this.active.add(a);
    this.attemptNo.set(x.job, 0);
    const reason = this.reasons.get(x.job);
    if (x.running) this.began(a, reason, x.on?.ref, x.on?.node);
    else x.onRunning?.((h) => this.running(a, h, reason));
    this.follow(a);
  }

  private follow(a: Active): void {
    a.handled = a.attempt.done
      .then(
        (res) => this.ended(a, res),
        (e: unknown) => this.ended(a, { kind: 'spawn-error', message: String(e) }),
      )
      .catch((e: unknown) => this.onBug(e));
  }

  private queued(a: Active, h: Handle): void {
    // In the journal before the worker waits on it (within this turn of the event loop, one
    // write for a whole job array): a later run re-attaches to it by this handle.
    this.o.journal.appendSoon({ t: 'at', j: a.job.id, r: a.spec.run, a: a.spec.attempt, w: h.worker, h: h.ref, q: 1, ts: Date.now() });
    this.o.loggers.emit({ type: 'job-queued', job: a.job.id, rule: a.job.rule.name, attempt: a.spec.attempt, worker: a.worker.name, slot: a.slot, handle: h.ref });
  }

  private running(a: Active, h: Handle, reason: Reason | undefined): void {
    this.guard(() => {
      if (a.started !== undefined) return;
      this.o.journal.appendLazy({ t: 'at', j: a.job.id, r: a.spec.run, a: a.spec.attempt, w: h.worker, h: h.ref, ts: Date.now() });
      this.began(a, reason, h.ref, h.node);
    });
  }

  /** The attempt runs: say so, and start its timeout (never while it was queued). */
  private began(a: Active, reason: Reason | undefined, handle?: string, node?: string): void {
    a.started = Date.now();
    this.o.loggers.emit({
      type: 'job-start', job: a.job.id, rule: a.job.rule.name, attempt: a.spec.attempt, worker: a.worker.name, slot: a.slot, log: a.spec.log,
      reason: reason ? describeReason(reason) : '', ...(handle ? { handle } : {}), ...(node ? { node } : {}), ...(this.o.printCommands ? commandOf(a.job) : {}),
    });
    this.o.loggers.emit({ type: 'progress', counts: { ...this.counts } });
    const ms = a.spec.timeoutMs;
    if (ms !== undefined) {
      a.timer = setTimeout(() => {
        a.timedOut = true;
        a.attempt.kill('SIGTERM');
        const k = setTimeout(() => a.attempt.kill('SIGKILL'), this.o.killGraceMs ?? 5000);
        k.unref();
      }, ms);
    }
  }

  /** Synchronous when the attempt's outcome and record are (the common case): no promise per
   * step of every job's end. */
  private ended(a: Active, res: AttemptResult): void | Promise<void> {
    if (a.timer) clearTimeout(a.timer); // before any wait below: the attempt is over
    // An attempt that ended without ever saying it ran (it could not start) still gets its start.
    if (a.started === undefined) this.began(a, this.reasons.get(a.job));
    const outcome = this.o.attempts.outcome(a.job, a.spec, res, a.started!, { interrupted: this.interrupted, timedOut: a.timedOut });
    return outcome instanceof Promise ? outcome.then((o) => this.recorded(a, res, o)) : this.recorded(a, res, outcome);
  }

  private recorded(a: Active, res: AttemptResult, outcome: Outcome): void | Promise<void> {
    const r = this.o.attempts.record(a.job, a.spec, outcome, res, a.started!, a.worker.name);
    if (r instanceof Promise) return r.then(() => this.finished(a, res, outcome));
    this.finished(a, res, outcome);
  }

  /** For attempts that end before reaching a worker: prepare failed (`failure`), or no command. */
  private settle(a: Active, res: AttemptResult, failure?: string): void {
    const outcome: Outcome | Promise<Outcome> =
      failure !== undefined ? { status: 'failed', why: failure } : this.o.attempts.outcome(a.job, a.spec, res, a.started!, { interrupted: false, timedOut: false });
    a.handled = Promise.resolve(outcome)
      .then((o) => this.recorded(a, res, o))
      .catch((e: unknown) => this.onBug(e));
  }

  private finished(a: Active, res: AttemptResult, outcome: Outcome): void {
    const { job } = a;
    const end = Date.now();
    if (a.timer) clearTimeout(a.timer);
    this.active.delete(a);
    this.o.pools.give(a.request);
    this.seats.find((s) => s.worker === a.worker)!.give(a.slot, a.weight, a.request);
    this.counts.running--;
    const lost = res.kind === 'lost';
    const failures = (this.failuresOf.get(job) ?? 0) + (outcome.status === 'failed' ? 1 : 0);
    this.failuresOf.set(job, failures);
    const again = !this.stopping && ((outcome.status === 'failed' && failures <= job.rule.spec.retries) || lost);
    const status: JobStatus = lost ? 'lost' : outcome.status;
    const w = this.report.get(a.worker.name)!;
    w.busyMs += end - (a.started ?? end);
    w[status]++;
    if (!a.worker.up && w.down === undefined) {
      w.down = a.worker.down ?? 'marked down';
      this.o.loggers.emit({ type: 'notice', level: 'warn', notice: { kind: 'worker-down', worker: a.worker.name, why: w.down } });
    }
    this.o.loggers.emit({
      type: 'job-end', job: job.id, rule: job.rule.name, attempt: a.spec.attempt, worker: a.worker.name, slot: a.slot, status, exit: res.kind === 'exited' ? res.code : null,
      ...(res.kind === 'signaled' ? { signal: res.signal } : {}),
      ...(outcome.status !== 'ok' ? { why: outcome.why, logTail: tail(a.spec.log, this.o.projectDir, LOG_TAIL_LINES), ...commandOf(job), ...this.logMissing(a.spec.log) } : {}),
      durationMs: end - (a.started ?? end), log: a.spec.log, retry: again, maxAttempts: job.rule.spec.retries + 1,
    });
    if (again) this.queue.push(job);
    else this.states.set(job, outcome.status);
    switch (outcome.status) {
      case 'ok':
        this.counts.done++;
        this.queue.done(job);
        break;
      case 'failed':
        if (again) break;
        this.counts.failed++;
        this.failedJobs.push(job);
        for (const d of this.queue.block(job)) this.o.loggers.emit({ type: 'job-skipped', job: d.id, rule: d.rule.name, why: `dependency ${job.id} failed` });
        if (!this.o.keepGoing) this.stopping = true;
        break;
      case 'incomplete':
        if (!again) this.counts.incomplete++;
        break;
    }
    this.o.loggers.emit({ type: 'progress', counts: { ...this.counts } });
    if (this.o.journal.failure) this.stateFailed();
    this.pump();
  }

  /** A failure's log that does not exist is not named (an attempt that could not start). */
  private logMissing(log: string): { logMissing?: true } {
    return existsSync(path.join(this.o.projectDir, log)) ? {} : { logMissing: true };
  }

  /** The journal cannot be written (a full disk): what runs cannot be recorded, so stop. */
  private stateFailed(): void {
    if (this.stopping && this.interrupted) return;
    const f = this.o.journal.failure!;
    this.o.loggers.emit({ type: 'notice', level: 'warn', notice: { kind: 'state-write-failed', path: f.path, message: `${f.message}; stopping the run (nothing more can be recorded)` } });
    this.stateBroken = true;
    this.interrupt();
  }
}

/** The job's command as a person would type it (its outputs under their own names). */
function commandOf(job: Job): { command?: string } {
  const c = job.rule.renderCommand(job.values, job.inputs, job.outputs);
  return c ? { command: c.display } : {};
}

const demands = new WeakMap<Job['rule'], { weight: number; request: Request }>();

/** Slots a job takes on its worker (`resources.jobs`, default 1) and the other pools it holds. */
function demand(job: Job): { weight: number; request: Request } {
  let d = demands.get(job.rule);
  if (!d) {
    d = { weight: 1, request: [] };
    for (const r of job.rule.resourceList) {
      if (r[0] === 'jobs') d.weight = r[1];
      else d.request.push(r);
    }
    demands.set(job.rule, d);
  }
  return d;
}

/** The attempt of a job that never reached a worker. */
const idle: RunningAttempt = { done: new Promise<AttemptResult>(() => {}), kill() {} };
