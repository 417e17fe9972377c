// The value-list format shared by `file:` wildcard domains, chunk lists and reports: one value
// per line, with runs of consecutive integers written as an inclusive range `a:b`.
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
