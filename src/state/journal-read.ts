// Reading a long journal fast. Most of it is superseded attempts: only each job's last start,
// end and 'at' lines matter. The file is read backwards, a chunk at a time (a journal of 10^6
// lines is never in memory whole), so the first start and end met for a job are its last ones,
// parsed as they come, and any earlier line of that job costs no string and no object. Lines are
// told apart by their first bytes as dax writes them (`{"t":"start","j":"<id>",...`) and jobs by
// a hash of their id's bytes. Any other line (a run, a header, a journal of dax 0.1, an id with
// escapes) is parsed as it comes. The caller falls back to parsing every line when a kept line
// turns out damaged.
import { fstatSync, readSync } from 'node:fs';
import type { AtRecord, EndRecord, InputPrint, JournalRecord, OutputPrint, StartRecord } from './records.js';

export interface JobLines {
  lastStart?: StartRecord;
  lastEnd?: EndRecord;
  lastAt?: AtRecord;
}

export interface ReadJournal {
  /** In the order the jobs first appear in the file. */
  jobs: Map<string, JobLines>;
  /** The records that are not a job's (header, run, runend, cmd), in order. */
  others: JournalRecord[];
  lines: number;
  skipped: number;
}

/** A job's 'at' lines after its last start (while that start is not met yet), last first. */
interface Ats {
  /** From lines as dax writes them, and from lines parsed the long way. */
  plain: AtRecord[];
  parsed: AtRecord[];
  /** Lines that did not parse: skipped, if the job turns out to have a start. */
  bad: number;
}

const START = 0;
const END = 1;
const AT = 2;
const PREFIXES = ['start', 'end', 'at'].map((t) => Buffer.from(`{"t":"${t}","j":"`));
const HAS_START = 1;
const HAS_END = 2;

/** Bytes read at a time; a longer line grows the buffer. */
const CHUNK = 1 << 20;

/** The journal open as `fd`; undefined when a kept line does not parse. */
export function readJournal(fd: number): ReadJournal | undefined {
  const size = fstatSync(fd).size;
  const jobs = new JobTable();
  const others: JournalRecord[] = [];
  const ats = new Map<number, Ats>();
  const atsOf = (i: number): Ats => {
    let a = ats.get(i);
    if (!a) ats.set(i, (a = { plain: [], parsed: [], bad: 0 }));
    return a;
  };
  let lines = 0;
  let skipped = 0;

  let buf = Buffer.allocUnsafe(Math.min(size, CHUNK));
  // buf[lo, cur) holds the file's bytes from fileLo on, not yet looked at; lines come off its end.
  let lo = buf.length;
  let cur = lo;
  let fileLo = size;
  for (;;) {
    let nl = cur > lo ? buf.lastIndexOf(0x0a, cur - 1) : -1;
    if (nl < lo) {
      if (fileLo > 0) {
        // The rest of the line is further back: keep its end, read the chunk before it.
        const keep = cur - lo;
        if (keep === buf.length) {
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, keep + fileLo));
          buf.copy(bigger, bigger.length - keep, lo, cur);
          buf = bigger;
        } else buf.copyWithin(buf.length - keep, lo, cur);
        cur = buf.length;
        lo = cur - keep;
        const n = Math.min(lo, fileLo);
        if (!readAt(fd, buf, lo - n, n, fileLo - n)) return undefined;
        lo -= n;
        fileLo -= n;
        continue;
      }
      nl = lo - 1; // the file's first line
    }
    const from = nl + 1;
    const to = cur;
    cur = nl;
    if (from < to) {
      lines++;
      const pos = fileLo + (from - lo);
      const kind = peek(buf, from, to);
      const idFrom = kind >= 0 ? from + PREFIXES[kind]!.length : 0;
      const idTo = kind >= 0 ? idEnd(buf, idFrom, to) : -1;
      if (idTo >= 0) {
        const i = jobs.at(buf, idHash, idFrom, idTo, pos);
        const has = jobs.has[i]!;
        if (kind === START) {
          if (!(has & HAS_START)) {
            const rec = readStart(buf, idTo, to, jobs.ids[i]!) ?? parse<StartRecord>(buf, from, to);
            if (!rec) return undefined;
            jobs.starts[i] = rec;
            jobs.has[i] = has | HAS_START;
          }
        } else if (kind === END) {
          if (!(has & HAS_END)) {
            const rec = readEnd(buf, idTo, to, jobs.ids[i]!) ?? parse<EndRecord>(buf, from, to);
            if (!rec) return undefined;
            jobs.ends[i] = rec;
            jobs.has[i] = has | HAS_END;
          }
        } else if (!(has & HAS_START)) {
          const rec = parse<AtRecord>(buf, from, to);
          if (rec) atsOf(i).plain.push(rec);
          else atsOf(i).bad++;
        }
      } else {
        const rec = parse<JournalRecord>(buf, from, to);
        if (!rec) {
          lines--;
          skipped++;
        } else {
          switch (rec.t) {
            case 'start': {
              const i = jobs.of(rec.j, pos);
              if (!(jobs.has[i]! & HAS_START)) {
                jobs.starts[i] = rec;
                jobs.has[i]! |= HAS_START;
              }
              break;
            }
            case 'end': {
              const i = jobs.of(rec.j, pos);
              if (!(jobs.has[i]! & HAS_END)) {
                jobs.ends[i] = rec;
                jobs.has[i]! |= HAS_END;
              }
              break;
            }
            case 'at': {
              const i = jobs.of(rec.j, pos);
              if (!(jobs.has[i]! & HAS_START)) atsOf(i).parsed.push(rec);
              break;
            }
            case 'journal':
            case 'run':
            case 'runend':
            case 'cmd':
              others.push(rec);
              break;
            default:
              // A record of a newer dax: passed on as it is, for the journal to ignore.
              others.push(rec);
          }
        }
      }
    }
    if (nl < lo) break;
  }
  others.reverse();

  const out = new Map<string, JobLines>();
  for (const i of jobs.inFileOrder()) {
    const start = jobs.starts[i];
    const end = jobs.ends[i];
    if (!start && !end) continue;
    const h: JobLines = {};
    if (start) h.lastStart = start;
    if (end) h.lastEnd = end;
    const a = start ? ats.get(i) : undefined;
    if (a && start) {
      skipped += a.bad;
      // The last 'at' of the last start's attempt: plain lines, then the others, each in file order.
      for (const r of [...a.plain.reverse(), ...a.parsed.reverse()]) if (r.r === start.r && r.a === start.a) h.lastAt = r;
    }
    out.set(jobs.ids[i]!, h);
  }
  return { jobs: out, others, lines, skipped };
}

/** `n` bytes of the file at `pos` into buf at `into`; false when the file ended sooner. */
function readAt(fd: number, buf: Buffer, into: number, n: number, pos: number): boolean {
  while (n > 0) {
    const got = readSync(fd, buf, into, n, pos);
    if (got === 0) return false;
    into += got;
    pos += got;
    n -= got;
  }
  return true;
}

/** The jobs met so far, by index in the order met (from the file's end): their ids, what is
 * known of them, and an open-addressing table from the hash of an id to its index. */
class JobTable {
  readonly ids: string[] = [];
  readonly starts: Array<StartRecord | undefined> = [];
  readonly ends: Array<EndRecord | undefined> = [];
  /** HAS_START | HAS_END. */
  has = new Uint8Array(1024);
  /** Where each job's earliest line met so far starts in the file. */
  private first = new Float64Array(1024);
  private hashes = new Int32Array(1024);
  /** Index + 1 of the job in each slot, 0 for none; never more than half full. */
  private table = new Int32Array(2048);
  /** Jobs whose id would not appear plain in the file (escapes, non-ASCII). */
  private readonly odd = new Map<string, number>();

  /** The job of the id in buf[from, to) (plain ASCII, hashed to h), met in a line at `pos`. */
  at(buf: Buffer, h: number, from: number, to: number, pos: number): number {
    const mask = this.table.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.table[s]!;
      if (e === 0) {
        const i = this.add(buf.toString('latin1', from, to), h, pos);
        this.table[s] = i + 1;
        if (this.ids.length * 2 > this.table.length) this.rehash();
        return i;
      }
      const i = e - 1;
      if (this.hashes[i] === h && sameText(this.ids[i]!, buf, from, to)) {
        this.first[i] = pos;
        return i;
      }
    }
  }

  /** The job of an id met in a parsed record at `pos`. */
  of(id: string, pos: number): number {
    const h = hashText(id);
    if (h < 0) {
      let i = this.odd.get(id);
      if (i === undefined) this.odd.set(id, (i = this.add(id, h, pos)));
      else this.first[i] = pos;
      return i;
    }
    const mask = this.table.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.table[s]!;
      if (e === 0) {
        const i = this.add(id, h, pos);
        this.table[s] = i + 1;
        if (this.ids.length * 2 > this.table.length) this.rehash();
        return i;
      }
      const i = e - 1;
      if (this.hashes[i] === h && this.ids[i] === id) {
        this.first[i] = pos;
        return i;
      }
    }
  }

  private add(id: string, h: number, pos: number): number {
    const i = this.ids.length;
    if (i === this.hashes.length) {
      this.hashes = grow(this.hashes, new Int32Array(i * 2));
      this.first = grow(this.first, new Float64Array(i * 2));
      this.has = grow(this.has, new Uint8Array(i * 2));
    }
    this.ids.push(id);
    this.starts.push(undefined);
    this.ends.push(undefined);
    this.hashes[i] = h;
    this.first[i] = pos;
    return i;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let i = 0; i < this.ids.length; i++) {
      const h = this.hashes[i]!;
      if (h < 0) continue;
      let s = h & mask;
      while (table[s] !== 0) s = (s + 1) & mask;
      table[s] = i + 1;
    }
    this.table = table;
  }

  /** The jobs' indices in the order of their first line in the file. Met from the end, they
   * usually are in that order backwards already (each run lists its jobs in the same order). */
  inFileOrder(): number[] {
    const n = this.ids.length;
    const order: number[] = [];
    for (let i = n - 1; i >= 0; i--) order.push(i);
    for (let k = 1; k < n; k++) {
      if (this.first[order[k]!]! < this.first[order[k - 1]!]!) {
        const first = this.first;
        return order.sort((a, b) => first[a]! - first[b]!);
      }
    }
    return order;
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function parse<T>(buf: Buffer, from: number, to: number): T | undefined {
  try {
    return JSON.parse(buf.toString('utf8', from, to)) as T;
  } catch {
    return undefined;
  }
}

/** Which of start, end, 'at' a line is, by its first bytes; -1 otherwise. */
function peek(buf: Buffer, from: number, to: number): number {
  // '{"t":"' then s, e or a.
  const c = buf[from + 6];
  const k = c === 0x73 ? START : c === 0x65 ? END : c === 0x61 ? AT : -1;
  if (k < 0) return -1;
  const prefix = PREFIXES[k]!;
  if (to - from <= prefix.length) return -1;
  for (let i = 0; i < prefix.length; i++) if (buf[from + i] !== prefix[i]) return -1;
  return k;
}

/** Set by idEnd: the FNV-1a hash of the id's bytes, as a small integer. */
let idHash = 0;

/** The id's closing quote from `from`, hashing it into idHash; -1 for an id with escapes or
 * non-ASCII bytes (read the long way). */
function idEnd(buf: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === 0x22) {
      idHash = h & 0x3fffffff;
      return i;
    }
    if (c === 0x5c || c >= 0x80) return -1;
    h = Math.imul(h ^ c, 16777619);
  }
  return -1;
}

/** The same hash of an id string; -1 when it would not appear plain in the file. */
function hashText(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80) return -1;
    h = Math.imul(h ^ c, 16777619);
  }
  return h & 0x3fffffff;
}

/** Reads the rest of a line as dax writes it, from the id's closing quote: literals, plain
 * ASCII strings, numbers. Each reader answers undefined (or false) when the line is shaped
 * otherwise, and the line is then parsed by JSON.parse. */
class LineReader {
  buf: Buffer = Buffer.alloc(0);
  i = 0;
  to = 0;
  /** The last strings read where few values repeat (run ids, workers, statuses): one string each. */
  private readonly seen: string[] = ['', '', ''];

  /** Reads `buf` from `at` to `to`. */
  on(buf: Buffer, at: number, to: number): this {
    this.buf = buf;
    this.i = at;
    this.to = to;
    return this;
  }

  lit(s: string): boolean {
    const { buf, i } = this;
    for (let k = 0; k < s.length; k++) if (buf[i + k] !== s.charCodeAt(k)) return false;
    this.i = i + s.length;
    return true;
  }

  /** A string's text up to its closing quote (the opening one read); `slot` reuses a repeated one. */
  str(slot = -1): string | undefined {
    const { buf, to } = this;
    const from = this.i;
    for (let i = from; i < to; i++) {
      const c = buf[i]!;
      if (c === 0x22) {
        this.i = i + 1;
        if (slot >= 0) {
          const last = this.seen[slot]!;
          if (sameText(last, buf, from, i)) return last;
          return (this.seen[slot] = buf.toString('latin1', from, i));
        }
        return buf.toString('latin1', from, i);
      }
      if (c === 0x5c || c < 0x20 || c >= 0x80) return undefined;
    }
    return undefined;
  }

  /** A JSON number; a fraction or an exponent, or more than 15 digits, is read by Number(), which
   * rounds as JSON.parse does. */
  num(): number | undefined {
    const { buf, to } = this;
    const from = this.i;
    let i = from;
    if (buf[i] === 0x2d) i++;
    const d0 = i;
    let n = 0;
    for (; i < to && buf[i]! >= 0x30 && buf[i]! <= 0x39; i++) n = n * 10 + buf[i]! - 0x30;
    const digits = i - d0;
    if (digits === 0 || (digits > 1 && buf[d0] === 0x30)) return undefined;
    let plain = digits <= 15;
    if (buf[i] === 0x2e) {
      plain = false;
      const f0 = ++i;
      while (i < to && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
      if (i === f0) return undefined;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      plain = false;
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      const e0 = i;
      while (i < to && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
      if (i === e0) return undefined;
    }
    this.i = i;
    if (plain) return d0 > from ? -n : n;
    return Number(buf.toString('latin1', from, i));
  }
}

const line = new LineReader();

/** A start line as dax writes it, `…"<id>","r":"<run>","a":<n>,"ts":<n>,"w":"<worker>"}`, read
 * without JSON.parse from `at` (the id's closing quote). */
function readStart(buf: Buffer, at: number, to: number, id: string): StartRecord | undefined {
  const l = line.on(buf, at, to);
  if (!l.lit('","r":"')) return undefined;
  const r = l.str(0);
  if (r === undefined || !l.lit(',"a":')) return undefined;
  const a = l.num();
  if (a === undefined || !l.lit(',"ts":')) return undefined;
  const ts = l.num();
  if (ts === undefined || !l.lit(',"w":"')) return undefined;
  const w = l.str(1);
  if (w === undefined || !l.lit('}') || l.i !== to) return undefined;
  return { t: 'start', j: id, r, a, ts, w };
}

/** An end line of a job that did not fail as dax writes it, `…"<id>","r":…,"a":…,"b":…,"ts":…,
 * "s":…,"x":…,"c":…,"i":[[path,size,mtime,hash]…],"o":[[path,size,mtime]…],"w":…}`, read
 * without JSON.parse from `at` (the id's closing quote). */
function readEnd(buf: Buffer, at: number, to: number, id: string): EndRecord | undefined {
  const l = line.on(buf, at, to);
  if (!l.lit('","r":"')) return undefined;
  const r = l.str(0);
  if (r === undefined || !l.lit(',"a":')) return undefined;
  const a = l.num();
  if (a === undefined || !l.lit(',"b":')) return undefined;
  const b = l.num();
  if (b === undefined || !l.lit(',"ts":')) return undefined;
  const ts = l.num();
  if (ts === undefined || !l.lit(',"s":"')) return undefined;
  const s = l.str(2) as EndRecord['s'] | undefined;
  if (s === undefined || !l.lit(',"x":')) return undefined;
  const x = l.lit('null') ? null : l.num();
  if (x === undefined || !l.lit(',"c":"')) return undefined;
  const c = l.str();
  if (c === undefined || !l.lit(',"i":[')) return undefined;
  const ins = readPrints(l, (): InputPrint | undefined => {
    const p = l.str();
    if (p === undefined || !l.lit(',')) return undefined;
    const size = l.num();
    if (size === undefined || !l.lit(',')) return undefined;
    const mtime = l.num();
    if (mtime === undefined || !l.lit(',"')) return undefined;
    const hash = l.str();
    return hash === undefined ? undefined : [p, size, mtime, hash];
  });
  if (ins === undefined || !l.lit(',"o":[')) return undefined;
  const outs = readPrints(l, (): OutputPrint | undefined => {
    const p = l.str();
    if (p === undefined || !l.lit(',')) return undefined;
    const size = l.num();
    if (size === undefined || !l.lit(',')) return undefined;
    const mtime = l.num();
    return mtime === undefined ? undefined : [p, size, mtime];
  });
  if (outs === undefined) return undefined;
  if (!l.lit(',"w":"')) return undefined;
  const w = l.str(1);
  if (w === undefined || !l.lit('}') || l.i !== to) return undefined;
  return { t: 'end', j: id, r, a, b, ts, s, x, c, i: ins, o: outs, w };
}

/** The rest of a list of prints after its `[`: `["…",…]` items, each read by `item` after its
 * opening `["` up to its closing `]`. One print is the common case: an array made of it has its
 * exact size, where pushing onto [] gives it room for 17 (kept by every record the journal holds). */
function readPrints<T>(l: LineReader, item: () => T | undefined): T[] | undefined {
  if (l.lit(']')) return [];
  let out: T[] = [];
  for (;;) {
    if (!l.lit('["')) return undefined;
    const print = item();
    if (print === undefined || !l.lit(']')) return undefined;
    if (out.length === 0) out = [print];
    else out.push(print);
    if (l.lit(']')) return out;
    if (!l.lit(',')) return undefined;
  }
}

/** An ASCII id against bytes of the file. */
function sameText(id: string, buf: Buffer, b0: number, b1: number): boolean {
  if (id.length !== b1 - b0) return false;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== buf[b0 + i]) return false;
  return true;
}
