// One run, as a library call: plan, take the lock, re-attach to what an earlier run left
// running, decide, execute, record. The caller (the CLI, a daemon, a test) maps the outcome to
// what it needs; everything the user sees goes through the loggers; signals arrive as aborts.
import os from 'node:os';
import { rmSync } from 'node:fs';
import type { Job } from '../graph/job.js';
import type { Config, ConfigError } from '../config/model.js';
import { Loggers, emptyCounts, type Counts, type Logger, type Report } from '../events/events.js';
import { RunRecorder } from '../events/recorder.js';
import type { Domains } from '../graph/domains.js';
import { upgradeJobId } from '../graph/jobname.js';
import { blockedJobs, buildGraph, type BuildOptions, type Graph, type TargetRequest } from '../graph/graph.js';
import type { Pipeline } from '../graph/pipeline.js';
import { Files } from '../state/files.js';
import { Journal, journalState } from '../state/journal.js';
import { Lock, describeHolder, type LockInfo } from '../state/lock.js';
import type { RunResult } from '../state/records.js';
import { describeReason, type OutputCheck } from '../state/staleness.js';
import { newRunId } from '../state/runid.js';
import { cmdPrint } from '../state/commands.js';
import type { NoopSummary } from '../state/snapshot.js';
import { err, type Result } from '../util/result.js';
import type { AtomicWriteError } from '../util/atomic.js';
import { trace } from '../util/trace.js';
import { Attempts } from './attempt.js';
import type { Executor, Handle, Worker } from './executor.js';
import { executorFor } from './workers.js';
import { saveNoop } from './noop.js';
import { decide } from './plan.js';
import { describeBlocked, dropBlocked } from './blocked.js';
import { Pools } from './pool.js';
import { FreeSpace } from './space.js';
import { domainOf, reportByWildcard, writeFailedList } from './report.js';
import { Scheduler, type Adopted, type JobState } from './scheduler.js';
import { rulePlans } from './estimate.js';
import { reasonGroups } from '../events/describe.js';

export interface Project {
  config: Config;
  pipeline: Pipeline;
  domains: Domains;
  stateDir: string;
  checks: Map<string, OutputCheck>;
}

export interface RunOptions {
  targets: string[]; // as given on the command line; empty = the Daxfile's targets
  sets: Record<string, string>;
  jobs?: number; // --jobs: the local worker's slots
  /** --workers: run on these of the Daxfile's workers only. */
  workers?: string[];
  dryRun?: boolean;
  keepGoing?: boolean;
  /** Rerun even if up to date (-B): the jobs the targets name, or every job without targets. */
  force?: boolean;
  /** Where jobs run; default: this machine with `jobs` slots. */
  executor?: Executor;
  loggers: Logger[];
  /** Aborted: start nothing new, stop running jobs (SIGTERM, then SIGKILL after a grace). */
  signal?: AbortSignal;
  /** Aborted: kill running jobs now (a second Ctrl-C). */
  kill?: AbortSignal;
  killGraceMs?: number;
  /** Set to record a no-op snapshot when the run leaves everything up to date. */
  noopKey?: string;
  /** The run this one continues (dax resume). */
  resumes?: string;
  /** A dry run's `plan` events carry each job's command (default true). False when no logger
   * prints it: rendering 10^5 commands is a good part of a big dry run. */
  planCommands?: boolean;
  /** job-start events carry each job's command (-p). */
  printCommands?: boolean;
}

export type RunOutcome =
  | { kind: 'done'; result: RunResult | 'nothing-to-do' | 'dry-run'; run: string; counts: Counts; failed: string[] }
  | { kind: 'config-error'; error: ConfigError }
  | { kind: 'locked'; holder: LockInfo }
  /** dax could not write its own state (the lock, the journal): nothing more was run. */
  | { kind: 'state-error'; path: string; message: string }
  /** A bug in dax stopped the run: jobs were stopped and recorded, the lock released. */
  | { kind: 'bug'; run: string; message: string };

/** The project's journal, job ids of an older dax's journal read as today's. */
export function loadJournal(project: Project): Journal {
  const rules = project.pipeline.byName;
  return Journal.load(project.stateDir, (id) => upgradeJobId(id, (name) => rules.get(name)?.wildcards));
}

export function targetRequests(project: Project, targets: string[]): TargetRequest[] {
  if (targets.length > 0) return targets.map((text) => ({ text }));
  return project.config.targets.map((t) => ({ text: t.text, template: t }));
}

export { localSlots } from './workers.js';

/** The Daxfile's pools. `jobs` is not among them: it is the slots of each worker. */
export function makePools(config: Config): Pools {
  const cap: Record<string, number> = { ...config.limits };
  delete cap['jobs'];
  return new Pools(cap);
}

/** The most slots any worker has (0 = unlimited): no job may need more. */
export function maxSlotsOf(workers: ReadonlyArray<Pick<Worker, 'slots'>>): number {
  return workers.some((w) => w.slots === 0) ? 0 : Math.max(0, ...workers.map((w) => w.slots));
}

export function planGraph(project: Project, targets: string[], pools: Pools, workers: ReadonlyArray<Pick<Worker, 'name' | 'slots'>>, build: BuildOptions = {}): Result<Graph, ConfigError> {
  const g = buildGraph(project.pipeline, project.domains, targetRequests(project, targets), build);
  if (!g.ok) return g;
  const checked = new Set<string>();
  for (const job of g.value.jobs) {
    if (checked.has(job.rule.name)) continue;
    checked.add(job.rule.name);
    const slots = job.rule.resourceList.find(([n]) => n === 'jobs')?.[1] ?? 1;
    const pins = job.rule.spec.workers?.names;
    if (pins && !workers.some((w) => pins.includes(w.name))) {
      return err({
        loc: job.rule.spec.workers!.loc,
        key: `rules.${job.rule.name}.workers`,
        message: `rule '${job.rule.name}' runs only on ${pins.join(', ')}, and none of them is a worker of this run (${workers.map((w) => w.name).join(', ')})`,
        hint: 'add one of them to --workers, or change the rule\'s workers:',
      });
    }
    const maxSlots = maxSlotsOf(workers.filter((w) => !pins || pins.includes(w.name)));
    const why = maxSlots > 0 && slots > maxSlots ? `needs ${slots} slots (resources.jobs), and no worker has more than ${maxSlots} (--jobs)` : pools.impossible(job.rule.resourceList);
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
function sweepSuperseded(graph: Graph, toRun: Map<Job, unknown>, files: Files, log: Loggers): void {
  for (const job of graph.jobs) {
    if (job.rule.supersedes.length === 0 || toRun.has(job)) continue;
    for (const sup of job.rule.supersedes) {
      const p = sup.render(job.values);
      if (!files.stat(p)) continue;
      rmSync(files.abs(p), { recursive: true, force: true });
      files.forget(p);
      log.emit({ type: 'notice', level: 'info', notice: { kind: 'superseded-removed', path: p, by: job.outputs } });
    }
  }
}

/** The per-wildcard reports of the Daxfile's `report:`, given how each job stands. */
function wildcardReports(project: Project, graph: Graph, stateOf: (job: Job) => JobState, log?: Loggers): Report[] {
  return project.config.report.map((w) => {
    const r = reportByWildcard(graph, w, stateOf, domainOf(project.domains, w));
    if (log) stateWrite(log, writeFailedList(project.stateDir, project.config.projectDir, r));
    return { kind: 'wildcard', wildcard: r };
  });
}

/** A write of dax's own state that failed is said, not thrown: the run itself stands. */
function stateWrite(log: Loggers, w: Result<void, AtomicWriteError>): void {
  if (!w.ok) log.emit({ type: 'notice', level: 'warn', notice: { kind: 'state-write-failed', path: w.error.path, message: w.error.message } });
}

/** What a no-op run over this graph reports: every job up to date. */
function noopSummary(project: Project, graph: Graph): NoopSummary {
  return { total: graph.jobs.length, reports: wildcardReports(project, graph, () => 'ok') };
}

export async function runPipeline(project: Project, opts: RunOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  const runId = newRunId();
  let executor = opts.executor;
  if (!executor) {
    const made = executorFor(project.config, opts.jobs, opts.workers, project.domains.plugins.tasks);
    if (!made.ok) return { kind: 'config-error', error: { message: made.error, hint: 'name workers declared under workers: (or local)' } };
    executor = made.value;
  }
  // Connections are made while the graph is planned (an SSH master takes half a second).
  if (!opts.dryRun) for (const w of executor.workers) w.prepare?.();
  const recorder = new RunRecorder(project.stateDir);
  const log = new Loggers(opts.dryRun ? opts.loggers : [...opts.loggers, recorder]);
  try {
    return await runWith(project, opts, runId, t0, executor, log, recorder);
  } finally {
    await log.close();
    if (!opts.executor) await executor.close();
  }
}

async function runWith(project: Project, opts: RunOptions, runId: string, t0: number, executor: Executor, log: Loggers, recorder: RunRecorder): Promise<RunOutcome> {
  const pools = makePools(project.config);
  // With -k a missing source file blocks only the jobs that need it.
  const g = planGraph(project, opts.targets, pools, executor.workers, { allowMissing: !!opts.keepGoing });
  if (!g.ok) return { kind: 'config-error', error: g.error };
  const graph = g.value;
  const blocked = blockedJobs(graph);
  trace('graph');
  const files = new Files(project.config.projectDir);
  const targets = opts.targets.length ? opts.targets : project.config.targets.map((t) => t.text);

  if (opts.dryRun) {
    const journal = loadJournal(project);
    const { toRun } = decide(graph, journal, files, project.checks, project.config.vars, forcedJobs(graph, opts));
    const dropped = dropBlocked(toRun, blocked);
    const nBlocked = dropped.size;
    trace('decide');
    // A dry run takes no lock. While another run goes on, the jobs it runs are not "incomplete".
    const holder = Lock.read(project.stateDir);
    const live = holder && Lock.isAlive(holder) ? holder : undefined;
    if (live) log.emit({ type: 'notice', level: 'warn', notice: { kind: 'live-run', holder: describeHolder(live) } });
    const withCommands = opts.planCommands !== false;
    for (const [job, reason] of toRun) {
      const cmd = withCommands ? job.rule.renderCommand(job.values, job.inputs, job.outputs) : undefined;
      const id = job.id;
      const h = live && reason.kind === 'incomplete' ? journal.jobs.get(id) : undefined;
      const running = live && journalState(h) === 'started' && h!.lastStart!.r === live.run;
      const why = running ? `running now, in run ${live.run}` : describeReason(reason);
      log.emit(cmd ? { type: 'plan', job: id, rule: job.rule.name, reason: why, command: cmd.display } : { type: 'plan', job: id, rule: job.rule.name, reason: why });
    }
    trace('plan');
    for (const line of describeBlocked(dropped)) log.emit({ type: 'message', level: 'error', text: line });
    const counts = { ...emptyCounts(), total: graph.jobs.length, toRun: toRun.size + nBlocked, upToDate: graph.jobs.length - toRun.size - nBlocked, skipped: nBlocked };
    log.emit({ type: 'run-end', run: runId, result: 'dry-run', counts, elapsedMs: Date.now() - t0 });
    return { kind: 'done', result: 'dry-run', run: runId, counts, failed: [] };
  }

  const lock = Lock.acquire(project.stateDir, runId);
  if (!lock.ok) {
    const f = lock.error;
    switch (f.kind) {
      case 'held':
        return { kind: 'locked', holder: f.holder };
      case 'io':
        return { kind: 'state-error', path: f.path, message: f.message };
    }
  }
  const journal = loadJournal(project);
  trace('journal');
  try {
    const dead = lock.value.tookOverFrom;
    if (dead) log.emit({ type: 'notice', level: 'warn', notice: { kind: 'lock-taken-over', pid: dead.pid, host: dead.host, run: dead.run, start: dead.start, why: lock.value.tookOverWhy ?? 'its holder is gone' } });
    const attempts = new Attempts({ runId, projectDir: project.config.projectDir, stateDir: project.stateDir, files, journal, checks: project.checks });
    // Before deciding: attempts earlier runs left running are attached to, or stopped.
    const adopted = await reattach(graph, journal, attempts, executor, log);
    if (dead && dead.host === os.hostname() && dead.run) {
      for (const w of executor.workers) {
        const n = (await w.sweep?.(dead.run)) ?? 0;
        if (n > 0) log.emit({ type: 'notice', level: 'warn', notice: { kind: 'orphans-stopped', run: dead.run, groups: n } });
      }
    }
    // A journal with an older dax's job ids is rewritten before today's ids are appended to it.
    if (journal.needsCompaction() || journal.oldIds) stateWrite(log, journal.compact());
    journal.openForAppend();
    const { toRun, refreshed } = decide(graph, journal, files, project.checks, project.config.vars, forcedJobs(graph, opts));
    const dropped = dropBlocked(toRun, blocked);
    const nBlocked = dropped.size;
    trace('decide');
    for (const { job, prints } of refreshed) {
      const last = journal.jobs.get(job.id)?.lastEnd;
      if (last) journal.append({ ...last, i: prints });
    }
    sweepSuperseded(graph, toRun, files, log);
    const counts0 = { ...emptyCounts(), total: graph.jobs.length, toRun: toRun.size + nBlocked, upToDate: graph.jobs.length - toRun.size - nBlocked };
    const slots = executor.workers.reduce((n, w) => (n < 0 || w.slots === 0 ? -1 : n + w.slots), 0);
    journal.append({
      t: 'run', id: runId, start: t0, targets: opts.targets, sets: opts.sets, keepGoing: !!opts.keepGoing, pid: process.pid, host: os.hostname(),
      ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}), ...(opts.resumes ? { resumes: opts.resumes } : {}),
    });
    recordCommands(journal, runId, toRun.keys(), project.config);
    if (toRun.size === 0 && nBlocked === 0) {
      journal.append({ t: 'runend', id: runId, end: Date.now(), result: 'ok', counts: { ...counts0 } });
      for (const report of wildcardReports(project, graph, () => 'ok', log)) log.emit({ type: 'report', report });
      log.emit({ type: 'run-end', run: runId, result: 'nothing-to-do', counts: counts0, elapsedMs: Date.now() - t0 });
      if (opts.noopKey) saveNoop(project, graph, opts.noopKey, noopSummary(project, graph));
      return { kind: 'done', result: 'nothing-to-do', run: runId, counts: counts0, failed: [] };
    }
    log.emit({
      type: 'run-start', run: runId, targets, sets: opts.sets, counts: counts0, jobs: Math.max(0, slots), ...(opts.resumes ? { resumes: opts.resumes } : {}),
      directory: project.config.projectDir, keepGoing: !!opts.keepGoing, reasons: reasonGroups(toRun.values()), rules: rulePlans(graph.jobs, toRun, journal),
    });
    const scheduler = new Scheduler({
      runId, keepGoing: !!opts.keepGoing, pools, executor, attempts, journal, loggers: log, projectDir: project.config.projectDir,
      ...(project.config.minFree > 0 ? { space: new FreeSpace([project.config.projectDir, project.stateDir], project.config.minFree) } : {}),
      ...(opts.signal ? { stop: opts.signal } : {}), ...(opts.kill ? { kill: opts.kill } : {}), ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}),
      ...(opts.printCommands ? { printCommands: true } : {}),
    });
    if (opts.signal) opts.signal.addEventListener('abort', () => log.emit({ type: 'notice', level: 'warn', notice: { kind: 'stopping', reason: abortReason(opts.signal!) } }), { once: true });
    const outcome = await scheduler.run(graph.jobs, toRun, adopted);
    if (nBlocked > 0) {
      // The scheduler never saw the blocked jobs: they were to run, and did not start.
      for (const [job, m] of dropped) log.emit({ type: 'job-skipped', job: job.id, rule: job.rule.name, why: `blocked: ${m.input} does not exist` });
      for (const line of describeBlocked(dropped)) log.emit({ type: 'message', level: 'error', text: line });
      outcome.counts.toRun += nBlocked;
      outcome.counts.upToDate -= nBlocked;
      outcome.counts.skipped += nBlocked;
      if (outcome.result === 'ok') outcome.result = 'failed';
    }
    const stateOf = (j: Job): JobState => (dropped.has(j) ? 'pending' : scheduler.stateOf(j));
    const bug = scheduler.bug;
    journal.append({ t: 'runend', id: runId, end: Date.now(), result: outcome.result, counts: { ...outcome.counts }, ...(bug ? { bug } : {}) });
    for (const report of wildcardReports(project, graph, stateOf, log)) log.emit({ type: 'report', report });
    if (project.config.report.length || executor.workers.length > 1) for (const worker of scheduler.workers) log.emit({ type: 'report', report: { kind: 'worker', worker } });
    stateWrite(log, recorder.save({ ts: Date.now(), result: outcome.result, counts: outcome.counts }));
    log.emit({ type: 'run-end', run: runId, result: outcome.result, counts: outcome.counts, elapsedMs: Date.now() - t0, ...madeOf(graph, outcome.result) });
    if (bug) return { kind: 'bug', run: runId, message: bug };
    if (opts.noopKey && outcome.result === 'ok') saveNoop(project, graph, opts.noopKey, noopSummary(project, graph));
    return { kind: 'done', result: outcome.result, run: runId, counts: outcome.counts, failed: scheduler.failures.map((j) => j.id) };
  } finally {
    await tidy(executor, journal);
    journal.close();
    lock.value.release();
  }
}

/** Workers drop what earlier runs left that nothing can re-attach to any more. */
async function tidy(executor: Executor, journal: Journal): Promise<void> {
  const open = new Set<string>();
  for (const h of journal.jobs.values()) if (journalState(h) === 'started' && h.lastStart) open.add(h.lastStart.r);
  for (const w of executor.workers) await w.tidy?.(open);
}

/** What a successful run made, named at its end when the targets' outputs are few. */
const MADE_AT_MOST = 3;
function madeOf(graph: Graph, result: RunResult): { made?: string[] } {
  if (result !== 'ok') return {};
  const made = graph.targets.flatMap((j) => j.outputs);
  return made.length > 0 && made.length <= MADE_AT_MOST ? { made } : {};
}

/** One command record per rule that runs jobs: what its command was made of, for the next run's
 * "command changed" to say what changed. */
function recordCommands(journal: Journal, runId: string, jobs: Iterable<Job>, config: Config): void {
  const rules = new Set<Job['rule']>();
  for (const job of jobs) rules.add(job.rule);
  for (const rule of rules) journal.appendLazy({ t: 'cmd', r: runId, ...cmdPrint(rule, config.vars) });
}

/** The jobs -B reruns: those the command line's targets name (not what they depend on, as
 * snakemake --force), or every job when the Daxfile's targets are built (as make -B). */
function forcedJobs(graph: Graph, opts: RunOptions): Set<Job> | undefined {
  if (!opts.force) return undefined;
  return new Set(opts.targets.length > 0 ? graph.targets : graph.jobs);
}

function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return typeof r === 'string' ? r : r instanceof Error && r.name !== 'AbortError' ? r.message : 'stop requested';
}

/** Jobs of the plan whose last attempt an earlier run started and never ended, and whose worker
 * said where it runs: that worker attaches to it (it finishes in this run) or says it is gone. */
async function reattach(graph: Graph, journal: Journal, attempts: Attempts, executor: Executor, log: Loggers): Promise<Adopted[]> {
  const adopted: Adopted[] = [];
  for (const job of graph.jobs) {
    const h = journal.jobs.get(job.id);
    if (journalState(h) !== 'started' || !h?.lastStart) continue;
    const start = h.lastStart;
    // The handle of a job that had just started may be lost with its dax: its worker is asked
    // all the same (a remote one finds the attempt by its run, job and number).
    const at = (h.lastAt?.r === start.r && h.lastAt.a === start.a ? h.lastAt : undefined) ?? (start.w ? { w: start.w, h: '', ts: start.ts, q: undefined } : undefined);
    if (!at) continue;
    const worker = executor.workers.find((w) => w.name === at.w);
    if (!worker) continue; // a worker this run does not have: its job reruns
    const spec = attempts.spec(job, start.a, start.r);
    let running = !at.q;
    let on: Handle | undefined;
    // A job still queued when attached to says when it starts (after adopt(), to the scheduler).
    let later: ((h: Handle) => void) | undefined;
    const r = await worker.reattach({ worker: at.w, ref: at.h }, spec, {
      queued: () => (running = false),
      running: (h) => {
        running = true;
        on = h;
        later?.(h);
      },
    });
    switch (r.kind) {
      case 'attached':
        log.emit({ type: 'notice', level: 'info', notice: { kind: 'attached', job: job.id, worker: worker.name, handle: at.h } });
        adopted.push({ job, spec, worker, attempt: r.attempt, running: r.running || running, started: at.ts, on, onRunning: (f) => (later = f) });
        break;
      case 'gone':
        break;
    }
  }
  return adopted;
}
