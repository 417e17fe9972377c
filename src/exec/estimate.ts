// Per rule, what a run has to do and how long its jobs took before: the live status line's ETA
// comes from these means (then from this run's own durations as they come in).
import type { RulePlan } from '../events/events.js';
import type { Job } from '../graph/job.js';
import type { Journal } from '../state/journal.js';

export function rulePlans(jobs: readonly Job[], toRun: ReadonlyMap<Job, unknown>, journal: Journal): Record<string, RulePlan> {
  const plans: Record<string, RulePlan> = {};
  const sums = new Map<string, { ms: number; n: number }>();
  for (const job of jobs) {
    const rule = job.rule.name;
    const plan = (plans[rule] ??= { toRun: 0 });
    if (toRun.has(job)) plan.toRun++;
    const end = journal.jobs.get(job.id)?.lastEnd;
    if (end?.s !== 'ok' || end.ts < end.b) continue;
    const s = sums.get(rule) ?? { ms: 0, n: 0 };
    s.ms += end.ts - end.b;
    s.n++;
    sums.set(rule, s);
  }
  for (const [rule, s] of sums) plans[rule]!.meanMs = Math.round(s.ms / s.n);
  for (const rule of Object.keys(plans)) if (plans[rule]!.toRun === 0) delete plans[rule];
  return plans;
}
