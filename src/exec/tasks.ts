// Tasks: jobs that run inside dax instead of as processes (`task: [NAME, args...]`), for dax's
// own steps (collecting, merging and releasing an acquisition) where starting a Node process per
// step would cost more than the step. Each runs on a worker thread of a small pool that the local
// worker keeps for the run, so a long merge never holds up the scheduler and a task that does not
// stop when asked can still be ended (the thread is terminated, as SIGKILL ends a process).
// Outputs are written to the attempt's temporary names and published by the engine, as for any
// command: a dax killed mid-task leaves nothing half-written under an output's name.
import { Worker as Thread } from 'node:worker_threads';
import type { TaskPlugin } from '../graph/plugins.js';
import type { AttemptResult, RunningAttempt } from './executor.js';

/** What a task function is given. */
export interface TaskContext {
  /** The job's working directory (absolute): relative arguments resolve against it. */
  cwd: string;
  /** The job's own variables (DAX_JOB, DAX_RUN, the rule's env:). */
  env: Record<string, string>;
  /** Aborted when the job is asked to stop (a signal, a timeout): the task should end soon. */
  signal: AbortSignal;
  /** Appends text to the job's log. */
  log(text: string): void;
}

/** A task: resolves to the job's exit code (0 = success). An exception is a bug in the task: the
 * job fails with exit code 70 and the stack in its log. */
export type TaskFunction = (args: string[], ctx: TaskContext) => Promise<number>;

/** One task for a thread, in absolute terms (posted to the thread as is). */
export interface TaskMessage {
  t: 'run';
  id: number;
  name: string;
  module: string;
  exportName: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  log: string;
  appendLog: boolean;
}
export type ToThread = TaskMessage | { t: 'stop'; id: number };
export type FromThread = { t: 'done'; id: number; code: number };

/** The exit code of a task that threw, or whose thread died: a bug, as for dax itself. */
export const TASK_BUG = 70;

interface Busy {
  thread: Thread;
  resolve(r: AttemptResult): void;
}

export class TaskRunner {
  private readonly idle: Thread[] = [];
  private readonly busy = new Map<number, Busy>();
  private nextId = 1;

  constructor(private readonly plugins: ReadonlyMap<string, TaskPlugin>) {}

  /** Starts task `name`; `onRunning` gets a reference for the journal once it runs. */
  start(job: Omit<TaskMessage, 't' | 'id' | 'module' | 'exportName'>, onRunning: (ref: string) => void): RunningAttempt {
    const plugin = this.plugins.get(job.name);
    if (!plugin) return { done: Promise.resolve({ kind: 'spawn-error', message: `no task '${job.name}' in this dax` }), kill() {} };
    const id = this.nextId++;
    const thread = this.idle.pop() ?? this.spawn();
    thread.ref();
    const done = new Promise<AttemptResult>((resolve) => this.busy.set(id, { thread, resolve }));
    thread.postMessage({ t: 'run', id, module: plugin.module, exportName: plugin.exportName, ...job } satisfies ToThread);
    queueMicrotask(() => onRunning(`task:${thread.threadId}`));
    return {
      done,
      kill: (signal) => {
        const b = this.busy.get(id);
        if (!b) return;
        if (signal !== 'SIGKILL') {
          b.thread.postMessage({ t: 'stop', id } satisfies ToThread);
          return;
        }
        // Ended like a process that ignored SIGTERM; the thread is not reused.
        this.busy.delete(id);
        b.resolve({ kind: 'signaled', signal: 'SIGKILL' });
        void b.thread.terminate();
      },
    };
  }

  async close(): Promise<void> {
    const all = [...this.idle.splice(0), ...[...this.busy.values()].map((b) => b.thread)];
    this.busy.clear();
    await Promise.all(all.map((t) => t.terminate()));
  }

  private spawn(): Thread {
    const thread = new Thread(new URL('../exec/task-thread.js', import.meta.url)) // from dist/exec or the CLI's dist/bundle;
    thread.on('message', (m: FromThread) => {
      const b = this.busy.get(m.id);
      if (!b) return;
      this.busy.delete(m.id);
      thread.unref();
      this.idle.push(thread);
      b.resolve({ kind: 'exited', code: m.code });
    });
    // A thread that dies (out of memory, a crash in the runtime) fails the task it ran.
    const died = (why: string): void => {
      const i = this.idle.indexOf(thread);
      if (i >= 0) this.idle.splice(i, 1);
      for (const [id, b] of this.busy) {
        if (b.thread !== thread) continue;
        this.busy.delete(id);
        b.resolve({ kind: 'spawn-error', message: `the task's thread ended: ${why}` });
      }
    };
    thread.on('error', (e) => died(e.message));
    thread.on('exit', (code) => died(`exit ${code}`));
    return thread;
  }
}
