// The ready queue of a run: which jobs of the plan may start now (all their dependencies done),
// which wait, and which will never start because a dependency failed.
import type { Job } from '../graph/job.js';

export class ReadyQueue {
  /** A stack: a job's dependents run right after it, so chunks finish one after another
   * instead of every stage waiting for the whole previous stage. */
  private readonly ready: Job[] = [];
  /** Jobs of the plan not yet ready: how many of their dependencies are still to finish. */
  private readonly waiting = new Map<Job, number>();

  /** `running`: jobs of the plan that run already (re-attached): not ready, but waited for. */
  constructor(jobs: readonly Job[], toRun: ReadonlyMap<Job, unknown>, running: ReadonlySet<Job> = new Set()) {
    for (const job of jobs) {
      if (!toRun.has(job) || running.has(job)) continue;
      let n = 0;
      for (const d of job.deps) if (toRun.has(d)) n++;
      this.waiting.set(job, n);
    }
    for (let i = jobs.length - 1; i >= 0; i--) {
      const job = jobs[i]!;
      if (this.waiting.get(job) === 0) {
        this.waiting.delete(job);
        this.ready.push(job);
      }
    }
  }

  get size(): number {
    return this.ready.length;
  }

  /** Takes the newest ready job that `fits`; looks a little deeper when the top does not fit, so
   * one job waiting for a busy pool does not hold back jobs that need other pools. */
  take<T>(fits: (job: Job) => T | undefined, depth = 256): { job: Job; fit: T } | undefined {
    for (let i = this.ready.length - 1, seen = 0; i >= 0 && seen < depth; i--, seen++) {
      const job = this.ready[i]!;
      const fit = fits(job);
      if (fit === undefined) continue;
      if (i === this.ready.length - 1) this.ready.pop();
      else this.ready.splice(i, 1);
      return { job, fit };
    }
    return undefined;
  }

  /** A job goes (back) on the queue: a retry, or a job whose worker was lost. */
  push(job: Job): void {
    this.ready.push(job);
  }

  /** `job` succeeded: dependents whose last dependency it was become ready. */
  done(job: Job): void {
    for (const d of job.dependents) {
      const n = this.waiting.get(d);
      if (n === undefined) continue;
      if (n === 1) {
        this.waiting.delete(d);
        this.ready.push(d);
      } else this.waiting.set(d, n - 1);
    }
  }

  /** `job` failed for good: everything that depends on it will not start. Returns those jobs. */
  block(job: Job): Job[] {
    const blocked: Job[] = [];
    const stack = [...job.dependents];
    while (stack.length) {
      const d = stack.pop()!;
      if (!this.waiting.has(d)) continue;
      this.waiting.delete(d);
      blocked.push(d);
      stack.push(...d.dependents);
    }
    return blocked;
  }
}
