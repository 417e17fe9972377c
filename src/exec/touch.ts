// `dax touch`: records jobs whose outputs exist as done, as they are now (make -t, snakemake
// --touch): the next run finds them up to date. Files are not changed. A job with a missing
// output cannot be touched: nothing is recorded then.
import os from 'node:os';
import type { ConfigError } from '../config/model.js';
import type { Job } from '../graph/job.js';
import { Files } from '../state/files.js';
import { Lock, type LockInfo } from '../state/lock.js';
import type { InputPrint, OutputPrint } from '../state/records.js';
import { newRunId } from '../state/runid.js';
import { whyRun } from '../state/staleness.js';
import { ok, type Result } from '../util/result.js';
import { loadJournal, makePools, planGraph, type Project } from './run.js';
import { workerSlots } from './workers.js';

export type TouchOutcome =
  | { kind: 'touched'; run: string; touched: string[]; upToDate: number }
  /** Jobs whose outputs do not all exist: nothing was recorded. */
  | { kind: 'missing'; missing: Array<{ job: string; path: string }> }
  | { kind: 'locked'; holder: LockInfo }
  | { kind: 'state-error'; path: string; message: string };

/** Touches the jobs the targets name (and what they need), or every job of the Daxfile's targets. */
export function touch(project: Project, targets: string[], sets: Record<string, string>): Result<TouchOutcome, ConfigError> {
  const g = planGraph(project, targets, makePools(project.config), workerSlots(project.config));
  if (!g.ok) return g;
  const runId = newRunId();
  const lock = Lock.acquire(project.stateDir, runId);
  if (!lock.ok) return ok(lock.error.kind === 'held' ? { kind: 'locked', holder: lock.error.holder } : { kind: 'state-error', path: lock.error.path, message: lock.error.message });
  const journal = loadJournal(project);
  try {
    const files = new Files(project.config.projectDir);
    // Every job is decided as if the ones before it were touched: a touched dependency does not
    // make its dependents stale.
    const stale: Job[] = [];
    const ctx = { journal, files, checks: project.checks, willRun: () => false };
    const missing: Array<{ job: string; path: string }> = [];
    for (const job of g.value.jobs) {
      const reason = whyRun(job, () => job.rule.commandHash(job.values, job.inputs, job.outputs), ctx);
      if (!reason) continue;
      for (const out of job.outputs) if (!files.exists(out)) missing.push({ job: job.id, path: out });
      stale.push(job);
    }
    if (missing.length) return ok({ kind: 'missing', missing });
    if (stale.length === 0) return ok({ kind: 'touched', run: runId, touched: [], upToDate: g.value.jobs.length });
    if (journal.needsCompaction() || journal.oldIds) {
      const c = journal.compact();
      if (!c.ok && journal.oldIds) return ok({ kind: 'state-error', path: c.error.path, message: c.error.message });
    }
    journal.openForAppend();
    const now = Date.now();
    journal.append({ t: 'run', id: runId, start: now, targets, sets, keepGoing: false, pid: process.pid, host: os.hostname() });
    for (const job of stale) {
      const i = job.inputs.map((p): InputPrint => {
        const s = files.stat(p);
        return [p, s?.size ?? -1, s?.mtimeMs ?? 0, files.hashSync(p) ?? ''];
      });
      const o = job.outputs.map((p): OutputPrint => {
        const s = files.stat(p);
        return [p, s?.size ?? -1, s?.mtimeMs ?? 0];
      });
      // A start and its end: the job's last attempt is this one, finished.
      journal.append({ t: 'start', j: job.id, r: runId, a: 1, ts: now, w: 'touch' });
      journal.append({ t: 'end', j: job.id, r: runId, a: 1, b: now, ts: now, s: 'ok', x: 0, c: job.rule.commandHash(job.values, job.inputs, job.outputs), i, o, w: 'touch' });
    }
    const counts = { total: g.value.jobs.length, upToDate: g.value.jobs.length - stale.length, toRun: 0, done: stale.length, failed: 0, skipped: 0, incomplete: 0, running: 0 };
    journal.append({ t: 'runend', id: runId, end: Date.now(), result: 'ok', counts });
    if (journal.failure) return ok({ kind: 'state-error', ...journal.failure });
    return ok({ kind: 'touched', run: runId, touched: stale.map((j) => j.id), upToDate: g.value.jobs.length - stale.length });
  } finally {
    journal.close();
    lock.value.release();
  }
}
