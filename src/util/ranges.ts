// The value-list format shared by `file:` wildcard domains, chunk lists (`ids: {file:}`) and
// reports: one value per line, runs of consecutive integers written as an inclusive range `a:b`,
// blank lines and lines starting with # ignored. One reader for all of them: readValueList.
import { readFileSync } from 'node:fs';
import { err, ok, type Result } from './result.js';

/** Guards against a typo such as `0:9999999999` expanding into billions of values. */
export const MAX_RANGE_VALUES = 10_000_000;

const RANGE = /^(-?\d+)\s*:\s*(-?\d+)$/;

/** An inclusive integer range `a:b`: its bounds, or why it is a bad one; undefined when the
 * text is not a range at all. */
export function parseRange(text: string): Result<[number, number], string> | undefined {
  const t = text.trim();
  const m = RANGE.exec(t);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return err(`range ${t} has a value that is too large`);
  if (a > b) return err(`range ${t} runs backwards (write ${b}:${a})`);
  if (b - a + 1 > MAX_RANGE_VALUES) return err(`range ${t} holds ${b - a + 1} values, more than ${MAX_RANGE_VALUES}`);
  return ok([a, b]);
}

export function toRanges(ids: Iterable<number>): Array<[number, number]> {
  const sorted = [...new Set(ids)].sort((x, y) => x - y);
  const runs: Array<[number, number]> = [];
  for (const id of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && id === last[1] + 1) last[1] = id;
    else runs.push([id, id]);
  }
  return runs;
}

/** Formats values: integers as sorted ranges, then any other values one per line. */
export function formatValueList(values: Iterable<string>): string {
  const ints: number[] = [];
  const other: string[] = [];
  for (const v of values) {
    if (/^-?\d+$/.test(v)) ints.push(Number(v));
    else other.push(v);
  }
  return toRanges(ints).map(([a, b]) => (a === b ? `${a}\n` : `${a}:${b}\n`)).join('') + other.map((v) => `${v}\n`).join('');
}

/** A line of a value list: one value, or an inclusive integer range. */
export type ValueEntry = { value: string } | { range: [number, number] };

/** What a list may hold: any value, or only non-negative integer ids (named `what` in messages). */
export type ValueKind = { kind: 'any' } | { kind: 'id'; what: string };

/** Why a file could not be read, in words (never a raw ENOENT). */
export function unreadable(e: unknown): string {
  const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
      return 'permission denied';
    case undefined: // not a system error: its own message says what went wrong
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

// At most this many bad lines are listed; the rest are counted.
const MAX_LISTED = 10;
const ID = /^\d+$/;

/** Parses a value list; `shown` names the file in messages (`shown:LINE: ...`), every bad line. */
export function parseValueList(text: string, shown: string, kind: ValueKind): Result<ValueEntry[], string> {
  const entries: ValueEntry[] = [];
  const bad: string[] = [];
  const expected = kind.kind === 'id' ? `${kind.what} (an integer >= 0) or an inclusive range a:b` : 'a value or an inclusive integer range a:b';
  const lines = text.split('\n');
  let total = 0;
  for (const [i, raw] of lines.entries()) {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const range = parseRange(t);
    let problem: string | undefined;
    if (range === undefined) {
      if (kind.kind === 'id' && !(ID.test(t) && Number.isSafeInteger(Number(t)))) problem = '';
      else {
        entries.push({ value: t });
        total++;
      }
    } else if (!range.ok) problem = `: ${range.error}`;
    else if (kind.kind === 'id' && range.value[0] < 0) problem = `: ${kind.what}s are not negative`;
    else {
      entries.push({ range: range.value });
      total += range.value[1] - range.value[0] + 1;
    }
    if (problem !== undefined) bad.push(`${shown}:${i + 1}: expected ${expected} (got ${JSON.stringify(t)})${problem}`);
  }
  if (bad.length > 0) {
    const listed = bad.slice(0, MAX_LISTED);
    if (bad.length > MAX_LISTED) listed.push(`... and ${bad.length - MAX_LISTED} more bad lines`);
    listed.push(`fix or remove these lines: one value or range a:b per line; blank lines and lines starting with # are ignored`);
    return err(listed.join('\n'));
  }
  if (total > MAX_RANGE_VALUES) return err(`${shown}: the list expands to ${total} values, more than ${MAX_RANGE_VALUES}`);
  return ok(entries);
}

/** Reads a value-list file; a missing file or a directory is a message, not an exception. */
export function readValueList(file: string, shown: string, kind: ValueKind): Result<ValueEntry[], string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return err(`cannot read ${shown}: ${unreadable(e)}`);
  }
  return parseValueList(text, shown, kind);
}

/** The values of entries, ranges expanded, in order (repeats kept). */
export function expandEntries(entries: readonly ValueEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if ('value' in e) out.push(e.value);
    else for (let v = e.range[0]; v <= e.range[1]; v++) out.push(String(v));
  }
  return out;
}
