// The pictures' graph: the rule graph or the job graph of a plan, each node with its state, as
// plain data the renderers (dot, svg, html) draw. Pure: from the jobs and their status classes.
import type { Job } from '../graph/job.js';
import type { JobStatus } from '../exec/status.js';
import { describeReason } from '../state/staleness.js';
import { assertNever } from '../util/result.js';

/** What a picture tells apart: the status classes folded into what a user acts on. */
export type ViewState = 'up-to-date' | 'to-run' | 'failed' | 'running';

/** In legend order; a rule node takes the first of these that any of its jobs is in, reversed
 * (failed beats running beats to run beats up to date): the worst news shows. */
export const VIEW_STATES: readonly ViewState[] = ['up-to-date', 'to-run', 'running', 'failed'];

export const STATE_LABEL: Record<ViewState, string> = {
  'up-to-date': 'up to date',
  'to-run': 'to run',
  running: 'running',
  failed: 'failed',
};

export type StateCounts = Record<ViewState, number>;

export interface ViewNode {
  id: string;
  /** Lines of the label: the first is the name. Raw text: each renderer escapes it. */
  lines: string[];
  state: ViewState;
  counts: StateCounts;
  /** Hover text (the why of a job's state). */
  detail?: string;
}

export interface ViewEdge {
  from: string;
  to: string;
}

export interface ViewGraph {
  kind: 'rules' | 'jobs';
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Jobs drawn or counted. */
  jobs: number;
}

export function viewState(s: JobStatus['state']): ViewState {
  switch (s) {
    case 'up-to-date':
      return 'up-to-date';
    case 'missing':
    case 'incomplete':
    case 'stale':
      return 'to-run';
    case 'failed':
    case 'blocked': // a missing source file: it cannot run until someone acts, as after a failure
      return 'failed';
    case 'running':
      return 'running';
    default:
      return assertNever(s);
  }
}

function noCounts(): StateCounts {
  return { 'up-to-date': 0, 'to-run': 0, running: 0, failed: 0 };
}

/** The state a node of many jobs is drawn in: the worst any of them is in. */
export function worstState(c: StateCounts): ViewState {
  for (let i = VIEW_STATES.length - 1; i > 0; i--) if (c[VIEW_STATES[i]!] > 0) return VIEW_STATES[i]!;
  return 'up-to-date';
}

/** "36 jobs: 30 up to date, 6 to run" (the states with no job left out). */
export function countsText(c: StateCounts): string {
  const total = VIEW_STATES.reduce((n, s) => n + c[s], 0);
  const parts = VIEW_STATES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${STATE_LABEL[s]}`);
  return `${total} job${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** A node per rule with jobs in the plan (in the Daxfile's order); rule A -> rule B when a job of
 * B needs an output of a job of A. */
export function ruleGraph(jobs: JobStatus[], ruleOrder: string[]): ViewGraph {
  const counts = new Map<string, StateCounts>();
  const edges = new Map<string, ViewEdge>();
  for (const { job, state } of jobs) {
    const name = job.rule.name;
    let c = counts.get(name);
    if (!c) counts.set(name, (c = noCounts()));
    c[viewState(state)]++;
    for (const d of job.deps) {
      const key = `${d.rule.name}\u0000${name}`;
      if (!edges.has(key)) edges.set(key, { from: d.rule.name, to: name });
    }
  }
  const order = new Map(ruleOrder.map((r, i) => [r, i]));
  const names = [...counts.keys()].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
  const nodes = names.map((id): ViewNode => {
    const c = counts.get(id)!;
    return { id, lines: [id, countsText(c)], state: worstState(c), counts: c };
  });
  return { kind: 'rules', nodes, edges: [...edges.values()], jobs: jobs.length };
}

/** A node per job; an edge from each job to the jobs that need its outputs. */
export function jobGraph(jobs: JobStatus[]): ViewGraph {
  const inPlan = new Set<Job>(jobs.map((j) => j.job));
  const nodes: ViewNode[] = [];
  const edges: ViewEdge[] = [];
  for (const { job, state, reason } of jobs) {
    const s = viewState(state);
    const counts = noCounts();
    counts[s] = 1;
    const detail = s === 'running' ? 'running now' : reason ? describeReason(reason) : STATE_LABEL[s];
    nodes.push({ id: job.id, lines: [job.id], state: s, counts, detail });
    for (const d of job.deps) if (inPlan.has(d)) edges.push({ from: d.id, to: job.id });
  }
  return { kind: 'jobs', nodes, edges, jobs: jobs.length };
}
