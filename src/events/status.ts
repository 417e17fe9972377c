// The live status line of a terminal, ninja style: how far the run is, what runs (the job that
// has run longest, and for how long), what is blocked, the elapsed time and an ETA from each
// rule's mean duration, elided to the terminal's width.
import { printable } from '../util/printable.js';
import { assertNever } from '../util/result.js';
import { type Counts, type DaxEvent, type RulePlan, formatDuration } from './events.js';

interface Running {
  job: string;
  rule: string;
  since: number;
}

interface RuleState {
  plan: RulePlan;
  /** Jobs of the rule that will not run any more: ended for good, or blocked. */
  settled: number;
  /** This run's successful durations. */
  ms: number;
  n: number;
}

export class StatusLine {
  private counts: Counts | undefined;
  private started = 0;
  private slots = 0;
  private keepGoing = false;
  private stopping = false;
  private blocked = 0;
  private readonly running = new Map<string, Running>();
  private readonly rules = new Map<string, RuleState>();

  get active(): boolean {
    return this.counts !== undefined;
  }

  event(e: DaxEvent): void {
    switch (e.type) {
      case 'run-start':
        this.counts = e.counts;
        this.started = e.ts;
        this.slots = e.jobs;
        this.keepGoing = !!e.keepGoing;
        for (const [rule, plan] of Object.entries(e.rules ?? {})) this.rules.set(rule, { plan, settled: 0, ms: 0, n: 0 });
        return;
      case 'progress':
        this.counts = e.counts;
        return;
      case 'notice':
        if (e.notice.kind === 'stopping') this.stopping = true;
        return;
      case 'job-start':
        this.running.set(e.job, { job: e.job, rule: e.rule, since: e.ts });
        return;
      case 'job-end':
        this.jobEnd(e);
        return;
      case 'job-skipped': {
        this.blocked++;
        const r = this.rules.get(e.rule);
        if (r) r.settled++;
        return;
      }
      case 'job-queued':
      case 'message':
      case 'plan':
      case 'report':
      case 'run-end':
        return;
      default:
        assertNever(e);
    }
  }

  private jobEnd(e: Extract<DaxEvent, { type: 'job-end' }>): void {
    this.running.delete(e.job);
    if (e.retry) return;
    const r = this.rules.get(e.rule);
    if (r) {
      r.settled++;
      if (e.status === 'ok') {
        r.ms += e.durationMs;
        r.n++;
      }
    }
    if (e.status === 'failed' && !this.keepGoing) this.stopping = true;
  }

  /** The status line at `now`, at most `width` columns. */
  render(now: number, width: number): string {
    const c = this.counts;
    if (!c) return '';
    const finished = c.done + c.failed + c.incomplete;
    const parts = [`[${finished}/${c.toRun}]`];
    const state: string[] = [];
    if (this.stopping) state.push(`stopping, ${c.running} running`);
    else state.push(`${c.running} running`);
    if (c.failed) state.push(`${c.failed} failed`);
    if (this.blocked) state.push(`${this.blocked} blocked`);
    parts.push(state.join(', '));
    parts.push(`elapsed ${coarse(now - this.started)}`);
    const eta = this.eta(now);
    if (eta !== undefined) parts.push(`ETA ${eta < 1000 ? '<1s' : coarse(eta)}`);
    let s = parts.join(' | ');
    const longest = this.longest();
    if (longest) {
      const time = ` ${coarse(now - longest.since)}`;
      const room = width - 1 - s.length - 3 - time.length;
      // The job's name gives way first, elided in the middle, as ninja does.
      if (room >= 8) s += ` | ${elide(printable(longest.job), room)}${time}`;
    }
    return s.length > width - 1 ? elide(s, width - 1) : s;
  }

  private longest(): Running | undefined {
    let best: Running | undefined;
    for (const r of this.running.values()) if (!best || r.since < best.since) best = r;
    return best;
  }

  /** Milliseconds of work left over the slots that share it; undefined without a mean to go by.
   * Jobs that cannot start (blocked, or after a failure without -k) are not counted. A rule's
   * mean is its journal history's, else this run's so far, else that of every rule seen. */
  private eta(now: number): number | undefined {
    let allMs = 0;
    let allN = 0;
    for (const r of this.rules.values()) {
      if (r.n > 0) {
        allMs += r.ms;
        allN += r.n;
      } else if (r.plan.meanMs !== undefined) {
        allMs += r.plan.meanMs;
        allN++;
      }
    }
    if (allN === 0) return undefined;
    const mean = (r: RuleState | undefined): number => r?.plan.meanMs ?? (r && r.n > 0 ? r.ms / r.n : allMs / allN);
    let work = 0;
    let jobs = 0;
    const runningOf = new Map<string, number>();
    for (const run of this.running.values()) {
      work += Math.max(0, mean(this.rules.get(run.rule)) - (now - run.since));
      jobs++;
      runningOf.set(run.rule, (runningOf.get(run.rule) ?? 0) + 1);
    }
    if (!this.stopping) {
      for (const [rule, r] of this.rules) {
        const waiting = Math.max(0, r.plan.toRun - r.settled - (runningOf.get(rule) ?? 0));
        work += waiting * mean(r);
        jobs += waiting;
      }
    }
    if (jobs === 0) return 0;
    return work / (this.slots === 0 ? jobs : Math.min(this.slots, jobs));
  }
}

/** A duration that changes calmly on a line redrawn five times a second: 0.4s, 12s, 3m05s. */
export function coarse(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  return formatDuration(Math.floor(s) * 1000);
}

/** `s` cut to `width` columns, with an ellipsis in the middle. */
export function elide(s: string, width: number): string {
  if (s.length <= width) return s;
  if (width <= 1) return s.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (width - 1 - head))}`;
}
