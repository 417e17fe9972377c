// The local executor: each job in its own process group, so stopping it stops all it started.
// It uses child_process directly rather than execa: at thousands of jobs a second the extra
// layer costs more than it gives here.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ExecResult, ExecSpec, Executor, RunningJob } from './executor.js';

export class LocalExecutor implements Executor {
  readonly name = 'local';

  start(spec: ExecSpec): RunningJob {
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
        env: spec.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } catch (e) {
      writeSync(fd, `dax: cannot start ${spec.argv[0]}: ${(e as Error).message}\n`);
      closeSync(fd);
      return failed((e as Error).message);
    }
    const done = new Promise<ExecResult>((resolve) => {
      let settled = false;
      child.once('error', (e) => {
        if (settled) return;
        settled = true;
        try {
          writeSync(fd, `dax: cannot start ${spec.argv[0]}: ${e.message}\n`);
        } catch {
          /* the log is best effort here */
        }
        closeSync(fd);
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
    return {
      pid,
      done,
      kill(signal) {
        if (pid === undefined) return;
        try {
          process.kill(-pid, signal);
        } catch {
          /* the group is gone already */
        }
      },
    };
  }
}

function failed(message: string): RunningJob {
  return { pid: undefined, done: Promise.resolve({ kind: 'spawn-error', message }), kill() {} };
}
