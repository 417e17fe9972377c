// An acquisition's status.json: its state, its sources' transfer state, its alerts and times.
// Every change is a read-modify-write under status.json.lock, written atomically, so the jobs
// of one acquisition (several collects at once) and `dax abort` never lose each other's update.
// sources.json (location -> local file and transfer state, what `dax merge --sources` reads) is
// the sources' part of it, rewritten under the same lock whenever that part changes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '../util/result.js';
import { withFileLock } from './lock.js';
import { writeJson } from './workspace.js';

export const STATES = ['Scheduled', 'Collecting', 'Merging', 'Releasing', 'Completed', 'Aborted'] as const;
export type AcqState = (typeof STATES)[number];

export type Severity = 'Error' | 'Warning' | 'Info';
export interface Alert {
  id: string;
  severity: Severity;
  description: string;
  timestamp: string;
}

export type TransferState = 'pending' | 'transferring' | 'collected' | 'failed';
export interface SourceStatus {
  /** `<index>` of the source in the specification, or `target`. */
  index: string;
  sourceName: string;
  /** The location as the specification writes it. */
  location: string;
  /** Where it is read: an absolute local path, or `host:path`. */
  origin: string;
  /** The collected file, relative to the acquisition's directory: sources/<index>_<name>_<file>. */
  local: string;
  state: TransferState;
  bytes?: number;
  /** The origin's mtime (ms) when collected: a later change is a Warning. */
  originMtimeMs?: number;
  method?: 'hardlink' | 'copy' | 'rsync';
  collectedAt?: string;
  /** Transfers started (absent in a status.json of an older dax: none counted). */
  attempts?: number;
  /** Why the last attempt failed; gone once the source is collected. */
  error?: string;
}

/** An entry of sources.json, keyed by the source's location as the specification writes it. */
export type SourceEntry = Pick<SourceStatus, 'local' | 'state' | 'attempts' | 'bytes' | 'originMtimeMs' | 'method' | 'collectedAt' | 'error'>;

export const sourcesFile = (dir: string): string => path.join(dir, 'sources.json');

/** sources.json's content for these sources. */
export function sourcesJson(sources: readonly SourceStatus[]): Record<string, SourceEntry> {
  const out: Record<string, SourceEntry> = {};
  for (const x of sources) {
    const { local, state, attempts, bytes, originMtimeMs, method, collectedAt, error } = x;
    out[x.location] = { local, state, attempts: attempts ?? 0, bytes, originMtimeMs, method, collectedAt, error };
  }
  return out;
}

export interface ReceiverStatus {
  host: string;
  path: string;
  state: 'pending' | 'delivered' | 'failed';
  method?: 'hardlink' | 'symlink' | 'copy' | 'rsync';
}

export interface AcqStatus {
  id: string;
  fileId: string;
  state: AcqState;
  error: boolean;
  alerts: Alert[];
  sources: SourceStatus[];
  receivers: ReceiverStatus[];
  /** result/<fileId>.fits once merged, relative to the workspace. */
  result: string | null;
  queued: string;
  updated: string;
  /** When each state was entered. */
  times: Partial<Record<AcqState, string>>;
}

export const statusFile = (dir: string): string => path.join(dir, 'status.json');

export function readStatus(dir: string): Result<AcqStatus, string> {
  try {
    return ok(JSON.parse(readFileSync(statusFile(dir), 'utf8')) as AcqStatus);
  } catch (e) {
    return err(`cannot read ${statusFile(dir)}: ${(e as Error).message}`);
  }
}

/** Applies `f` to the status under its lock and writes it back (error flag and time kept right),
 * and sources.json first when the sources changed. */
export function updateStatus(dir: string, f: (s: AcqStatus) => void): Result<AcqStatus, string> {
  return withFileLock(statusFile(dir), () => {
    const s = readStatus(dir);
    if (!s.ok) return s;
    const before = JSON.stringify(s.value.sources);
    f(s.value);
    s.value.error = s.value.alerts.some((a) => a.severity === 'Error');
    s.value.updated = new Date().toISOString();
    if (JSON.stringify(s.value.sources) !== before) {
      const w = writeJson(sourcesFile(dir), sourcesJson(s.value.sources));
      if (!w.ok) return err(w.error.message);
    }
    const w = writeJson(statusFile(dir), s.value);
    return w.ok ? s : err(w.error.message);
  });
}

/** Moves the state forward only: a failure or a rerun never takes an acquisition backwards. */
export function advance(s: AcqStatus, to: AcqState): void {
  if (s.state === 'Aborted') return;
  if (STATES.indexOf(to) <= STATES.indexOf(s.state)) return;
  s.state = to;
  s.times[to] = new Date().toISOString();
}

/** Raises (or refreshes) the alert `id`. */
export function raise(s: AcqStatus, id: string, severity: Severity, description: string): void {
  const a = { id, severity, description, timestamp: new Date().toISOString() };
  const i = s.alerts.findIndex((x) => x.id === id);
  if (i >= 0) {
    if (s.alerts[i]!.description !== description || s.alerts[i]!.severity !== severity) s.alerts[i] = a;
  } else s.alerts.push(a);
}

/** Clears the alerts whose id is `id` or starts with `id/`. */
export function clear(s: AcqStatus, id: string): void {
  s.alerts = s.alerts.filter((a) => a.id !== id && !a.id.startsWith(`${id}/`));
}
