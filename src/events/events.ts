// Everything dax tells the user is one of these events, handed to loggers (tty, plain, json, the
// run recorder). Each carries its own time, stamped where it happened.
import type { RunResult } from '../state/records.js';

export interface Counts {
  total: number; // jobs in the plan
  upToDate: number;
  toRun: number;
  done: number; // ran and succeeded in this run
  failed: number;
  skipped: number; // not started: a dependency failed, or the run stopped
  incomplete: number; // stopped while running
  running: number;
}

/** A run's report for one wildcard (`report: [chunk]`): how each of its values stands. */
export interface WildcardReport {
  wildcard: string;
  counts: Record<ValueState, number>;
  failed: string[];
  incomplete: string[];
  file?: string; // where the failed values were written
}
export type ValueState = 'finished' | 'failed' | 'incomplete' | 'running' | 'not-started';

/** What one worker did in a run. */
export interface WorkerReport {
  worker: string;
  ok: number;
  failed: number;
  incomplete: number;
  lost: number;
  busyMs: number;
  down?: string; // why it was marked down, if it was
}

export type Report = { kind: 'wildcard'; wildcard: WildcardReport } | { kind: 'worker'; worker: WorkerReport };

/** One rule's part of a run's plan (for the ETA). */
export interface RulePlan {
  toRun: number;
  meanMs?: number; // unknown: none of its jobs ever succeeded
}

/** Things dax did on its own that a user should hear of. */
export type Notice =
  | { kind: 'lock-taken-over'; pid: number; host: string; run: string; start: number; why: string }
  | { kind: 'orphans-stopped'; run: string; groups: number }
  | { kind: 'superseded-removed'; path: string; by: string[] }
  | { kind: 'live-run'; holder: string } // a dry run beside a live run
  | { kind: 'stopping'; reason: string } // a signal (or abort) arrived: nothing new starts
  | { kind: 'worker-down'; worker: string; why: string }
  | { kind: 'attached'; job: string; worker: string; handle: string }
  | { kind: 'state-write-failed'; path: string; message: string } // dax's own state under .dax/
  | { kind: 'space-low'; path: string; free: number; min: number } // limits.min_free: no new job starts
  | { kind: 'space-back'; min: number }
  | { kind: 'internal-error'; message: string };

export type JobStatus = 'ok' | 'failed' | 'incomplete' | 'lost';

export type DaxEvent = { ts: number } & (
  | { type: 'message'; level: 'error' | 'warn' | 'info' | 'debug'; text: string }
  | { type: 'notice'; level: 'warn' | 'info'; notice: Notice }
  | {
      type: 'run-start';
      run: string;
      targets: string[];
      sets: Record<string, string>;
      counts: Counts;
      jobs: number;
      resumes?: string;
      directory?: string; // the project's directory
      keepGoing?: boolean;
      /** Why the jobs run, grouped: [what, how many jobs], the most common first. */
      reasons?: Array<[string, number]>;
      /** Per rule: jobs to run, and the mean duration of its jobs' last successful attempts. */
      rules?: Record<string, RulePlan>;
    }
  | { type: 'plan'; job: string; rule: string; reason: string; command?: string }
  | { type: 'job-queued'; job: string; rule: string; attempt: number; worker: string; slot: number; handle?: string }
  | { type: 'job-start'; job: string; rule: string; attempt: number; worker: string; slot: number; log: string; reason: string; handle?: string; node?: string; command?: string } // node: the host it runs on, where a batch system chose it; command: with -p
  | {
      type: 'job-end';
      job: string;
      rule: string;
      attempt: number;
      worker: string;
      slot: number;
      status: JobStatus;
      exit: number | null;
      signal?: string;
      why?: string;
      durationMs: number;
      log: string;
      logTail?: string[];
      retry: boolean; // it runs again (a retry, or a lost job back in the queue)
      maxAttempts?: number; // 1 + the rule's retries
      command?: string; // a failure's command, rendered with its outputs' own names
      logMissing?: true; // a failure whose log does not exist (it could not start)
    }
  | { type: 'job-skipped'; job: string; rule: string; why: string }
  | { type: 'progress'; counts: Counts }
  | { type: 'report'; report: Report }
  | { type: 'run-end'; run: string; result: RunResult | 'nothing-to-do' | 'dry-run'; counts: Counts; elapsedMs: number; made?: string[] } // made: the targets' outputs, when few
);

/** An event without its time; `stamp` adds it. */
export type EventBody = DaxEvent extends infer E ? (E extends { ts: number } ? Omit<E, 'ts'> : never) : never;

export interface Logger {
  event(e: DaxEvent): void;
  close(): void | Promise<void>;
}

/** Sends each event to several loggers (a terminal logger and the run recorder, say). */
export class Loggers {
  constructor(private readonly all: Logger[]) {}
  /** Stamps the event with the time now and hands it to every logger. */
  emit(e: EventBody): void {
    // Stamped in place, not copied (nor through Object.assign): a run of 200,000 jobs emits
    // about a million events.
    const ev = e as DaxEvent;
    ev.ts = Date.now();
    for (const l of this.all) l.event(ev);
  }
  async close(): Promise<void> {
    for (const l of this.all) await l.close();
  }
}

export function emptyCounts(): Counts {
  return { total: 0, upToDate: 0, toRun: 0, done: 0, failed: 0, skipped: 0, incomplete: 0, running: 0 };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
