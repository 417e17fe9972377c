// How a project stands now, per rule and per job, without running anything: the one answer
// `dax status`, status files and reports share. Read-only; safe beside a live run, whose
// running jobs it counts as running.
import type { Job } from '../graph/job.js';
import { blockedJobs, type MissingInput } from '../graph/graph.js';
import type { ConfigError } from '../config/model.js';
import type { WildcardReport } from '../events/events.js';
import { Files } from '../state/files.js';
import { journalState, type RunInfo } from '../state/journal.js';
import { liveRunId } from '../state/runs.js';
import { jobGroups } from '../state/orphans.js';
import { classOf, whyRun, type JobClass, type Reason } from '../state/staleness.js';
import { ok, type Result } from '../util/result.js';
import { domainOf, reportByWildcard } from './report.js';
import { loadJournal, makePools, planGraph, type Project } from './run.js';
import { workerSlots } from './workers.js';
import type { JobState } from './scheduler.js';

export type RuleRow = Record<JobClass | 'total' | 'running' | 'blocked', number>;

export interface JobStatus {
  job: Job;
  state: JobClass | 'running' | 'blocked';
  reason?: Reason;
  /** A running job: where, its handle there (`pgid:PID` on this machine), since when. */
  running?: { worker: string; handle?: string; since: number };
  /** A blocked job: the input that is missing (its own, or a dependency's). */
  blocked?: MissingInput;
}

export interface ProjectStatus {
  rules: Map<string, RuleRow>;
  jobs: JobStatus[];
  live: string | undefined; // the run holding the lock now
  reports: WildcardReport[];
  lastRun: RunInfo | undefined;
  /** Every blocked job (missing inputs), for the lines that say why. */
  blocked: Map<Job, MissingInput>;
}

export function emptyRow(): RuleRow {
  return { total: 0, 'up-to-date': 0, missing: 0, incomplete: 0, stale: 0, running: 0, failed: 0, blocked: 0 };
}

export function projectStatus(project: Project, targets: string[]): Result<ProjectStatus, ConfigError> {
  // A missing source file blocks the jobs that need it; the others are still shown.
  const g = planGraph(project, targets, makePools(project.config), workerSlots(project.config), { allowMissing: true });
  if (!g.ok) return g;
  const blocked = blockedJobs(g.value);
  const journal = loadJournal(project);
  const live = liveRunId(project.stateDir);
  const files = new Files(project.config.projectDir);
  const rules = new Map<string, RuleRow>();
  for (const r of project.pipeline.rules) rules.set(r.name, emptyRow());
  const stale = new Set<Job>();
  const states = new Map<Job, JobState>();
  const jobs: JobStatus[] = [];
  const ctx = { journal, files, checks: project.checks, willRun: (j: Job) => stale.has(j), vars: project.config.vars };
  for (const job of g.value.jobs) {
    const row = rules.get(job.rule.name)!;
    row.total++;
    const h = journal.jobs.get(job.id);
    if (live && journalState(h) === 'started' && h!.lastStart!.r === live) {
      row.running++;
      stale.add(job);
      states.set(job, 'running');
      const start = h!.lastStart!;
      const at = h!.lastAt;
      jobs.push({ job, state: 'running', running: { worker: at?.w ?? start.w, ...(at ? { handle: at.h } : {}), since: at?.ts ?? start.ts } });
      continue;
    }
    const b = blocked.get(job);
    if (b) {
      row.blocked++;
      stale.add(job);
      states.set(job, 'pending');
      jobs.push({ job, state: 'blocked', blocked: b });
      continue;
    }
    const reason = whyRun(job, () => job.rule.commandHash(job.values, job.inputs, job.outputs), ctx);
    if (reason) stale.add(job);
    const cls = classOf(reason);
    row[cls]++;
    states.set(job, cls === 'up-to-date' ? 'ok' : cls === 'failed' ? 'failed' : cls === 'incomplete' ? 'incomplete' : 'pending');
    jobs.push({ job, state: cls, ...(reason ? { reason } : {}) });
  }
  // A job that has just started may have no handle in the journal yet: on this machine its
  // environment names it.
  const unplaced = jobs.filter((j) => j.running && j.running.handle === undefined && j.running.worker === 'local');
  if (live && unplaced.length) {
    const groups = jobGroups(live);
    for (const j of unplaced) {
      const pgid = groups.get(j.job.id);
      if (pgid !== undefined) j.running!.handle = `pgid:${pgid}`;
    }
  }
  const reports = project.config.report.map((w) => reportByWildcard(g.value, w, (j) => states.get(j) ?? 'pending', domainOf(project.domains, w)));
  return ok({ rules, jobs, live, reports, lastRun: journal.runs[journal.runs.length - 1], blocked });
}
