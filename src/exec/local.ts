// The local executor: each job in its own process group, so stopping it stops all it started.
// Jobs start through posix_spawn (native.ts) when the addon is built, else through Node's
// child_process; both give the same results. child_process is used directly rather than through
// execa: at thousands of jobs a second the extra layer costs more than it gives here.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ExecResult, ExecSpec, Executor, RunningJob } from './executor.js';
import { errnoName, nativeSpawn, signalName } from './native.js';

export class LocalExecutor implements Executor {
  readonly name = 'local';
  private readonly native = nativeSpawn();
  private baseEnvSent = false;

  start(spec: ExecSpec): RunningJob {
    return this.native ? this.startNative(spec) : this.startNode(spec);
  }

  private startNative(spec: ExecSpec): RunningJob {
    // dax's own environment goes to the addon once; each job sends only its own variables.
    if (!this.baseEnvSent) {
      this.native!.setBaseEnv(Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])));
      this.baseEnvSent = true;
    }
    const envp = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    let resolve!: (r: ExecResult) => void;
    const done = new Promise<ExecResult>((r) => (resolve = r));
    // The job starts on a thread of its own: its pid arrives with the first event.
    let pid: number | undefined;
    let pendingSignal: NodeJS.Signals | undefined;
    try {
      this.native!.spawn(spec.argv, envp, spec.cwd, spec.logFile, spec.appendLog, spec.publish.flat(), (kind, a, b, c) => {
        switch (kind) {
          case 0:
            pid = a;
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
      get pid() {
        return pid;
      },
      done,
      kill: (signal) => {
        if (pid === undefined) pendingSignal = signal;
        else killGroup(pid, signal);
      },
    };
  }

  private startNode(spec: ExecSpec): RunningJob {
    let fd: number;
    try {
      fd = openSync(spec.logFile, spec.appendLog ? 'a' : 'w');
    } catch (e) {
      return failed(`cannot open log ${spec.logFile}: ${(e as Error).message}`);
    }
    let child;
    try {
      child = spawn(spec.argv[0]!, spec.argv.slice(1), {
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
    const done = new Promise<ExecResult>((resolve) => {
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
    return { pid, done, kill: (signal) => pid !== undefined && killGroup(pid, signal) };
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone already */
  }
}

function logStartFailure(spec: ExecSpec, message: string): void {
  try {
    const fd = openSync(spec.logFile, spec.appendLog ? 'a' : 'w');
    writeSync(fd, `dax: cannot start ${spec.argv[0]}: ${message}\n`);
    closeSync(fd);
  } catch {
    /* the log is best effort here */
  }
}

function failed(message: string): RunningJob {
  return { pid: undefined, done: Promise.resolve({ kind: 'spawn-error', message }), kill() {} };
}
