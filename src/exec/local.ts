// The local worker: this machine, `--jobs` slots, each job in its own process group so stopping
// it stops all it started. Jobs start through posix_spawn (native.ts) when the addon is built,
// else through Node's child_process; both give the same results. child_process is used directly
// rather than through execa: at thousands of jobs a second the extra layer costs more than it
// gives here.
import type { spawn as Spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AttemptEvents, AttemptResult, Handle, JobSpec, Reattach, RunningAttempt, Worker } from './executor.js';
import { errnoName, nativeSpawn, signalName } from './native.js';
import { writeHeaderLog } from './logtail.js';
import { groupAlive, orphanGroups, stopGroups } from '../state/orphans.js';
import type { TaskPlugin } from '../graph/plugins.js';
import { TaskRunner } from './tasks.js';

export const LOCAL = 'local';

export class LocalWorker implements Worker {
  readonly name = LOCAL;
  readonly pools: Record<string, number> = {};
  readonly up = true;
  readonly lazyLog = true;
  private readonly native = nativeSpawn();
  private baseEnvSent = false;
  private prefix: string | undefined;
  private taskRunner: TaskRunner | undefined;

  /** `slots`: --jobs (0 = unlimited); `tasks`: the task plugins its `task:` jobs may name. */
  constructor(
    private readonly projectDir: string,
    readonly slots: number,
    private readonly tasks: ReadonlyMap<string, TaskPlugin> = new Map(),
  ) {}

  start(spec: JobSpec, events: AttemptEvents): RunningAttempt {
    const abs = (p: string): string => this.abs(p);
    // Only the native spawner writes the header lazily: tasks and child_process get it now
    // (they are rare, or the slow path anyway), then append.
    const lazy = this.native !== null && spec.task === undefined;
    const header = lazy ? spec.logHeader : undefined;
    let appendLog = spec.appendLog;
    if (!lazy && spec.logHeader !== undefined) {
      writeHeaderLog(abs(spec.log), spec.logHeader);
      appendLog = true;
    }
    if (spec.task !== undefined) {
      this.taskRunner ??= new TaskRunner(this.tasks);
      const job = { name: spec.task, args: spec.argv, cwd: abs(spec.cwd), env: spec.env, log: abs(spec.log), appendLog };
      return this.taskRunner.start(job, (ref) => events.running({ worker: this.name, ref }));
    }
    const job: LocalJob = {
      argv: spec.argv,
      cwd: abs(spec.cwd),
      // DAX_WORKER tells this worker's processes from other executors' on the same host (see sweep).
      env: { ...spec.env, DAX_WORKER: this.name },
      log: abs(spec.log),
      appendLog,
      header,
      publish: publishList(spec, abs),
    };
    const onPid = (pid: number): void => events.running({ worker: this.name, ref: `pgid:${pid}` });
    return this.native ? this.startNative(job, onPid) : this.startNode(job, onPid);
  }

  /** An earlier run's local job cannot be waited on (it is no child of ours) and its outputs
   * were to be moved in by that dax: stop what is left of it; the job reruns. */
  async reattach(handle: Handle, spec: JobSpec): Promise<Reattach> {
    if (handle.ref.startsWith('task:')) return { kind: 'gone', why: 'it ran inside the dax that ended' };
    const pgid = Number(/^pgid:(\d+)$/.exec(handle.ref)?.[1]);
    if (!pgid || !groupAlive(pgid) || !orphanGroups(spec.run).includes(pgid)) return { kind: 'gone', why: 'no longer running' };
    await stopGroups(() => orphanGroups(spec.run).filter((g) => g === pgid));
    return { kind: 'gone', why: `stopped process group ${pgid}, left running by run ${spec.run}` };
  }

  /** Stops every process a dead run left running on this machine through this worker: found by
   * DAX_RUN in /proc (jobs started before their handle was written down included). */
  async sweep(run: string): Promise<number> {
    const mine = (): number[] => orphanGroups(run, (env) => !env.includes('\0DAX_WORKER=') || env.includes(`\0DAX_WORKER=${this.name}\0`));
    const n = mine().length;
    if (n > 0) await stopGroups(mine);
    return n;
  }

  async close(): Promise<void> {
    await this.taskRunner?.close();
  }

  /** A project-relative path made absolute. Paths of a job spec are normalized, so joining by
   * hand gives path.join's answer, without its cost at thousands of jobs a second. */
  private abs(p: string): string {
    if (p === '.') return this.projectDir;
    if (p.startsWith('/') || p === '..' || p.startsWith('../')) return path.join(this.projectDir, p);
    return (this.prefix ??= this.projectDir.endsWith('/') ? this.projectDir : this.projectDir + '/') + p;
  }

  private startNative(spec: LocalJob, onPid: (pid: number) => void): RunningAttempt {
    // dax's own environment goes to the addon once; each job sends only its own variables.
    const native = this.native!;
    if (!this.baseEnvSent) {
      native.setBaseEnv(Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])));
      this.baseEnvSent = true;
    }
    const envp = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    let resolve!: (r: AttemptResult) => void;
    const done = new Promise<AttemptResult>((r) => (resolve = r));
    // The job starts on a thread of its own: its pid arrives with the first event.
    let pid: number | undefined;
    let pendingSignal: NodeJS.Signals | undefined;
    try {
      native.spawn(spec.argv, envp, spec.cwd, spec.log, spec.appendLog, spec.header ?? '', spec.publish, (kind, a, b, c) => {
        switch (kind) {
          case 0:
            pid = a;
            onPid(pid);
            if (pendingSignal) killGroup(pid, pendingSignal);
            return;
          case 1: {
            const message = `${errnoName(a)} (${spec.argv[0]})`;
            logStartFailure(spec, message);
            resolve({ kind: 'spawn-error', message });
            return;
          }
          case 2:
            resolve(b ? { kind: 'signaled', signal: signalName(b) } : { kind: 'exited', code: a, published: c === 1 });
            return;
        }
      });
    } catch (e) {
      // No thread to start it on (a system limit): the job fails, with the reason, like any start failure.
      logStartFailure(spec, (e as Error).message);
      return failed((e as Error).message);
    }
    return {
      done,
      kill: (signal) => {
        if (pid === undefined) pendingSignal = signal;
        else killGroup(pid, signal);
      },
    };
  }

  private startNode(spec: LocalJob, onPid: (pid: number) => void): RunningAttempt {
    let fd: number;
    try {
      fd = openSync(spec.log, spec.appendLog ? 'a' : 'w');
    } catch (e) {
      return failed(`cannot open the job's log ${spec.log}: ${(e as Error).message}`);
    }
    let child;
    try {
      child = childSpawn()(spec.argv[0]!, spec.argv.slice(1), {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } catch (e) {
      closeSync(fd);
      logStartFailure(spec, (e as Error).message);
      return failed((e as Error).message);
    }
    const done = new Promise<AttemptResult>((resolve) => {
      let settled = false;
      child.once('error', (e) => {
        if (settled) return;
        settled = true;
        closeSync(fd);
        logStartFailure(spec, e.message);
        resolve({ kind: 'spawn-error', message: e.message });
      });
      child.once('exit', (code, signal) => {
        if (settled) return;
        settled = true;
        closeSync(fd);
        resolve(signal ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 1 });
      });
    });
    const pid = child.pid;
    // Said once start() has returned, as the native spawner does: the scheduler holds the
    // attempt by then (its timeout is set when the job runs).
    if (pid !== undefined) queueMicrotask(() => onPid(pid));
    return { done, kill: (signal) => pid !== undefined && killGroup(pid, signal) };
  }
}

let spawnFn: typeof Spawn | undefined;

/** child_process, loaded only when the native spawner is missing: a build starts sooner without it. */
function childSpawn(): typeof Spawn {
  return (spawnFn ??= (createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process')).spawn);
}

/** A job in this machine's absolute terms. */
interface LocalJob {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  log: string;
  appendLog: boolean;
  /** The native spawner writes it at the top of the log, when the job first writes something. */
  header: string | undefined;
  /** Renames once the job succeeded: from, to, from, to... */
  publish: string[];
}

function publishList(spec: JobSpec, abs: (p: string) => string): string[] {
  const list: string[] = [];
  for (let i = 0; i < spec.outputs.length; i++) list.push(abs(spec.temps[i]!), abs(spec.outputs[i]!));
  return list;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone already */
  }
}

function logStartFailure(spec: LocalJob, message: string): void {
  try {
    const fd = openSync(spec.log, spec.appendLog ? 'a' : 'w');
    writeSync(fd, `${spec.header ?? ''}dax: cannot start ${spec.argv[0]}: ${message}\n`);
    closeSync(fd);
  } catch {
    /* the log is best effort here */
  }
}

function failed(message: string): RunningAttempt {
  return { done: Promise.resolve({ kind: 'spawn-error', message }), kill() {} };
}
