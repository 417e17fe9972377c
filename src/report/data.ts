// The run report's data: what the page draws, gathered from a run record (or a live run's
// journal lines), the project's rules and graph, the chunk geometry and the acquisitions'
// status files. Pure: the CLI reads the files and hands them in. Compact on purpose: a run of
// 100,000 attempts becomes columns of small integers with rule, lane and job names interned, so
// the page stays a few megabytes and parses in a blink.
import type { AttemptRecord, RunRecord } from '../events/recorder.js';
import type { Counts } from '../events/events.js';
import { describeNotice } from '../events/describe.js';
import { assertNever } from '../util/result.js';
import type { AcqStatus } from '../acquisition/status.js';

/** How a job (or a chunk, from its jobs) stands. */
export const STATES = ['finished', 'failed', 'incomplete', 'running', 'not-started'] as const;
export type StateName = (typeof STATES)[number];
export type StateCode = 0 | 1 | 2 | 3 | 4;
export const stateCode = (s: StateName): StateCode => STATES.indexOf(s) as StateCode;

/** An attempt's outcome in the timeline's `st` column. */
export const ATTEMPT_STATUS = ['ok', 'failed', 'incomplete', 'lost', 'running', 'queued'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUS)[number];

export interface RunSummary {
  id: string;
  start: number;
  end?: number;
  result?: string;
  targets: string[];
  sets: Record<string, string>;
  resumes?: string;
  counts?: Counts;
  jobs: number;
}

export interface RuleStats {
  name: string;
  description?: string;
  command?: string; // the command template as written
  attempts: number;
  ok: number;
  failed: number;
  incomplete: number;
  running: number;
  skipped: number;
  /** Durations of finished attempts, ms. */
  min?: number;
  median?: number;
  max?: number;
  total: number;
}

/** One entry per attempt in every column. Times are ms from t0; -1 = none. */
export interface Timeline {
  t0: number;
  t1: number;
  rules: string[];
  lanes: string[];
  nodes: string[];
  job: number[]; // index in PageData.names
  rule: number[];
  lane: number[];
  q: number[]; // waiting in a batch queue from then
  s: number[]; // running from then (-1: still queued)
  e: number[]; // ended then (-1: still running)
  st: number[]; // index in ATTEMPT_STATUS
  x: Array<number | null>; // exit code
  n: number[]; // attempt number
  node: number[]; // index in nodes, -1 none
  /** The last lines of a failed attempt's log, by attempt index. */
  tail: Record<string, string[]>;
  log: Record<string, string>; // the log's path, by attempt index (failed ones)
}

export interface Failure {
  attempt: number; // index in the timeline
  job: string;
  rule: string;
  command?: string;
  exit: number | null;
  signal?: string;
  why?: string;
  log: string;
  tail: string[];
}

export interface SkyMap {
  wildcard: string;
  stripes: number;
  substripes: number;
  /** Chunks in each stripe: the page finds the chunk at a point as the chunker does. */
  perStripe: number[];
  ids: number[];
  /** lonMin, lonMax, latMin, latMax per chunk (degrees; lonMin > lonMax wraps through 0). */
  box: number[];
  state: number[]; // StateCode per chunk
  /** The chunk's jobs: jobs[jobsAt[i] .. jobsAt[i+1]) are indices in PageData.names, with
   * jobState (StateCode) beside them. */
  jobsAt: number[];
  jobs: number[];
  jobState: number[];
}

export interface AcqRow {
  id: string;
  fileId: string;
  state: string;
  error: boolean;
  archived: boolean;
  /** When each state was entered, ms. */
  times: Record<string, number>;
  alerts: Array<{ id: string; severity: string; description: string; ts: number }>;
}

export interface PageData {
  v: 1;
  title: string;
  made: number;
  live: boolean;
  liveRun?: string; // the run holding the lock, when the page is of the state now
  run?: RunSummary;
  names: string[];
  rules: RuleStats[];
  timeline: Timeline;
  failures: Failure[];
  /** Failures not listed (the page lists the first FAILURES_LISTED). */
  failuresMore: number;
  sky?: SkyMap;
  acquisitions?: AcqRow[];
  notices: string[];
}

export const FAILURES_LISTED = 500;
/** A log line in the page: enough to read, not a whole log dumped into the file. */
const TAIL_LINE_CHARS = 300;

/** A job of the plan, as far as the report needs it. */
export interface PlannedJob {
  id: string;
  rule: string;
  values: Record<string, string>;
  command?: () => string | undefined;
}

/** Chunk geometry for the sky map: the chunk set of a wildcard and each chunk's box. */
export interface SkyInput {
  wildcard: string;
  stripes: number;
  substripes: number;
  perStripe: number[];
  ids: number[];
  box: (id: number) => [number, number, number, number];
}

export interface ReportInput {
  title: string;
  now: number;
  rules: Array<{ name: string; description?: string; command?: string }>;
  record?: RunRecord;
  /** The page of the state now: the run holding the lock, if any. */
  live?: string;
  /** The plan's jobs, for the sky map and the failures' commands (absent when it cannot be made). */
  jobs?: PlannedJob[];
  /** Each planned job's state now (live pages); a run's page derives it from its record. */
  jobState?: (id: string) => StateName;
  sky?: SkyInput;
  acquisitions?: Array<AcqStatus & { archived: boolean }>;
  notes?: string[];
}

/** The page's data for a run record (or the state now, with `live` and `jobState`). */
export function gatherReport(input: ReportInput): PageData {
  const names = new Interner();
  const rec = input.record;
  const attempts = rec?.attempts ?? [];
  const timeline = makeTimeline(attempts, names, rec, input.now);
  const byId = new Map((input.jobs ?? []).map((j) => [j.id, j]));
  const failures: Failure[] = [];
  let failuresMore = 0;
  attempts.forEach((a, i) => {
    if (a.status !== 'failed' && a.status !== 'lost' && a.status !== 'incomplete') return;
    if (failures.length >= FAILURES_LISTED) {
      failuresMore++;
      return;
    }
    const command = byId.get(a.job)?.command?.();
    failures.push({
      attempt: i, job: a.job, rule: a.rule, exit: a.exit ?? null, log: a.log, tail: (a.logTail ?? []).map(clip),
      ...(command !== undefined ? { command } : {}), ...(a.signal ? { signal: a.signal } : {}), ...(a.why ? { why: a.why } : {}),
    });
  });
  const stateOf = input.jobState ?? recordStates(rec);
  const data: PageData = {
    v: 1,
    title: input.title,
    made: input.now,
    live: input.live !== undefined || input.jobState !== undefined,
    ...(input.live ? { liveRun: input.live } : {}),
    ...(rec ? { run: summary(rec) } : {}),
    names: names.list,
    rules: ruleStats(input.rules, attempts, rec?.skipped ?? []),
    timeline,
    failures,
    failuresMore,
    notices: [...(rec?.notices ?? []).map((n) => describeNotice(n.notice)), ...(input.notes ?? [])],
  };
  if (input.sky && input.jobs) data.sky = skyMap(input.sky, input.jobs, stateOf, names);
  if (input.acquisitions?.length) data.acquisitions = input.acquisitions.map(acqRow);
  return data;
}

class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

function clip(line: string): string {
  return line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line;
}

function summary(rec: RunRecord): RunSummary {
  return {
    id: rec.run, start: rec.start, targets: rec.targets, sets: rec.sets, jobs: rec.jobs,
    ...(rec.end !== undefined ? { end: rec.end } : {}), ...(rec.result ? { result: rec.result } : {}),
    ...(rec.resumes ? { resumes: rec.resumes } : {}), ...(rec.counts ? { counts: rec.counts } : {}),
  };
}

function makeTimeline(attempts: AttemptRecord[], names: Interner, rec: RunRecord | undefined, now: number): Timeline {
  const rules = new Interner();
  const nodes = new Interner();
  // Lanes in a stable order: by worker (local first, as dax lists them), then slot.
  const laneKeys = [...new Set(attempts.map((a) => `${a.worker}\u0000${a.slot}`))].sort((x, y) => {
    const [wx, sx] = x.split('\u0000');
    const [wy, sy] = y.split('\u0000');
    if (wx !== wy) return wx === 'local' ? -1 : wy === 'local' ? 1 : wx! < wy! ? -1 : 1;
    return Number(sx) - Number(sy);
  });
  const laneOf = new Map(laneKeys.map((k, i) => [k, i]));
  let t0 = rec?.start ?? Infinity;
  let t1 = rec?.end ?? -Infinity;
  for (const a of attempts) {
    const first = a.queued ?? a.start;
    if (first !== undefined && first < t0) t0 = first;
    const last = a.end ?? now;
    if (last > t1) t1 = last;
  }
  if (!Number.isFinite(t0)) t0 = now;
  if (!Number.isFinite(t1) || t1 <= t0) t1 = t0 + 1;
  const tl: Timeline = {
    t0, t1, rules: rules.list, nodes: nodes.list,
    lanes: laneKeys.map((k) => {
      const [w, s] = k.split('\u0000');
      return `${w}/${s}`;
    }),
    job: [], rule: [], lane: [], q: [], s: [], e: [], st: [], x: [], n: [], node: [], tail: {}, log: {},
  };
  const rel = (t: number | undefined): number => (t === undefined ? -1 : t - t0);
  attempts.forEach((a, i) => {
    tl.job.push(names.of(a.job));
    tl.rule.push(rules.of(a.rule));
    tl.lane.push(laneOf.get(`${a.worker}\u0000${a.slot}`)!);
    tl.q.push(rel(a.queued));
    tl.s.push(rel(a.start));
    tl.e.push(rel(a.end));
    const st: AttemptStatus = a.status ?? (a.start === undefined ? 'queued' : 'running');
    tl.st.push(ATTEMPT_STATUS.indexOf(st));
    tl.x.push(a.exit ?? null);
    tl.n.push(a.attempt);
    tl.node.push(a.node ? nodes.of(a.node) : -1);
    if (a.logTail?.length) tl.tail[i] = a.logTail.slice(-10).map(clip);
    if (st !== 'ok' && a.log) tl.log[i] = a.log;
  });
  return tl;
}

/** Per-rule counts and duration statistics of the run's attempts. */
export function ruleStats(rules: ReportInput['rules'], attempts: AttemptRecord[], skipped: Array<{ rule: string }>): RuleStats[] {
  const rows = new Map<string, RuleStats & { durations: number[] }>();
  const row = (name: string): RuleStats & { durations: number[] } => {
    let r = rows.get(name);
    if (!r) {
      const def = rules.find((x) => x.name === name);
      r = { name, attempts: 0, ok: 0, failed: 0, incomplete: 0, running: 0, skipped: 0, total: 0, durations: [], ...(def?.description ? { description: def.description } : {}), ...(def?.command ? { command: def.command } : {}) };
      rows.set(name, r);
    }
    return r;
  };
  for (const r of rules) row(r.name);
  for (const a of attempts) {
    const r = row(a.rule);
    r.attempts++;
    switch (a.status) {
      case 'ok':
        r.ok++;
        break;
      case 'failed':
        r.failed++;
        break;
      case 'incomplete':
      case 'lost':
        r.incomplete++;
        break;
      case undefined:
        r.running++;
        break;
      default:
        assertNever(a.status);
    }
    if (a.start !== undefined && a.end !== undefined) r.durations.push(a.end - a.start);
  }
  for (const s of skipped) row(s.rule).skipped++;
  return [...rows.values()]
    .filter((r) => r.attempts > 0 || r.skipped > 0)
    .map(({ durations, ...r }) => {
      if (durations.length === 0) return r;
      durations.sort((x, y) => x - y);
      const mid = durations.length >> 1;
      const median = durations.length % 2 ? durations[mid]! : (durations[mid - 1]! + durations[mid]!) / 2;
      return { ...r, min: durations[0]!, median, max: durations[durations.length - 1]!, total: durations.reduce((x, y) => x + y, 0) };
    });
}

/** A job's state as its run left it: its last attempt's outcome; not started when the run
 * skipped it; finished (up to date) when the run had nothing to do for it. */
export function recordStates(rec: RunRecord | undefined): (id: string) => StateName {
  const last = new Map<string, AttemptRecord>();
  for (const a of rec?.attempts ?? []) last.set(a.job, a);
  const skipped = new Set((rec?.skipped ?? []).map((s) => s.job));
  return (id) => {
    const a = last.get(id);
    if (!a) return skipped.has(id) ? 'not-started' : 'finished';
    switch (a.status) {
      case 'ok':
        return 'finished';
      case 'failed':
        return 'failed';
      case 'incomplete':
      case 'lost':
        return 'incomplete';
      case undefined:
        return rec?.end === undefined ? 'running' : 'incomplete';
      default:
        return assertNever(a.status);
    }
  };
}

/** Chunks, each with its jobs; a chunk's state is its worst job's (failed over incomplete over
 * running over not started over finished), as in the run's own per-chunk report. */
function skyMap(sky: SkyInput, jobs: PlannedJob[], stateOf: (id: string) => StateName, names: Interner): SkyMap {
  const byChunk = new Map<string, PlannedJob[]>();
  for (const j of jobs) {
    const v = j.values[sky.wildcard];
    if (v === undefined) continue;
    let list = byChunk.get(v);
    if (!list) byChunk.set(v, (list = []));
    list.push(j);
  }
  const rank: Record<StateName, number> = { finished: 0, 'not-started': 1, running: 2, incomplete: 3, failed: 4 };
  const map: SkyMap = { wildcard: sky.wildcard, stripes: sky.stripes, substripes: sky.substripes, perStripe: sky.perStripe, ids: [], box: [], state: [], jobsAt: [0], jobs: [], jobState: [] };
  for (const id of sky.ids) {
    map.ids.push(id);
    map.box.push(...sky.box(id).map((d) => Math.round(d * 1e6) / 1e6));
    let worst: StateName | undefined;
    for (const j of byChunk.get(String(id)) ?? []) {
      const s = stateOf(j.id);
      if (worst === undefined || rank[s] > rank[worst]) worst = s;
      map.jobs.push(names.of(j.id));
      map.jobState.push(stateCode(s));
    }
    // A chunk no job of the plan names has nothing to do: nothing was started for it.
    map.state.push(stateCode(worst ?? 'not-started'));
    map.jobsAt.push(map.jobs.length);
  }
  return map;
}

function acqRow(s: AcqStatus & { archived: boolean }): AcqRow {
  const times: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.times)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) times[k] = t;
  }
  const queued = Date.parse(s.queued);
  if (times['Scheduled'] === undefined && Number.isFinite(queued)) times['Scheduled'] = queued;
  return {
    id: s.id, fileId: s.fileId, state: s.state, error: s.error, archived: s.archived, times,
    alerts: s.alerts.map((a) => ({ id: a.id, severity: a.severity, description: a.description, ts: Date.parse(a.timestamp) })),
  };
}
