// Why a job runs: the run conditions of the Daxfile contract, as values a user can read.
import type { Job } from '../graph/job.js';
import type { Files } from './files.js';
import { journalState, type Journal } from './journal.js';
import type { InputPrint } from './records.js';
import type { Var } from '../config/model.js';
import { cmdChanges, cmdPrint } from './commands.js';

// The reasons and their words live apart (reasons.ts): loggers need them, and a no-op run, which
// loads loggers but never judges a job, starts sooner without this module.
export { describeReason, reasonGroup, type Reason } from './reasons.js';
import type { Reason } from './reasons.js';

/** A check on an output file's content, e.g. `csv`. Returns a problem, or undefined if fine. */
export type OutputCheck = (absPath: string) => string | undefined;

export interface StalenessContext {
  journal: Journal;
  files: Files;
  /** Jobs already known to run in this plan. */
  willRun: (job: Job) => boolean;
  checks: Map<string, OutputCheck>;
  /** The config's vars: with them a command change says what changed. */
  vars?: Readonly<Record<string, Var>>;
}

/** Status classes `dax status` counts. */
export type JobClass = 'up-to-date' | 'missing' | 'incomplete' | 'stale' | 'failed';

export function classOf(r: Reason | undefined): JobClass {
  if (!r) return 'up-to-date';
  switch (r.kind) {
    case 'missing':
      return 'missing';
    case 'incomplete':
    case 'check':
      return 'incomplete';
    case 'failed':
      return 'failed';
    case 'command':
    case 'inputs-set':
    case 'input-changed':
    case 'dependency':
    case 'older':
    case 'forced':
      return 'stale';
  }
}

/**
 * The first reason the job must run, or undefined when it is up to date.
 * `refresh` collects input prints whose mtime moved while the content did not, so the
 * journal can learn them and the next run need not hash again.
 */
export function whyRun(job: Job, cmdHash: () => string, ctx: StalenessContext, refresh?: (job: Job, prints: InputPrint[]) => void): Reason | undefined {
  // An empty journal (a project never built) knows no job: no need to make its name.
  const hist = ctx.journal.jobs.size === 0 ? undefined : ctx.journal.jobs.get(job.id);
  const state = journalState(hist);
  if (state === 'started' || state === 'incomplete') return { kind: 'incomplete' };
  if (state === 'failed') return { kind: 'failed' };
  for (const out of job.outputs) {
    if (!ctx.files.exists(out)) return { kind: 'missing', path: out };
  }
  const check = job.rule.check;
  if (check !== undefined) {
    const fn = ctx.checks.get(check);
    if (fn) {
      for (const out of job.outputs) {
        const problem = fn(ctx.files.abs(out));
        if (problem) return { kind: 'check', path: out, detail: problem };
      }
    }
  }
  for (const d of job.deps) if (ctx.willRun(d)) return { kind: 'dependency', job: d.id };
  const rec = state === 'ok' ? hist!.lastEnd! : undefined;
  if (!rec) {
    // Made outside dax: done when newer than all its inputs, as make would say.
    let oldest = Infinity;
    let oldestOut = '';
    for (const out of job.outputs) {
      const s = ctx.files.stat(out);
      if (!s) return { kind: 'missing', path: out }; // went between the listing and now
      if (s.mtimeMs < oldest) {
        oldest = s.mtimeMs;
        oldestOut = out;
      }
    }
    for (const inp of job.inputs) {
      const s = ctx.files.stat(inp);
      if (s && s.mtimeMs > oldest) return { kind: 'older', output: oldestOut, input: inp };
    }
    return undefined;
  }
  if (rec.i.length !== job.inputs.length || rec.i.some((p, k) => p[0] !== job.inputs[k])) {
    const before = new Set(rec.i.map((p) => p[0]));
    const now = new Set(job.inputs);
    const added = job.inputs.filter((p) => !before.has(p));
    const removed = [...before].filter((p) => !now.has(p));
    if (added.length || removed.length) return { kind: 'inputs-set', added, removed };
    // Same set in another order: the command may differ, but the command hash caught that.
  }
  if (rec.c !== cmdHash()) return { kind: 'command', changes: ctx.vars ? cmdChanges(ctx.journal.cmd(rec.r, job.rule.name), cmdPrint(job.rule, ctx.vars)) : [] };
  let moved: InputPrint[] | undefined;
  for (const print of rec.i) {
    const [p, size, mtimeMs, hash] = print;
    const s = ctx.files.stat(p);
    if (!s) return { kind: 'input-changed', path: p };
    if (s.mtimeMs === mtimeMs && s.size === size) continue;
    if (s.size !== size || hash === '') return { kind: 'input-changed', path: p };
    // Touched: the content decides.
    if (ctx.files.hashSync(p) !== hash) return { kind: 'input-changed', path: p };
    (moved ??= rec.i.map((x) => [...x] as InputPrint));
    const m = moved.find((x) => x[0] === p)!;
    m[1] = s.size;
    m[2] = s.mtimeMs;
  }
  if (moved && refresh) refresh(job, moved);
  return undefined;
}
