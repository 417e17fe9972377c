// The Journal: an append-only JSON-lines log under .dax/ of runs and job attempts.
// Torn last lines are skipped; loading is one pass from the end (journal-read.ts); compaction rewrites it atomically.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, type AtomicWriteError } from '../util/atomic.js';
import { ok, type Result } from '../util/result.js';
import { readJournal } from './journal-read.js';
import { JOURNAL_VERSION, type AtRecord, type CmdRecord, type EndRecord, type JournalRecord, type RunEndRecord, type RunRecord, type StartRecord } from './records.js';

export interface JobHistory {
  lastStart?: StartRecord;
  lastEnd?: EndRecord;
  /** Where the last started attempt runs, if its worker said. */
  lastAt?: AtRecord;
}

export interface RunInfo {
  run: RunRecord;
  end?: RunEndRecord;
}

const KEEP_RUNS = 100;
/** The journal version from which job ids have labelled values (`gen[n=1]`). */
const LABELLED_IDS = 3;

export class Journal {
  readonly jobs: Map<string, JobHistory>;
  readonly runs: RunInfo[] = [];
  private runIndex = new Map<string, RunInfo>();
  /** Per run, per rule: what its command was made of (journals of dax 0.1 have none). */
  private readonly cmds = new Map<string, Map<string, CmdRecord>>();
  private fd: number | undefined;
  private lines = 0;
  /** Records whose loss in a crash costs nothing (written with the next record, or at close). */
  private lazy: string[] = [];
  private flushing: NodeJS.Immediate | undefined;
  /** The format the journal was written in (1: dax 0.1, without a header). */
  version = 1;
  /** Lines that could not be read (a torn last write, or damage). */
  skipped = 0;

  private constructor(
    readonly file: string,
    jobs = new Map<string, JobHistory>(),
  ) {
    this.jobs = jobs;
  }

  static path(stateDir: string): string {
    return path.join(stateDir, 'journal.jsonl');
  }

  /** A journal to append to without reading what it holds (a no-op run records itself). */
  static forAppend(stateDir: string): Journal {
    const j = new Journal(Journal.path(stateDir));
    j.openForAppend();
    return j;
  }

  /** Reads the journal; a missing file is an empty journal. `upgradeId` turns a job id of a
   * journal older than JOURNAL_VERSION 3 (unlabelled values) into today's: without it such ids
   * stay as written (enough for a reader of runs only). */
  static load(stateDir: string, upgradeId?: (id: string) => string): Journal {
    const file = Journal.path(stateDir);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return new Journal(file);
    }
    let read: ReturnType<typeof readJournal>;
    try {
      read = readJournal(fd);
    } finally {
      closeSync(fd);
    }
    const j = read ? new Journal(file, read.jobs) : Journal.loadSlow(file, readFileSync(file));
    if (read) {
      for (const rec of read.others) j.apply(rec);
      j.lines = read.lines;
      j.skipped = read.skipped;
    }
    if (upgradeId && j.version < LABELLED_IDS) j.upgradeIds(upgradeId);
    return j;
  }

  /** Re-keys every job by its upgraded id, records included, so a compaction writes them anew.
   * The version stays: it says the file on disk still holds the old ids. */
  private upgradeIds(upgradeId: (id: string) => string): void {
    const old = [...this.jobs];
    this.jobs.clear();
    for (const [id, h] of old) {
      const now = upgradeId(id);
      if (now !== id) {
        if (h.lastStart) h.lastStart.j = now;
        if (h.lastEnd) h.lastEnd.j = now;
        if (h.lastAt) h.lastAt.j = now;
      }
      this.jobs.set(now, h);
    }
  }

  /** True when the file holds job ids of an older form: rewrite it (compact) before appending. */
  get oldIds(): boolean {
    return this.version < LABELLED_IDS && this.jobs.size > 0;
  }

  /** Every line parsed and applied in order. */
  private static loadSlow(file: string, buf: Buffer): Journal {
    const j = new Journal(file);
    const text = buf.toString('utf8');
    let at = 0;
    while (at < text.length) {
      let nl = text.indexOf('\n', at);
      if (nl < 0) nl = text.length;
      const line = text.slice(at, nl);
      at = nl + 1;
      if (line === '') continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        j.skipped++;
        continue;
      }
      j.apply(rec);
      j.lines++;
    }
    return j;
  }

  private apply(rec: JournalRecord): void {
    switch (rec.t) {
      case 'journal':
        this.version = rec.v;
        break;
      case 'at': {
        const h = this.jobs.get(rec.j);
        if (h?.lastStart && h.lastStart.r === rec.r && h.lastStart.a === rec.a) h.lastAt = rec;
        break;
      }
      case 'start': {
        const h = this.jobs.get(rec.j);
        if (h) {
          h.lastStart = rec;
          delete h.lastAt; // it was an earlier attempt's
        } else this.jobs.set(rec.j, { lastStart: rec });
        break;
      }
      case 'end': {
        const h = this.jobs.get(rec.j);
        if (h) h.lastEnd = rec;
        else this.jobs.set(rec.j, { lastEnd: rec });
        break;
      }
      case 'run': {
        const info: RunInfo = { run: rec };
        this.runs.push(info);
        this.runIndex.set(rec.id, info);
        break;
      }
      case 'runend': {
        const info = this.runIndex.get(rec.id);
        if (info) info.end = rec;
        break;
      }
      case 'cmd': {
        let m = this.cmds.get(rec.r);
        if (!m) this.cmds.set(rec.r, (m = new Map<string, CmdRecord>()));
        m.set(rec.rule, rec);
        break;
      }
    }
  }

  /** Set when a write failed (a full disk): the journal takes no more records, and the run that
   * writes it must stop, since what it does can no longer be recorded. */
  failure: { path: string; message: string } | undefined;

  /** Opens for appending. A torn last line gets a newline so the next record stands alone. */
  openForAppend(): void {
    if (this.fd !== undefined || this.failure) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a+');
    } catch (e) {
      this.fail(e);
      return;
    }
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) this.write('\n');
    } else {
      this.write(JSON.stringify({ t: 'journal', v: JOURNAL_VERSION }) + '\n');
      this.version = JOURNAL_VERSION;
    }
  }

  private write(text: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, text);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const x = e as NodeJS.ErrnoException;
    this.failure ??= { path: this.file, message: `${x.code ?? 'error'}: ${(x.message ?? String(e)).replace(/^[A-Z]+: /, '')}` };
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Appends one record, synchronously: it is on disk (in the page cache) before we go on. */
  append(rec: JournalRecord): void {
    if (this.fd === undefined) this.openForAppend();
    const line = JSON.stringify(rec) + '\n';
    if (this.lazy.length) {
      this.write(this.lazy.join('') + line);
      this.lazy = [];
    } else this.write(line);
    this.apply(rec);
    this.lines++;
  }

  /** Appends a record that may be lost in a crash without harm: it goes out with the next
   * record (saving a write per job where thousands start a second). */
  appendLazy(rec: JournalRecord): void {
    this.lazy.push(JSON.stringify(rec) + '\n');
    this.apply(rec);
    this.lines++;
  }

  /** Appends a record whose loss in a crash only costs work, not correctness (a job's end: the
   * job then looks unfinished and runs again): it goes out with the next record, or at the end
   * of this turn of the event loop, so the ends of jobs that finish together take one write. */
  appendSoon(rec: JournalRecord): void {
    this.appendLazy(rec);
    if (this.flushing) return;
    this.flushing = setImmediate(() => {
      this.flushing = undefined;
      if (this.fd !== undefined && this.lazy.length) {
        this.write(this.lazy.join(''));
        this.lazy = [];
      }
    });
  }

  close(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.lazy.length) this.write(this.lazy.join(''));
    this.lazy = [];
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** True when rewriting would shrink the journal a lot. */
  needsCompaction(): boolean {
    // A compacted journal holds about one line per job (its last end) plus the kept runs.
    const live = this.jobs.size + Math.min(this.runs.length, KEEP_RUNS) * 2;
    return this.lines > 1000 && this.lines > live * 1.5;
  }

  /** Rewrites the journal with only what is still needed, via a temp file and rename, so a
   * reader sees the old or the new file, never a mix. Call only while holding the lock. */
  compact(): Result<void, AtomicWriteError> {
    const wasOpen = this.fd !== undefined;
    this.close();
    const runs = this.runs.slice(-KEEP_RUNS);
    const parts: string[] = [JSON.stringify({ t: 'journal', v: JOURNAL_VERSION })];
    for (const r of runs) {
      parts.push(JSON.stringify(r.run));
      if (r.end) parts.push(JSON.stringify(r.end));
    }
    // The command records of the runs whose ends are kept, so "command changed" can still say what.
    const cmdRuns = new Set<string>();
    let lines = parts.length;
    for (const h of this.jobs.values()) {
      if (h.lastEnd) {
        parts.push(JSON.stringify(h.lastEnd));
        cmdRuns.add(h.lastEnd.r);
      }
      if (journalState(h) === 'started') {
        parts.push(JSON.stringify(h.lastStart));
        if (h.lastAt) parts.push(JSON.stringify(h.lastAt));
      }
      lines += 2;
    }
    for (const r of runs) cmdRuns.add(r.run.id);
    for (const [r, m] of this.cmds) {
      if (!cmdRuns.has(r)) {
        this.cmds.delete(r);
        continue;
      }
      for (const rec of m.values()) parts.push(JSON.stringify(rec));
      lines += m.size;
    }
    const w = writeFileAtomic(this.file, parts.join('\n') + '\n');
    if (!w.ok) {
      // The journal stays as it was: still correct, only longer.
      if (wasOpen) this.openForAppend();
      return w;
    }
    this.version = JOURNAL_VERSION;
    this.runs.splice(0, this.runs.length - runs.length);
    this.lines = lines;
    if (wasOpen) this.openForAppend();
    return ok(undefined);
  }

  run(id: string): RunInfo | undefined {
    return this.runIndex.get(id);
  }

  /** What the rule's command was made of in that run, if the journal says. */
  cmd(run: string, rule: string): CmdRecord | undefined {
    return this.cmds.get(run)?.get(rule);
  }

  static exists(stateDir: string): boolean {
    return existsSync(Journal.path(stateDir));
  }
}

/** Where the job stands according to the journal alone. */
export type JournalState = 'none' | 'ok' | 'failed' | 'incomplete' | 'started';

export function journalState(h: JobHistory | undefined): JournalState {
  if (!h) return 'none';
  const { lastStart, lastEnd } = h;
  if (lastStart && !(lastEnd && lastEnd.r === lastStart.r && lastEnd.a === lastStart.a)) return 'started';
  if (!lastEnd) return 'none';
  return lastEnd.s;
}
