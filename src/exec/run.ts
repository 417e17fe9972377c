// One `dax run`: plan, take the lock, decide, execute, record. The CLI maps the outcome to an
// exit code; everything the user sees goes through the logger.
import os from 'node:os';
import { rmSync } from 'node:fs';
import type { Job } from '../graph/job.js';
import type { Config, ConfigError } from '../config/model.js';
import type { Logger, Counts } from '../events/events.js';
import { emptyCounts } from '../events/events.js';
import type { Domains } from '../graph/domains.js';
import { buildGraph, type Graph, type TargetRequest } from '../graph/graph.js';
import type { Pipeline } from '../graph/pipeline.js';
import { Files } from '../state/files.js';
import { Journal, journalState } from '../state/journal.js';
import { Lock, describeHolder, type LockInfo } from '../state/lock.js';
import { stopOrphans } from '../state/orphans.js';
import type { RunResult } from '../state/records.js';
import { describeReason, type OutputCheck } from '../state/staleness.js';
import { decide } from './plan.js';
import { Pools } from './pool.js';
import { Scheduler } from './scheduler.js';
import { saveNoop } from './noop.js';
import type { NoopSummary } from '../state/snapshot.js';
import { domainOf, reportByWildcard, reportEvent, writeFailedList } from './report.js';
import type { Executor } from './executor.js';
import { err, type Result } from '../util/result.js';
import { trace } from '../util/trace.js';
import { newRunId } from '../state/runid.js';

export interface Project {
  config: Config;
  pipeline: Pipeline;
  domains: Domains;
  stateDir: string;
  checks: Map<string, OutputCheck>;
}

export interface RunRequest {
  targets: string[]; // as given on the command line; empty = the Daxfile's targets
  sets: Record<string, string>;
  jobs?: number; // --jobs
  dryRun: boolean;
  keepGoing: boolean;
  executor: Executor;
  /** Set to record a no-op snapshot when the run leaves everything up to date. */
  noopKey?: string;
}

export type RunOutcome =
  | { kind: 'done'; result: RunResult | 'nothing-to-do' | 'dry-run'; run: string; counts: Counts; graph: Graph; failed: string[] }
  | { kind: 'plan-error'; error: ConfigError }
  | { kind: 'locked'; holder: LockInfo };


export function targetRequests(project: Project, targets: string[]): TargetRequest[] {
  if (targets.length > 0) return targets.map((text) => ({ text }));
  return project.config.targets.map((t) => ({ text: t.text, template: t }));
}

/** The pools of a run: the Daxfile's limits, with `jobs` from --jobs, limits.jobs or the CPUs. */
export function makePools(config: Config, jobs: number | undefined): Pools {
  const cap: Record<string, number> = { ...config.limits };
  cap['jobs'] = jobs ?? config.limits['jobs'] ?? os.availableParallelism();
  return new Pools(cap);
}

export function planGraph(project: Project, targets: string[], pools: Pools): Result<Graph, ConfigError> {
  const g = buildGraph(project.pipeline, project.domains, targetRequests(project, targets));
  if (!g.ok) return g;
  const checked = new Set<string>();
  for (const job of g.value.jobs) {
    if (checked.has(job.rule.name)) continue;
    checked.add(job.rule.name);
    const why = pools.impossible(job.rule.resourceList);
    if (why) {
      return err({
        loc: job.rule.spec.loc,
        key: `rules.${job.rule.name}.resources`,
        message: `rule '${job.rule.name}' ${why}: it could never start`,
        hint: 'lower the request, or raise the limit (limits: or --jobs)',
      });
    }
  }
  return g;
}

/** Files made obsolete by outputs that exist (an edge-only chunk file once the complete one is
 * there) are stale: remove them, saying so. Jobs about to run remove theirs when they start. */
function sweepSuperseded(graph: Graph, toRun: Map<Job, unknown>, files: Files, logger: Logger): void {
  for (const job of graph.jobs) {
    if (job.rule.supersedes.length === 0 || toRun.has(job)) continue;
    for (const sup of job.rule.supersedes) {
      const p = sup.render(job.values);
      if (!files.stat(p)) continue;
      rmSync(files.abs(p), { recursive: true, force: true });
      files.forget(p);
      logger.event({ type: 'message', level: 'info', text: `removed ${p}: superseded by ${job.outputs.join(', ')}` });
    }
  }
}

/** What a no-op run over this graph reports: every job up to date. */
function noopSummary(project: Project, graph: Graph): NoopSummary {
  const reports = project.config.report.map((w) => {
    const e = reportEvent(reportByWildcard(graph, w, () => 'ok', domainOf(project.domains, w)), project.config.projectDir);
    return e.type === 'report' ? { title: e.title, lines: e.lines, data: e.data } : { title: '', lines: [] };
  });
  return { total: graph.jobs.length, reports };
}

export async function runPipeline(project: Project, req: RunRequest, logger: Logger): Promise<RunOutcome> {
  const t0 = Date.now();
  const pools = makePools(project.config, req.jobs);
  const g = planGraph(project, req.targets, pools);
  if (!g.ok) return { kind: 'plan-error', error: g.error };
  const graph = g.value;
  trace('graph');
  const files = new Files(project.config.projectDir);
  const runId = newRunId();

  if (req.dryRun) {
    const journal = Journal.load(project.stateDir);
    const { toRun } = decide(graph, journal, files, project.checks);
    // A dry run takes no lock. While another run goes on, the jobs it runs are not "incomplete".
    const holder = Lock.read(project.stateDir);
    const live = holder && Lock.isAlive(holder) ? holder : undefined;
    if (live) logger.event({ type: 'message', level: 'warn', text: `another dax run holds this project's lock (${describeHolder(live)}); dax run would exit 3 now` });
    for (const [job, reason] of toRun) {
      const cmd = job.rule.renderCommand(job.values, job.inputs, job.outputs);
      const h = journal.jobs.get(job.id);
      const running = live && reason.kind === 'incomplete' && journalState(h) === 'started' && h!.lastStart!.r === live.run;
      const why = running ? `running now, in run ${live.run}` : describeReason(reason);
      logger.event({ type: 'plan', job: job.id, rule: job.rule.name, reason: why, ...(cmd ? { command: cmd.display } : {}) });
    }
    const counts = { ...emptyCounts(), total: graph.jobs.length, toRun: toRun.size, upToDate: graph.jobs.length - toRun.size };
    logger.event({ type: 'run-end', run: runId, result: 'dry-run', counts, elapsedMs: Date.now() - t0 });
    return { kind: 'done', result: 'dry-run', run: runId, counts, graph, failed: [] };
  }

  const lock = Lock.acquire(project.stateDir, runId);
  if (!lock.ok) return { kind: 'locked', holder: lock.error.holder };
  if (lock.value.tookOverFrom) {
    const h = lock.value.tookOverFrom;
    logger.event({ type: 'message', level: 'warn', text: `took over the lock of a dax run that is no longer alive (pid ${h.pid} on ${h.host}, run ${h.run}, started ${new Date(h.start).toISOString()})` });
    // Its jobs may still be running, writing what this run is about to rebuild.
    if (h.host === os.hostname() && h.run) {
      const n = await stopOrphans(h.run);
      if (n > 0) logger.event({ type: 'message', level: 'warn', text: `stopped ${n} job process group${n === 1 ? '' : 's'} left running by run ${h.run}` });
    }
  }
  const journal = Journal.load(project.stateDir);
  trace('journal');
  try {
    if (journal.needsCompaction()) journal.compact();
    journal.openForAppend();
    const { toRun, refreshed } = decide(graph, journal, files, project.checks);
    trace('decide');
    for (const { job, prints } of refreshed) {
      const last = journal.jobs.get(job.id)?.lastEnd;
      if (last) journal.append({ ...last, i: prints });
    }
    sweepSuperseded(graph, toRun, files, logger);
    const counts0 = { ...emptyCounts(), total: graph.jobs.length, toRun: toRun.size, upToDate: graph.jobs.length - toRun.size };
    const targets = req.targets.length ? req.targets : project.config.targets.map((t) => t.text);
    journal.append({ t: 'run', id: runId, start: t0, targets: req.targets, sets: req.sets, keepGoing: req.keepGoing, pid: process.pid, host: os.hostname() });
    if (toRun.size === 0) {
      journal.append({ t: 'runend', id: runId, end: Date.now(), result: 'ok', counts: { ...counts0 } });
      for (const w of project.config.report) {
        const r = reportByWildcard(graph, w, () => 'ok', domainOf(project.domains, w));
        writeFailedList(project.stateDir, r);
        logger.event(reportEvent(r, project.config.projectDir));
      }
      logger.event({ type: 'run-end', run: runId, result: 'nothing-to-do', counts: counts0, elapsedMs: Date.now() - t0 });
      if (req.noopKey) saveNoop(project, graph, req.noopKey, noopSummary(project, graph));
      return { kind: 'done', result: 'nothing-to-do', run: runId, counts: counts0, graph, failed: [] };
    }
    logger.event({ type: 'run-start', run: runId, targets, counts: counts0, jobs: pools.capacityOf('jobs') });
    const scheduler = new Scheduler({
      runId, keepGoing: req.keepGoing, projectDir: project.config.projectDir, stateDir: project.stateDir,
      pools, executor: req.executor, journal, files, logger, checks: project.checks,
    });
    const onSignal = (sig: NodeJS.Signals): void => {
      logger.event({ type: 'message', level: 'warn', text: `${sig}: starting nothing new; stopping running jobs` });
      scheduler.interrupt();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let outcome;
    try {
      outcome = await scheduler.run(graph.jobs, toRun);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    journal.append({ t: 'runend', id: runId, end: Date.now(), result: outcome.result, counts: { ...outcome.counts } });
    for (const w of project.config.report) {
      const r = reportByWildcard(graph, w, (j) => scheduler.stateOf(j), domainOf(project.domains, w));
      writeFailedList(project.stateDir, r);
      logger.event(reportEvent(r, project.config.projectDir));
    }
    if (project.config.report.length) {
      for (const [worker, c] of scheduler.perWorker) {
        logger.event({ type: 'report', title: `worker ${worker}: ${c.ok} jobs done, ${c.failed} failed, ${c.incomplete} incomplete`, lines: [] });
      }
    }
    logger.event({ type: 'run-end', run: runId, result: outcome.result, counts: outcome.counts, elapsedMs: Date.now() - t0 });
    if (req.noopKey && outcome.result === 'ok') saveNoop(project, graph, req.noopKey, noopSummary(project, graph));
    return { kind: 'done', result: outcome.result, run: runId, counts: outcome.counts, graph, failed: scheduler.failures.map((j) => j.id) };
  } finally {
    journal.close();
    lock.value.release();
  }
}

