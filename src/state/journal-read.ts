// Reading a long journal fast. Most of it is superseded attempts: only each job's last start, end
// and 'at' lines are parsed. Lines are told apart by their first bytes as dax writes them
// (`{"t":"start","j":"<id>",...`) and jobs by a hash of their id's bytes, so a superseded line
// costs no string and no object. Any other line (a run, a header, a journal of dax 0.1, an id
// with escapes) is parsed as it comes. The caller falls back to parsing every line when a kept
// line turns out damaged.
import type { AtRecord, EndRecord, JournalRecord, StartRecord } from './records.js';

export interface JobLines {
  lastStart?: StartRecord;
  lastEnd?: EndRecord;
  lastAt?: AtRecord;
}

export interface ReadJournal {
  jobs: Map<string, JobLines>;
  /** The records that are not a job's (header, run, runend, cmd), in order. */
  others: JournalRecord[];
  lines: number;
  skipped: number;
}

/** A job's kept lines: byte ranges in the file (-1: none), or records already parsed. */
interface Pending {
  /** The id: its bytes in the file (ASCII), or the string of a parsed record. */
  id0: number;
  id1: number;
  id: string | undefined;
  next: Pending | undefined;
  s0: number;
  s1: number;
  e0: number;
  e1: number;
  sRec: StartRecord | undefined;
  eRec: EndRecord | undefined;
  /** 'at' lines since the last start: from, to, from, to...; or parsed. */
  at: number[] | undefined;
  atRecs: AtRecord[] | undefined;
}

const START = 0;
const END = 1;
const AT = 2;
const PREFIXES = ['start', 'end', 'at'].map((t) => Buffer.from(`{"t":"${t}","j":"`));

/** Undefined when a kept line does not parse. */
export function readJournal(buf: Buffer): ReadJournal | undefined {
  const byHash = new Map<number, Pending>();
  const byId = new Map<string, Pending>();
  const order: Pending[] = [];
  const others: JournalRecord[] = [];
  const fresh = (id0: number, id1: number, id: string | undefined, next: Pending | undefined): Pending => {
    const p: Pending = { id0, id1, id, next, s0: -1, s1: -1, e0: -1, e1: -1, sRec: undefined, eRec: undefined, at: undefined, atRecs: undefined };
    order.push(p);
    return p;
  };
  /** The job of an id met in the file's bytes. */
  const slotAt = (h: number, from: number, to: number): Pending => {
    const first = byHash.get(h);
    let p = first;
    while (p && !(p.id === undefined ? sameBytes(buf, p.id0, p.id1, from, to) : sameText(p.id, buf, from, to))) p = p.next;
    if (!p) byHash.set(h, (p = fresh(from, to, undefined, first)));
    return p;
  };
  /** The job of an id met in a parsed record. */
  const slot = (id: string): Pending => {
    const h = hashText(id);
    if (h < 0) {
      let p = byId.get(id);
      if (!p) byId.set(id, (p = fresh(-1, -1, id, undefined)));
      return p;
    }
    const first = byHash.get(h);
    let p = first;
    while (p && !(p.id === undefined ? sameText(id, buf, p.id0, p.id1) : p.id === id)) p = p.next;
    if (!p) byHash.set(h, (p = fresh(-1, -1, id, first)));
    return p;
  };

  let lines = 0;
  let skipped = 0;
  let at = 0;
  while (at < buf.length) {
    let nl = buf.indexOf(0x0a, at);
    if (nl < 0) nl = buf.length;
    const from = at;
    at = nl + 1;
    if (nl === from) continue;
    lines++;
    const kind = peek(buf, from, nl);
    if (kind >= 0) {
      const idFrom = from + PREFIXES[kind]!.length;
      const idTo = idEnd(buf, idFrom, nl);
      if (idTo >= 0) {
        const p = slotAt(idHash, idFrom, idTo);
        if (kind === START) {
          p.s0 = from;
          p.s1 = nl;
          p.sRec = undefined;
          p.at = undefined;
          p.atRecs = undefined;
        } else if (kind === END) {
          p.e0 = from;
          p.e1 = nl;
          p.eRec = undefined;
        } else (p.at ??= []).push(from, nl);
        continue;
      }
    }
    let rec: JournalRecord;
    try {
      rec = JSON.parse(buf.toString('utf8', from, nl)) as JournalRecord;
    } catch {
      lines--;
      skipped++;
      continue;
    }
    switch (rec.t) {
      case 'start': {
        const p = slot(rec.j);
        p.sRec = rec;
        p.s0 = -1;
        p.at = undefined;
        p.atRecs = undefined;
        break;
      }
      case 'end': {
        const p = slot(rec.j);
        p.eRec = rec;
        p.e0 = -1;
        break;
      }
      case 'at':
        (slot(rec.j).atRecs ??= []).push(rec);
        break;
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

  const jobs = new Map<string, JobLines>();
  for (const p of order) {
    const id = p.id ?? buf.toString('latin1', p.id0, p.id1);
    let start = p.sRec;
    if (p.s0 >= 0) {
      start = readStart(buf, p.s0 + PREFIXES[START]!.length + (p.id0 >= 0 ? p.id1 - p.id0 : id.length), p.s1, id) ?? parse<StartRecord>(buf, p.s0, p.s1);
      if (!start) return undefined;
    }
    let end = p.eRec;
    if (p.e0 >= 0) {
      end = parse<EndRecord>(buf, p.e0, p.e1);
      if (!end) return undefined;
    }
    if (!start && !end) continue;
    const h: JobLines = {};
    if (start) h.lastStart = start;
    if (end) h.lastEnd = end;
    if (start && (p.at || p.atRecs)) {
      // The last 'at' of the last start's attempt.
      const ats: AtRecord[] = [];
      for (let i = 0; p.at && i < p.at.length; i += 2) {
        const r = parse<AtRecord>(buf, p.at[i]!, p.at[i + 1]!);
        if (r) ats.push(r);
        else skipped++;
      }
      if (p.atRecs) ats.push(...p.atRecs);
      for (const r of ats) if (r.r === start.r && r.a === start.a) h.lastAt = r;
    }
    jobs.set(id, h);
  }
  return { jobs, others, lines, skipped };
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

/** A start line as dax writes it, `…"<id>","r":"<run>","a":<n>,"ts":<n>,"w":"<worker>"}`, read
 * without JSON.parse from `at` (the id's closing quote); undefined when it is shaped otherwise. */
function readStart(buf: Buffer, at: number, to: number, id: string): StartRecord | undefined {
  let i = at;
  const lit = (s: string): boolean => {
    for (let k = 0; k < s.length; k++) if (buf[i + k] !== s.charCodeAt(k)) return false;
    i += s.length;
    return true;
  };
  const str = (): string | undefined => {
    const from = i;
    for (; i < to; i++) {
      const c = buf[i]!;
      if (c === 0x22) return buf.toString('latin1', from, i++);
      if (c === 0x5c || c < 0x20 || c >= 0x80) return undefined;
    }
    return undefined;
  };
  const int = (): number | undefined => {
    let n = 0;
    const from = i;
    for (; i < to && buf[i]! >= 0x30 && buf[i]! <= 0x39; i++) n = n * 10 + buf[i]! - 0x30;
    return i > from && i - from < 16 ? n : undefined;
  };
  if (!lit('","r":"')) return undefined;
  const r = str();
  if (r === undefined || !lit(',"a":')) return undefined;
  const a = int();
  if (a === undefined || !lit(',"ts":')) return undefined;
  const ts = int();
  if (ts === undefined || !lit(',"w":"')) return undefined;
  const w = str();
  if (w === undefined || !lit('}') || i !== to) return undefined;
  return { t: 'start', j: id, r, a, ts, w };
}

/** An ASCII id against bytes of the file. */
function sameText(id: string, buf: Buffer, b0: number, b1: number): boolean {
  if (b0 < 0 || id.length !== b1 - b0) return false;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== buf[b0 + i]) return false;
  return true;
}

function sameBytes(buf: Buffer, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return false;
  for (let i = 0; i < a1 - a0; i++) if (buf[a0 + i] !== buf[b0 + i]) return false;
  return true;
}
