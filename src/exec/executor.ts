// The worker seam. An Executor is a set of Workers; a Worker runs jobs somewhere (this machine,
// an SSH host, a batch system) in a number of slots. The scheduler sees each worker's slots and
// state, hands it a job described in project-relative terms, and gets back an attempt whose
// handle can be written down and re-attached to by a later run.

/** One attempt of a job, as a worker needs it. Paths are relative to the project directory. */
export interface JobSpec {
  job: string; // job id
  rule: string;
  run: string; // run id
  attempt: number;
  argv: string[]; // the command, rendered with the temporary output names (a task's arguments)
  /** A task plugin run inside dax instead of a command (exec/tasks.ts); local workers only. */
  task?: string;
  cwd: string; // '.' for the project directory
  env: Record<string, string>; // the job's own variables, added to the worker's environment
  inputs: string[];
  outputs: string[];
  /** Where each output is written first; moved to its output when the job succeeds. */
  temps: string[];
  log: string; // stdout and stderr go here
  appendLog: boolean;
  /** Set only for a worker that says it can (Worker.lazyLog), on an attempt that starts the log
   * anew (appendLog false): the worker removes an earlier log and writes this line at the top of
   * the new one: the local worker when the job first writes something (a job that prints
   * nothing leaves no log: a file per job would be the costliest thing dax does for most jobs),
   * an SSH host as it starts the job (it makes the log then anyway). */
  logHeader?: string;
  /** The command as a person reads it (the log's header line shows it). */
  command?: string;
  timeoutMs?: number; // counted from when the job runs, never while it is queued
  /** How long the job's last successful attempt ran (a batch worker may pack short jobs by it). */
  lastMs?: number;
  /** The rule checks its outputs: a worker that copies them checks their content hash too. */
  hashOutputs?: boolean;
}

/** Where an attempt runs, in a form the journal keeps: `ref` means something to its worker
 * only (a local process group `pgid:1234`, later `host:pgid` or a batch job id). */
export interface Handle {
  worker: string;
  ref: string;
  /** The host it runs on, where a batch system chose it (the job-start event says it). */
  node?: string;
}

export type AttemptResult =
  | { kind: 'exited'; code: number; published?: boolean } // published: the worker moved the outputs in
  | { kind: 'signaled'; signal: string }
  | { kind: 'spawn-error'; message: string }
  /** The worker went away (a connection, a node): the job goes back to the queue and this
   * attempt does not count against its `retries`. */
  | { kind: 'lost'; why: string };

export interface AttemptEvents {
  /** Waiting in a batch queue: not running, not timed. */
  queued(handle: Handle): void;
  /** Running now. */
  running(handle: Handle): void;
}

export interface RunningAttempt {
  readonly done: Promise<AttemptResult>;
  /** Signals the job's whole process group (or cancels it where it waits). */
  kill(signal: NodeJS.Signals): void;
}

export type Reattach =
  | { kind: 'attached'; attempt: RunningAttempt; running: boolean }
  | { kind: 'gone'; why: string };

export interface Worker {
  readonly name: string;
  /** Jobs it runs at once (0 = unlimited); a job takes `resources.jobs` slots, default 1. */
  readonly slots: number;
  /** Pools this worker caps on top of the global limits. */
  readonly pools: Record<string, number>;
  /** False once the worker is down: it takes no more jobs. */
  readonly up: boolean;
  /** Why it is down, once it is (the run report says so). */
  readonly down?: string;
  /** It writes JobSpec.logHeader itself (the local worker only when the job writes something). */
  readonly lazyLog?: boolean;
  /** Starts an attempt; its handle arrives through `events`. Never throws for a job's own
   * failure: that is the attempt's result. */
  start(spec: JobSpec, events: AttemptEvents): RunningAttempt;
  /** A later run asks about an attempt an earlier run recorded at `handle`: attach to it if it
   * still runs or has a result to collect, else say it is gone (after stopping what is left). */
  reattach(handle: Handle, spec: JobSpec, events: AttemptEvents): Promise<Reattach>;
  /** After taking over a dead run's lock on the same host: stop what that run left running
   * through this worker that no handle names. Returns how many process groups it stopped. */
  sweep?(run: string): Promise<number>;
  /** At the end of a run, under its lock: remove what earlier runs left for this worker that no
   * later run can re-attach to (`open`: the runs that have an attempt started and never ended). */
  tidy?(open: ReadonlySet<string>): Promise<void>;
  /** A run is about to plan and start jobs: begin what taking them needs (a connection), so it
   * is ready by the first one. Never throws, needs no await: close() stops what it started. */
  prepare?(): void;
  close(): Promise<void>;
}

export interface Executor {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

/** An executor of the given workers. */
export function workersOf(...workers: Worker[]): Executor {
  return {
    workers,
    async close() {
      for (const w of workers) await w.close();
    },
  };
}
