// Executors run one job's command somewhere: this machine, an SSH worker, a cluster.
export interface ExecSpec {
  argv: string[];
  cwd: string; // absolute
  env: Record<string, string>; // the job's own variables, added to dax's environment
  logFile: string; // absolute; stdout and stderr go here
  appendLog: boolean;
  /** Outputs to move into place when the job succeeds, [from, to] (absolute). An executor may
   * do it where the job ran and say so (`published`); otherwise dax does it. */
  publish: Array<[string, string]>;
}

export type ExecResult =
  | { kind: 'exited'; code: number; published?: boolean }
  | { kind: 'signaled'; signal: string }
  | { kind: 'spawn-error'; message: string };

export interface RunningJob {
  pid: number | undefined;
  done: Promise<ExecResult>;
  /** Signals the job's whole process group. */
  kill(signal: NodeJS.Signals): void;
}

export interface Executor {
  readonly name: string;
  start(spec: ExecSpec): RunningJob;
}
