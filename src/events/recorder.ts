// The run recorder: a logger that keeps every attempt of a run (queued, start and end times,
// worker, slot, exit, reason, log) and writes it to .dax/runs/<run-id>.json when the run ends.
// It survives journal compaction; the run report and its timeline are drawn from it.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Counts, DaxEvent, JobStatus, Logger, Notice, Report, WorkerReport } from './events.js';
import { writeFileAtomic, type AtomicWriteError } from '../util/atomic.js';
import { ok, type Result } from '../util/result.js';

export interface AttemptRecord {
  job: string;
  rule: string;
  attempt: number;
  worker: string;
  slot: number;
  handle?: string;
  node?: string; // the host a batch system ran it on
  queued?: number; // epoch ms: waiting in a batch queue from then
  start?: number; // running from then
  end?: number;
  status?: JobStatus;
  exit?: number | null;
  signal?: string;
  why?: string;
  reason?: string; // why it ran
  log: string;
  logTail?: string[];
}

export interface RunRecord {
  format: 1;
  run: string;
  start: number;
  end?: number;
  result?: string;
  targets: string[];
  sets: Record<string, string>;
  jobs: number;
  resumes?: string; // the run this one continued
  counts?: Counts;
  attempts: AttemptRecord[];
  skipped: Array<{ job: string; rule: string; why: string }>;
  notices: Array<{ ts: number; notice: Notice }>;
  reports: Report[];
}

/** Run records kept; older ones are removed when a run writes its own. */
const KEEP = 100;

export function runRecordPath(stateDir: string, run: string): string {
  return path.join(stateDir, 'runs', `${run}.json`);
}

/** What each worker did in a run, from its record (none when the run left no record). */
export function workerReports(stateDir: string, run: string): WorkerReport[] {
  try {
    const rec = JSON.parse(readFileSync(runRecordPath(stateDir, run), 'utf8')) as RunRecord;
    return rec.reports.flatMap((r) => (r.kind === 'worker' ? [r.worker] : []));
  } catch {
    return [];
  }
}

export class RunRecorder implements Logger {
  private rec: RunRecord | undefined;
  /** The open attempt of each job (a job has one at a time). */
  private readonly open = new Map<string, AttemptRecord>();

  constructor(private readonly stateDir: string) {}

  event(e: DaxEvent): void {
    switch (e.type) {
      case 'run-start':
        this.rec = { format: 1, run: e.run, start: e.ts, targets: e.targets, sets: e.sets, jobs: e.jobs, ...(e.resumes ? { resumes: e.resumes } : {}), attempts: [], skipped: [], notices: [], reports: [] };
        return;
      case 'job-queued':
        this.attempt(e).queued = e.ts;
        return;
      case 'job-start': {
        const a = this.attempt(e);
        a.start = e.ts;
        a.reason = e.reason;
        if (e.handle) a.handle = e.handle;
        if (e.node) a.node = e.node;
        return;
      }
      case 'job-end': {
        const a = this.attempt(e);
        Object.assign(a, { end: e.ts, status: e.status, exit: e.exit, ...(e.signal ? { signal: e.signal } : {}), ...(e.why ? { why: e.why } : {}), ...(e.logTail?.length ? { logTail: e.logTail } : {}) });
        a.start ??= e.ts - e.durationMs;
        this.open.delete(e.job);
        return;
      }
      case 'job-skipped':
        this.rec?.skipped.push({ job: e.job, rule: e.rule, why: e.why });
        return;
      case 'notice':
        this.rec?.notices.push({ ts: e.ts, notice: e.notice });
        return;
      case 'report':
        this.rec?.reports.push(e.report);
        return;
      case 'run-end':
      case 'message':
      case 'plan':
      case 'progress':
        return;
    }
  }

  private attempt(e: { job: string; rule: string; attempt: number; worker: string; slot: number; ts: number }): AttemptRecord {
    let a = this.open.get(e.job);
    if (!a || a.attempt !== e.attempt) {
      a = { job: e.job, rule: e.rule, attempt: e.attempt, worker: e.worker, slot: e.slot, log: '' };
      this.open.set(e.job, a);
      this.rec?.attempts.push(a);
    }
    if ('log' in e && typeof e.log === 'string') a.log = e.log;
    return a;
  }

  /** Writes the record of the run that ended (nothing when no job ran). The caller reports a
   * failure: a logger cannot. */
  save(end: { ts: number; result: string; counts: Counts }): Result<void, AtomicWriteError> {
    const rec = this.rec;
    if (!rec) return ok(undefined);
    this.rec = undefined;
    Object.assign(rec, { end: end.ts, result: end.result, counts: end.counts });
    const dir = path.join(this.stateDir, 'runs');
    try {
      mkdirSync(dir, { recursive: true });
    } catch {
      /* the write below says why */
    }
    const w = writeFileAtomic(runRecordPath(this.stateDir, rec.run), JSON.stringify(rec));
    if (w.ok) prune(dir);
    return w;
  }

  close(): void {}
}

/** Keeps the newest KEEP records (run ids sort by time). */
function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  for (const n of names.slice(0, Math.max(0, names.length - KEEP))) rmSync(path.join(dir, n), { force: true });
}
