// A job's log, and following it while the job runs (dax log [-f]).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigError } from '../config/model.js';
import { Journal, journalState } from '../state/journal.js';
import { liveRunId } from '../state/runs.js';
import { ok, type Result } from '../util/result.js';
import { jobLogPath } from './attempt.js';
import { tail } from './logtail.js';
import { findJob, type JobRef } from './jobref.js';
import { loadJournal, type Project } from './run.js';

export interface JobLog {
  job: JobRef;
  /** Project-relative. */
  path: string;
  exists: boolean;
  /** Its last attempt wrote something after the attempt's header line. */
  printed: boolean;
  /** The live run running the job now, if one is. */
  runningIn: string | undefined;
  /** The run of its last attempt, when known (looked up only when there is no log). */
  lastRun: string | undefined;
}

export function jobLog(project: Project, text: string): Result<JobLog, ConfigError> {
  const job = findJob(project, text);
  if (!job.ok) return job;
  const logsDir = path.relative(project.config.projectDir, path.join(project.stateDir, 'logs'));
  const rel = jobLogPath(logsDir, job.value);
  const exists = statSync(path.join(project.config.projectDir, rel), { throwIfNoEntry: false })?.isFile() === true;
  const printed = exists && tail(rel, project.config.projectDir, 1).length > 0;
  const live = liveRunId(project.stateDir);
  let runningIn: string | undefined;
  let lastRun: string | undefined;
  // The journal only when the log alone cannot answer (it can be large).
  if (live || !printed) {
    const h = loadJournal(project).jobs.get(job.value.id);
    if (live && journalState(h) === 'started' && h!.lastStart!.r === live) runningIn = live;
    lastRun = h?.lastStart?.r ?? h?.lastEnd?.r;
  }
  return ok({ job: job.value, path: rel, exists, printed, runningIn, lastRun });
}

/** Reads a file from `offset` on, in pieces; returns the new offset (0 again when it shrank:
 * a new attempt started it anew). */
function readFrom(file: string, offset: number, write: (chunk: Buffer) => void): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return offset;
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    let at = offset;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n === 0) break;
      write(buf.subarray(0, n));
      at += n;
    }
    return at;
  } finally {
    closeSync(fd);
  }
}

export interface FollowOptions {
  write: (chunk: Buffer) => void;
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * Writes the log, then what is added to it until the job's attempt ends in the run running it:
 * its end record appears in the journal, or the run is gone. Resolves once it is written out.
 */
export async function followLog(project: Project, log: JobLog, o: FollowOptions): Promise<void> {
  const abs = path.join(project.config.projectDir, log.path);
  let at = readFrom(abs, 0, o.write);
  if (!log.runningIn) return;
  const journalFile = Journal.path(project.stateDir);
  let jAt = statSync(journalFile, { throwIfNoEntry: false })?.size ?? 0;
  const endLine = Buffer.from(`{"t":"end","j":${JSON.stringify(log.job.id)},"r":${JSON.stringify(log.runningIn)}`);
  let tail = Buffer.alloc(0);
  const ended = (): boolean => {
    let found = false;
    jAt = readFrom(journalFile, jAt, (chunk) => {
      tail = Buffer.concat([tail, chunk]);
    });
    // Only whole lines are looked at; the last, partial one waits for the next poll.
    const nl = tail.lastIndexOf(0x0a);
    if (nl >= 0) {
      for (const line of tail.subarray(0, nl).toString('utf8').split('\n')) if (line.startsWith(endLine.toString('utf8'))) found = true;
      tail = tail.subarray(nl + 1);
    }
    return found || liveRunId(project.stateDir) !== log.runningIn;
  };
  const poll = o.pollMs ?? 100;
  for (;;) {
    const done = ended();
    const size = statSync(abs, { throwIfNoEntry: false })?.size ?? 0;
    if (size < at) at = 0;
    at = readFrom(abs, at, o.write);
    if (done || o.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, poll));
  }
}
