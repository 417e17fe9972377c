// Deciding what runs: each job of the graph, in dependency order, against the journal and files.
import type { Var } from '../config/model.js';
import type { Graph } from '../graph/graph.js';
import type { Job } from '../graph/job.js';
import type { Files } from '../state/files.js';
import type { Journal } from '../state/journal.js';
import type { InputPrint } from '../state/records.js';
import { whyRun, type OutputCheck, type Reason } from '../state/staleness.js';

export interface Decision {
  toRun: Map<Job, Reason>;
  /** Jobs whose inputs were touched without a content change: the journal learns the new prints. */
  refreshed: Array<{ job: Job; prints: InputPrint[] }>;
}

/** `vars`: for saying what changed in a command; `forced`: jobs that run whatever their state
 * (dax run -B); what depends on them runs too. */
export function decide(graph: Graph, journal: Journal, files: Files, checks: Map<string, OutputCheck>, vars?: Readonly<Record<string, Var>>, forced?: ReadonlySet<Job>): Decision {
  const toRun = new Map<Job, Reason>();
  const refreshed: Decision['refreshed'] = [];
  const ctx = { journal, files, checks, willRun: (j: Job) => toRun.has(j), ...(vars ? { vars } : {}) };
  const refresh = (job: Job, prints: InputPrint[]): void => {
    refreshed.push({ job, prints });
  };
  for (const job of graph.jobs) {
    if (forced?.has(job)) {
      toRun.set(job, { kind: 'forced' });
      continue;
    }
    // The command hash is only needed when the journal has a record to compare it with.
    const r = whyRun(job, () => job.rule.commandHash(job.values, job.inputs, job.outputs), ctx, refresh);
    if (r) toRun.set(job, r);
  }
  return { toRun, refreshed };
}
