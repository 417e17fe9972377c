// `dax why`: why a job would run, or why it is up to date, traced back through what it needs.
// Read-only, like dax status: the same decision dax run would make (plan.ts decide()).
import type { ConfigError } from '../config/model.js';
import type { Graph } from '../graph/graph.js';
import type { Job } from '../graph/job.js';
import { Files } from '../state/files.js';
import { journalState, type Journal } from '../state/journal.js';
import { liveRunId } from '../state/runs.js';
import { describeReason, type Reason } from '../state/staleness.js';
import { ok, type Result } from '../util/result.js';
import { decide } from './plan.js';
import { loadJournal, makePools, planGraph, type Project } from './run.js';
import { workerSlots } from './workers.js';

export interface WhyAnswer {
  lines: string[];
  /** How many jobs of the traced ones would run. */
  toRun: number;
}

/** Lines before the trace is cut short: a chain over 10^4 chunks is for dax run -n. */
const MAX_LINES = 60;
/** Names listed before "and N more". */
const MAX_NAMES = 5;

export function why(project: Project, target: string): Result<WhyAnswer, ConfigError> {
  const g = planGraph(project, [target], makePools(project.config), workerSlots(project.config));
  if (!g.ok) return g;
  if (g.value.targets.length === 0) return ok(sourceAnswer(project, target));
  const journal = loadJournal(project);
  const files = new Files(project.config.projectDir);
  const { toRun } = decide(g.value, journal, files, project.checks);
  const live = liveRunId(project.stateDir);
  const t = new Tracer(g.value, journal, toRun, live);
  for (const job of g.value.targets) t.job(job, 0);
  return ok({ lines: t.lines, toRun: toRun.size });
}

/** A target no rule makes: a file dax only reads. */
function sourceAnswer(project: Project, target: string): WhyAnswer {
  const lines = [`${target} is a source file: no rule makes it, so dax never runs anything for it`];
  const all = planGraph(project, [], makePools(project.config), workerSlots(project.config));
  if (all.ok) {
    const users = all.value.jobs.filter((j) => j.inputs.includes(target)).map((j) => j.id);
    if (users.length) lines.push(`  read by ${names(users)}; when it changes, they run again (dax why ${users[0]})`);
  }
  return { lines, toRun: 0 };
}

function names(ids: string[]): string {
  return ids.length <= MAX_NAMES ? ids.join(', ') : `${ids.slice(0, MAX_NAMES).join(', ')} and ${ids.length - MAX_NAMES} more`;
}

function when(ts: number): string {
  const d = new Date(ts);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

class Tracer {
  readonly lines: string[] = [];
  private readonly done = new Set<Job>();
  private cut = 0;

  constructor(
    private readonly graph: Graph,
    private readonly journal: Journal,
    private readonly toRun: Map<Job, Reason>,
    private readonly live: string | undefined,
  ) {}

  private say(depth: number, text: string): boolean {
    if (this.lines.length >= MAX_LINES) {
      this.cut++;
      if (this.cut === 1) this.lines.push('  … (cut short: dax run -n lists every job that would run, and why)');
      return false;
    }
    this.lines.push('  '.repeat(depth) + text);
    return true;
  }

  private runningIn(job: Job): string | undefined {
    const h = this.journal.jobs.get(job.id);
    return this.live && journalState(h) === 'started' && h!.lastStart!.r === this.live ? this.live : undefined;
  }

  job(job: Job, depth: number): void {
    if (this.done.has(job)) {
      this.say(depth, `${job.id}: see above`);
      return;
    }
    this.done.add(job);
    const running = this.runningIn(job);
    const reason = this.toRun.get(job);
    if (running) {
      this.say(depth, `${job.id} is running now, in run ${running}`);
      return;
    }
    if (!reason) {
      this.upToDate(job, depth);
      return;
    }
    if (!this.say(depth, `${job.id} would run: ${describeReason(reason)}${this.sourceNote(reason)}`)) return;
    const stale = job.deps.filter((d) => this.toRun.has(d));
    for (const d of stale) this.job(d, depth + 1);
    const fine = job.deps.filter((d) => !this.toRun.has(d));
    if (fine.length && stale.length) this.say(depth + 1, `up to date: ${names(fine.map((d) => d.id))}`);
  }

  private sourceNote(r: Reason): string {
    if (r.kind !== 'input-changed' || this.graph.jobs.some((j) => j.outputs.includes(r.path))) return '';
    return ' (a source file)';
  }

  private upToDate(job: Job, depth: number): void {
    const h = this.journal.jobs.get(job.id);
    const rec = journalState(h) === 'ok' ? h!.lastEnd : undefined;
    const made = rec
      ? `made by run ${rec.r} at ${when(rec.ts)}; its command and its ${rec.i.length === 1 ? 'input are' : `${rec.i.length} inputs are`} as they were then`
      : 'its outputs exist and are newer than its inputs (made outside dax: the journal has no record of it)';
    if (!this.say(depth, `${job.id} is up to date: ${made}`)) return;
    const made0 = job.deps.map((d) => d.id);
    const sources = job.inputs.filter((p) => !job.deps.some((d) => d.outputs.includes(p)));
    if (made0.length) this.say(depth + 1, `its inputs from ${names(made0)}: up to date, and so is everything they need`);
    if (sources.length) this.say(depth + 1, `source files, ${rec ? 'unchanged since' : 'older than its outputs'}: ${names(sources)}`);
  }
}
