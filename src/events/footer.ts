// The words at both ends of a run: the header (why work runs, with what), and the footer of a
// run that had failures (each failed job with its command and log, what did not start, what to
// do next), so the reason for a failure is the last thing on the screen or in the mail.
import { printable } from '../util/printable.js';
import { type Counts, type DaxEvent, formatDuration } from './events.js';

type RunStart = Extract<DaxEvent, { type: 'run-start' }>;
type JobEnd = Extract<DaxEvent, { type: 'job-end' }>;
type RunEnd = Extract<DaxEvent, { type: 'run-end' }>;

/** Failed jobs shown in full (command, log tail); the others are named. */
const DETAILED = 5;
const NAMED = 20;
const TAIL_LINES = 10;

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The run header: what runs and why, then which dax, where, with which options. */
export function headerLines(e: RunStart, version: string | undefined): string[] {
  const c = e.counts;
  const why = e.reasons?.length ? `: ${e.reasons.map(([what, n]) => `${n} ${what}`).join(', ')}` : '';
  const with_: string[] = [];
  if (version) with_.push(`dax ${version}`);
  if (e.directory) with_.push(`in ${e.directory}`);
  with_.push(`--jobs ${e.jobs === 0 ? 'unlimited' : e.jobs}`);
  for (const [k, v] of Object.entries(e.sets)) with_.push(`--set ${k}=${v}`);
  if (e.keepGoing) with_.push('-k');
  if (e.resumes) with_.push(`continues run ${e.resumes}`);
  return [`run ${e.run}: ${c.toRun} of ${c.total} jobs to run (${c.upToDate} up to date)${why}`, with_.join(', ')];
}

export function summary(c: Counts, elapsedMs: number): string {
  const parts = [`${c.done} done`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.incomplete) parts.push(`${c.incomplete} incomplete`);
  if (c.skipped) parts.push(`${c.skipped} not started`);
  parts.push(`${c.upToDate} up to date`);
  return `${parts.join(', ')} (${c.total} jobs) in ${formatDuration(elapsedMs)}`;
}

export function resultWord(r: RunEnd['result']): string {
  switch (r) {
    case 'ok':
      return 'succeeded';
    case 'failed':
      return 'FAILED';
    case 'interrupted':
      return 'INTERRUPTED';
    case 'nothing-to-do':
      return 'nothing to do';
    case 'dry-run':
      return 'dry run';
  }
}

/** A job-end that is a failure for good (not retried). */
export function failedForGood(e: JobEnd): boolean {
  return e.status === 'failed' && !e.retry;
}

/** What the footer needs, gathered as the run goes. */
export class RunTally {
  keepGoing = false;
  /** A signal (or abort) stopped the run. */
  stopped = false;
  readonly failed: JobEnd[] = [];
  /** Jobs cut short when the run was stopped. */
  readonly incomplete: string[] = [];
  /** Jobs that never started because a job they depend on failed. */
  blocked = 0;

  event(e: DaxEvent): void {
    if (e.type === 'run-start') this.keepGoing = !!e.keepGoing;
    else if (e.type === 'notice' && e.notice.kind === 'stopping') this.stopped = true;
    else if (e.type === 'job-skipped') this.blocked++;
    else if (e.type === 'job-end') {
      if (failedForGood(e)) this.failed.push(e);
      else if (e.status !== 'ok' && !e.retry && this.stopped) this.incomplete.push(e.job);
    }
  }

  /** Whether a job-end is told only in the footer (stopped jobs: one line for them all). */
  quiet(e: JobEnd): boolean {
    return this.stopped && e.status !== 'ok' && e.status !== 'failed' && !e.retry;
  }

  /** The footer of a run that had failures or was stopped; none for a clean run. */
  footer(e: RunEnd): string[] {
    const c = e.counts;
    if (this.failed.length === 0 && c.incomplete === 0 && !this.stopped) return [];
    const out: string[] = [];
    if (this.failed.length) {
      out.push('', `${plural(this.failed.length, 'job')} failed:`);
      for (const f of this.failed.slice(0, DETAILED)) out.push(...failureLines(f));
      const rest = this.failed.slice(DETAILED);
      if (rest.length) {
        const names = rest.slice(0, NAMED).map((f) => f.job).join(', ');
        out.push(`  and ${rest.length} more: ${printable(names)}${rest.length > NAMED ? ', …' : ''} (dax runs, or each job's log under .dax/logs/)`);
      }
    }
    if (this.incomplete.length) {
      const names = this.incomplete.slice(0, NAMED).join(', ');
      out.push(`stopped ${plural(this.incomplete.length, 'running job')} (incomplete): ${printable(names)}${this.incomplete.length > NAMED ? ', …' : ''}`);
    }
    const blocked = Math.min(this.blocked, c.skipped);
    const held = c.skipped - blocked;
    if (blocked) out.push(`${plural(blocked, 'job')} did not start: ${blocked === 1 ? 'it depends' : 'they depend'} on a failed job`);
    if (held) {
      const why = this.stopped ? 'the run was stopped' : !this.keepGoing && this.failed.length ? 'dax stopped starting jobs after the first failure' : 'the run ended early';
      out.push(`${plural(held, 'job')} did not start: ${why}`);
    }
    const resume = `dax resume ${e.run}`;
    out.push(`what now: ${this.failed.length ? 'fix the cause, then ' : ''}\`${resume}\` runs what is left`);
    if (!this.keepGoing && this.failed.length) out.push('          (with -k, dax keeps running the jobs that do not depend on a failure)');
    return out;
  }
}

function failureLines(f: JobEnd): string[] {
  const how = f.status === 'failed' ? f.why ?? 'failed' : `${f.status}: ${f.why ?? ''}`;
  const attempts = f.maxAttempts && f.maxAttempts > 1 ? `, attempt ${f.attempt} of ${f.maxAttempts}` : '';
  const out = [`  ${printable(f.job)} (${printable(how)}, after ${formatDuration(f.durationMs)}${attempts}${f.worker !== 'local' ? `, on ${f.worker}` : ''})`];
  if (f.command !== undefined) {
    const lines = f.command.replace(/\n+$/, '').split('\n');
    out.push(`    command: ${printable(lines[0]!)}`, ...lines.slice(1).map((l) => `             ${printable(l)}`));
  }
  if (!f.logMissing) {
    const tail = (f.logTail ?? []).slice(-TAIL_LINES);
    out.push(`    log: ${printable(f.log)}${tail.length ? `, last ${plural(tail.length, 'line')}:` : ' (empty)'}`);
    for (const l of tail) out.push(`      | ${printable(l)}`);
  }
  return out;
}
