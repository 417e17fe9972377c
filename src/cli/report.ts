// `dax report [RUN_ID]`: the run report, one self-contained HTML page, from the run's record
// (.dax/runs/<id>.json), the project (rules, the plan's jobs, the chunk set) and the
// acquisitions' status files; `--live` for the state now, a live run's running jobs included.
// `dax run --report FILE` ends through reportAfterRun.
import type { Command } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AttemptRecord, RunRecord } from '../events/recorder.js';
import { runRecordPath } from '../events/recorder.js';
import type { Job } from '../graph/job.js';
import type { Project } from '../exec/run.js';
import { makePools, planGraph } from '../exec/run.js';
import { projectStatus, type JobStatus } from '../exec/status.js';
import { workerSlots } from '../exec/workers.js';
import { journalState } from '../state/journal.js';
import { loadJournal } from '../exec/run.js';
import { readStatus, type AcqStatus } from '../acquisition/status.js';
import { Workspace } from '../acquisition/workspace.js';
import { gatherReport, type PlannedJob, type ReportInput, type StateName } from '../report/data.js';
import { renderPage } from '../report/html.js';
import { skyInput } from '../report/sky.js';
import { writeFileAtomic } from '../util/atomic.js';
import { formatSize } from '../util/size.js';
import { err, ok, type Result } from '../util/result.js';
import { Exit } from './exit.js';
import type { GlobalOptions } from './main.js';
import { loadProject } from './project.js';
import { globals, usageError } from './options.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the run report: one self-contained HTML page (summary, timeline, failures, sky map, acquisitions)')
    .argument('[run-id]', 'a run id from dax runs (default: the last run)')
    .option('-o, --output <file>', 'where to write it (default: .dax/report-<run-id>.html, or .dax/report-live.html)')
    .option('--live', 'the state now, with a live run\'s running jobs (as dax status)')
    .action(async (runId: string | undefined, opts: { output?: string; live?: boolean }, cmd: Command) => {
      if (runId !== undefined && opts.live) usageError('--live shows the state now: name no run with it');
      const r = await makeReport(globals(cmd), opts.live ? { live: true } : { run: runId });
      if (!r.ok) usageError(r.error);
      const w = writeReport(r.value, opts.output);
      if (!w.ok) usageError(w.error);
    });
}

interface Made {
  html: string;
  what: string; // "run <id>" or "the state now"
  defaultFile: string;
}

/** After `dax run --report FILE`: the report of the run that just ended (the newest record).
 * A report that cannot be written fails an otherwise good run with a usage exit. */
export async function reportAfterRun(g: GlobalOptions, file: string, code: number): Promise<number> {
  const r = await makeReport(g, {});
  const w = r.ok ? writeReport(r.value, file) : r;
  if (w.ok) return code;
  process.stderr.write(`dax: --report: ${w.error}\n`);
  return code === Exit.ok ? Exit.usage : code;
}

function writeReport(made: Made, output: string | undefined): Result<void, string> {
  const file = path.resolve(output ?? made.defaultFile);
  const w = writeFileAtomic(file, made.html);
  if (!w.ok) return err(`${w.error.message} (is the directory there and writable?)`);
  process.stdout.write(`dax: wrote the report of ${made.what} to ${path.relative(process.cwd(), file) || file} (${formatSize(Buffer.byteLength(made.html))})\n`);
  return ok(undefined);
}

async function makeReport(g: GlobalOptions, want: { run?: string; live?: boolean }): Promise<Result<Made, string>> {
  const first = await loadProject(g, []);
  const stateDir = first.project.stateDir;
  const id = want.live ? newestRecord(stateDir) : (want.run ?? newestRecord(stateDir));
  let rec: RunRecord | undefined;
  if (id !== undefined) {
    const r = readRecord(stateDir, id);
    if (!r.ok) return r;
    rec = r.value;
  } else if (!want.live) return err(`no run record in ${path.relative(process.cwd(), path.join(stateDir, 'runs')) || stateDir} yet: a run that starts a job writes one (dax run), then dax report shows it`);
  // The plan as the run made it: its targets and --set values.
  const sets = Object.entries(rec?.sets ?? {}).map(([k, v]) => `${k}=${v}`);
  const { project } = sets.length && !want.live ? await loadProject(g, sets) : first;
  const notes: string[] = [];
  const input: ReportInput = { title: path.basename(project.config.projectDir), now: Date.now(), rules: ruleInfo(project), notes };
  if (rec) input.record = rec;
  const values = (w: string): string[] | undefined => {
    const v = project.domains.values(w);
    return v.ok ? v.value : undefined;
  };
  if (want.live) {
    const st = projectStatus(project, []);
    if (!st.ok) return err(`the state now cannot be read: ${st.error.message}`);
    const states = new Map<string, StateName>();
    for (const j of st.value.jobs) states.set(j.job.id, liveState(j.state));
    input.jobs = st.value.jobs.map(({ job }) => planned(job));
    input.jobState = (jid) => states.get(jid) ?? 'not-started';
    if (st.value.live) {
      input.live = st.value.live;
      const live = liveRecord(project, st.value.live, new Map(st.value.jobs.map(({ job }) => [job.id, job.rule.name])));
      if (live) input.record = live;
    } else if (rec) notes.push(`no run is running: the timeline is of the last run, ${rec.run}`);
  } else if (rec) {
    const graph = planGraph(project, rec.targets, makePools(project.config), workerSlots(project.config));
    if (graph.ok) input.jobs = graph.value.jobs.map(planned);
    else notes.push(`the plan of this run cannot be made from the Daxfile now (${graph.error.message}): no sky map, no commands`);
  }
  const sky = skyInput(project.config, values);
  if (sky) input.sky = sky;
  const acqs = acquisitions(project.config.workspace);
  if (acqs.length) input.acquisitions = acqs;
  const html = renderPage(gatherReport(input));
  const runOf = input.record?.run;
  return ok({
    html,
    what: want.live ? `the state now${runOf ? ` (run ${runOf})` : ''}` : `run ${rec!.run}`,
    defaultFile: path.join(stateDir, want.live ? 'report-live.html' : `report-${rec!.run}.html`),
  });
}

function planned(job: Job): PlannedJob {
  return { id: job.id, rule: job.rule.name, values: job.values, command: () => job.rule.renderCommand(job.values, job.inputs, job.outputs)?.display };
}

function ruleInfo(project: Project): ReportInput['rules'] {
  return project.config.rules.map((r) => ({
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    ...(r.run ? { command: r.run.kind === 'shell' ? r.run.text : r.run.args.join(' ') } : {}),
  }));
}

function liveState(s: JobStatus['state']): StateName {
  switch (s) {
    case 'up-to-date':
      return 'finished';
    case 'failed':
      return 'failed';
    case 'incomplete':
      return 'incomplete';
    case 'running':
      return 'running';
    case 'missing':
    case 'stale':
    case 'blocked': // a missing source: it cannot start
      return 'not-started';
  }
}

/** Run ids, oldest first: they sort by their start second; within one second, by when the
 * record was written. */
function newestRecord(stateDir: string): string | undefined {
  const dir = path.join(stateDir, 'runs');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return undefined;
  }
  const second = (n: string): string => n.slice(0, 15);
  const mtime = (n: string): number => statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  names.sort((a, b) => (second(a) !== second(b) ? (second(a) < second(b) ? -1 : 1) : mtime(a) - mtime(b)));
  return names.at(-1)?.slice(0, -'.json'.length);
}

function readRecord(stateDir: string, id: string): Result<RunRecord, string> {
  const file = runRecordPath(stateDir, id);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err(`no record of run ${id} in ${path.dirname(file)} (dax runs lists the runs; a run that started no job, or one still running, has none: try dax report --live)`);
    return err(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const rec = JSON.parse(text) as RunRecord;
    if (rec.format !== 1 || !Array.isArray(rec.attempts)) return err(`${file}: not a run record of this dax (format ${JSON.stringify(rec.format)})`);
    return ok(rec);
  } catch (e) {
    return err(`${file}: invalid JSON: ${(e as Error).message}`);
  }
}

/** A live run's record so far, from the journal: its ended and running attempts. The journal
 * does not keep slots: each worker's attempts are packed into as few lanes as overlap. */
function liveRecord(project: Project, run: string, ruleOf: Map<string, string>): RunRecord | undefined {
  const journal = loadJournal(project);
  const info = journal.run(run);
  if (!info) return undefined;
  const attempts: AttemptRecord[] = [];
  for (const [job, h] of journal.jobs) {
    const rule = ruleOf.get(job) ?? job.replace(/\[.*$/, '');
    const s = h.lastStart;
    if (s && s.r === run && journalState(h) === 'started') {
      const queued = h.lastAt?.q === 1;
      attempts.push({ job, rule, attempt: s.a, worker: s.w, slot: 0, log: '', ...(queued ? { queued: s.ts } : { start: s.ts }), ...(h.lastAt?.h ? { handle: h.lastAt.h } : {}) });
    } else if (h.lastEnd?.r === run) {
      const e = h.lastEnd;
      attempts.push({ job, rule, attempt: e.a, worker: e.w, slot: 0, log: '', start: e.b, end: e.ts, status: e.s, exit: e.x, ...(e.sig ? { signal: e.sig } : {}), ...(e.why ? { why: e.why } : {}) });
    }
  }
  attempts.sort((a, b) => (a.start ?? a.queued ?? 0) - (b.start ?? b.queued ?? 0));
  const free = new Map<string, number[]>(); // per worker: when each lane is free again
  for (const a of attempts) {
    const lanes = free.get(a.worker) ?? [];
    free.set(a.worker, lanes);
    const begin = a.start ?? a.queued ?? 0;
    let k = lanes.findIndex((t) => t <= begin);
    if (k < 0) k = lanes.push(0) - 1;
    lanes[k] = a.end ?? Infinity;
    a.slot = k;
  }
  return { format: 1, run, start: info.run.start, targets: info.run.targets, sets: info.run.sets, jobs: attempts.length, attempts, skipped: [], notices: [], reports: [], ...(info.run.resumes ? { resumes: info.run.resumes } : {}) };
}

/** The workspace's acquisitions: those in progress, and the most recently archived. */
function acquisitions(root: string): Array<AcqStatus & { archived: boolean }> {
  const ws = new Workspace(root);
  const out: Array<AcqStatus & { archived: boolean }> = [];
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir).filter((n) => !n.startsWith('.'));
    } catch {
      return [];
    }
  };
  for (const id of list(ws.inProgress())) {
    const s = readStatus(ws.inProgress(id));
    if (s.ok) out.push({ ...s.value, archived: false });
  }
  // Archives may number many thousands: the newest ARCHIVED_SHOWN, by their directory's mtime.
  const archived = list(ws.archive()).map((id) => ({ id, t: statSync(ws.archive(id), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => b.t - a.t).slice(0, ARCHIVED_SHOWN);
  for (const { id } of archived) {
    const s = readStatus(ws.archive(id));
    if (s.ok) out.push({ ...s.value, archived: true });
  }
  return out.sort((a, b) => (a.queued < b.queued ? -1 : a.queued > b.queued ? 1 : 0));
}

const ARCHIVED_SHOWN = 200;
