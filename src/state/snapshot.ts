// The no-op snapshot: after a run that left everything up to date, dax writes down what that
// state rests on — the Daxfile and domain files, every input and output with its size and mtime,
// the files that must stay absent (alternatives not taken, superseded files), and the journal.
// The next `dax run` with the same targets and --set values compares those with a stat each and,
// when nothing moved, says "nothing to do" without loading the Daxfile, planning or reading the
// journal: that is how a no-op stays close to ninja's. Any difference falls back to full planning.
import { readFileSync, statSync } from 'node:fs';
import type { Report } from '../events/events.js';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';

const FORMAT = 3; // 3: typed reports

/** What a no-op run reports, replayed as it was computed by the run that wrote the snapshot. */
export interface NoopSummary {
  total: number;
  reports: Report[];
}

export interface Snapshot {
  format: number;
  key: string;
  summary: NoopSummary;
  /** path (absolute for config files, else project-relative) \t size \t mtimeMs, one per line */
  present: string;
  /** Directories (project-relative) \t mtimeMs: their entries did not change. */
  dirs: string;
  absent: string[];
}

type Stamp = [number, number];

function stampOf(p: string): Stamp | undefined {
  const s = statSync(p, { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs] : undefined;
}

export class NoopSnapshot {
  static file(stateDir: string): string {
    return path.join(stateDir, 'noop.json');
  }
  /** The journal's size and mtime the snapshot is valid for: rewritten by every no-op run. */
  static journalStamp(stateDir: string): string {
    return path.join(stateDir, 'noop.journal');
  }

  /**
   * Writes the snapshot. `present`: paths (project-relative or absolute) whose size and mtime
   * matter; `existing`: paths whose existence alone matters — their directories' mtimes stand
   * for them (creating, removing or renaming an entry changes its directory's mtime), which
   * saves a stat per file.
   */
  static write(stateDir: string, projectDir: string, key: string, summary: NoopSummary, present: Iterable<string>, existing: Iterable<string>, absent: Iterable<string>, journal: string): void {
    const lines: string[] = [];
    for (const p of present) {
      const s = stampOf(path.isAbsolute(p) ? p : path.join(projectDir, p));
      if (!s) return; // something vanished meanwhile: no snapshot, the next run plans
      lines.push(`${p}\t${s[0]}\t${s[1]}`);
    }
    const dirs = new Map<string, number>();
    for (const p of existing) {
      const dir = path.posix.dirname(p);
      if (!dirs.has(dir)) {
        const s = stampOf(path.join(projectDir, dir));
        if (!s) return;
        dirs.set(dir, s[1]);
      }
      if (!stampOf(path.join(projectDir, p))) return;
    }
    const dirText = [...dirs].map(([d, m]) => `${d}\t${m}`).join('\n');
    const snap: Snapshot = { format: FORMAT, key, summary, present: lines.join('\n'), dirs: dirText, absent: [...absent] };
    // A snapshot that cannot be written only costs the next run its shortcut: it plans.
    if (!writeFileAtomic(NoopSnapshot.file(stateDir), JSON.stringify(snap)).ok) return;
    NoopSnapshot.writeJournalStamp(stateDir, journal);
  }

  static writeJournalStamp(stateDir: string, journal: string): void {
    const s = stampOf(journal);
    writeFileAtomic(NoopSnapshot.journalStamp(stateDir), JSON.stringify(s ?? null)); // as above: at worst the next run plans
  }

  /** The snapshot written for this key, if there is one (nothing checked yet but the key). */
  static read(stateDir: string, key: string): Snapshot | undefined {
    try {
      const snap = JSON.parse(readFileSync(NoopSnapshot.file(stateDir), 'utf8')) as Snapshot;
      return snap.format === FORMAT && snap.key === key ? snap : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether nothing the snapshot rests on changed: then its summary is the run's answer.
   * `batch`, when given, does the stats in C++ (the native addon): one call for them all. */
  static holds(snap: Snapshot, stateDir: string, projectDir: string, journal: string, batch?: BatchStat): boolean {
    let journalWas: Stamp | null;
    try {
      journalWas = JSON.parse(readFileSync(NoopSnapshot.journalStamp(stateDir), 'utf8')) as Stamp | null;
    } catch {
      return false;
    }
    if (!journalWas) return false;
    const j = stampOf(journal);
    if (!j || j[0] !== journalWas[0] || j[1] !== journalWas[1]) return false;
    const prefix = projectDir.endsWith(path.sep) ? projectDir : projectDir + path.sep;
    if (batch ? !batch.checkStamps(snap.present, prefix) : !presentHolds(snap.present, prefix)) return false;
    // Directories (their mtime only), then what must be absent: a few paths.
    const paths: string[] = [];
    const mtimes: number[] = [];
    for (const line of snap.dirs === '' ? [] : snap.dirs.split('\n')) {
      const tab = line.lastIndexOf('\t');
      paths.push(prefix + line.slice(0, tab));
      mtimes.push(Number(line.slice(tab + 1)));
    }
    const dirs = paths.length;
    for (const p of snap.absent) paths.push(prefix + p);
    if (batch) {
      const got = new Float64Array(3 * paths.length);
      batch.statMany(paths, got);
      for (let i = 0; i < paths.length; i++) {
        const missing = got[3 * i] === -1;
        if (i < dirs ? missing || msOf(got[3 * i + 1]!, got[3 * i + 2]!) !== mtimes[i] : !missing) return false;
      }
      return true;
    }
    for (let i = 0; i < paths.length; i++) {
      const s = statSync(paths[i]!, { throwIfNoEntry: false });
      if (i < dirs ? !s || s.mtimeMs !== mtimes[i] : s !== undefined) return false;
    }
    return true;
  }
}

/** The present files' lines (path \t size \t mtimeMs) against a stat each. */
function presentHolds(text: string, prefix: string): boolean {
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const t1 = text.indexOf('\t', at);
    const t2 = text.indexOf('\t', t1 + 1);
    const p = text.slice(at, t1);
    const s = statSync(p.startsWith('/') ? p : prefix + p, { throwIfNoEntry: false });
    if (!s || s.size !== Number(text.slice(t1 + 1, t2)) || s.mtimeMs !== Number(text.slice(t2 + 1, nl))) return false;
    at = nl + 1;
  }
  return true;
}

/** Stats in C++: `statMany` fills 3 numbers per path (size, -1 when missing; mtime seconds,
 * nanoseconds); `checkStamps` checks the snapshot's present lines. */
export interface BatchStat {
  statMany(paths: string[], out: Float64Array): void;
  checkStamps(text: string, prefix: string): boolean;
}

/** mtimeMs exactly as Node computes it from a stat's seconds and nanoseconds. */
function msOf(sec: number, nsec: number): number {
  return sec * 1e3 + nsec / 1e6;
}
