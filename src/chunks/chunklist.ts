// Chunk list files: one id or one inclusive range `a:b` per line, blank lines ignored
// (chunks.md "Chunk lists"). Reports of finished/failed chunks use the same format.
import { formatValueList, MAX_RANGE_VALUES, parseRange, toRanges } from '../util/ranges.js';
import { readFileSync } from 'node:fs';
import { type Result, ok, err } from '../util/result.js';

export const MAX_LIST_IDS = MAX_RANGE_VALUES;

const ID = /^\d+$/;

/** One entry of a list: an id or an inclusive range, or why it is not one. */
export function parseChunkEntry(text: string): Result<[number, number], string> {
  const t = text.trim();
  if (ID.test(t)) {
    const id = Number(t);
    return Number.isSafeInteger(id) ? ok([id, id]) : err(`chunk id ${t} is too large`);
  }
  const range = parseRange(t);
  if (range && range.ok && range.value[0] < 0) return err(`range ${t}: chunk ids are not negative`);
  if (range) return range;
  return err(`expected a chunk id or an inclusive range a:b, got "${t}"`);
}

/** Expands ranges into ids, dropping repeats but keeping first-seen order. */
export function expandRanges(ranges: ReadonlyArray<readonly [number, number]>): Result<number[], string> {
  let n = 0;
  for (const [a, b] of ranges) n += b - a + 1;
  if (n > MAX_LIST_IDS) return err(`the list expands to ${n} ids, more than ${MAX_LIST_IDS}`);
  const seen = new Set<number>();
  const ids: number[] = [];
  for (const [a, b] of ranges) {
    for (let id = a; id <= b; ++id) {
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return ok(ids);
}

/** Parses the text of a chunk list; `file` names it in messages (`file:line: ...`). */
export function parseChunkList(text: string, file: string): Result<number[], string> {
  const ranges: Array<[number, number]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; ++i) {
    if (lines[i].trim() === '') continue;
    const entry = parseChunkEntry(lines[i]);
    if (!entry.ok) return err(`${file}:${i + 1}: ${entry.error}`);
    ranges.push(entry.value);
  }
  const ids = expandRanges(ranges);
  return ids.ok ? ids : err(`${file}: ${ids.error}`);
}

export function readChunkListFile(path: string): Result<number[], string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return err(`cannot read chunk list ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseChunkList(text, path);
}

/** Sorted, de-duplicated ids as maximal runs of consecutive ids. */
export { toRanges };

/** Formats ids in chunk-list form: one line per run, `a:b` for runs longer than one. */
export function formatChunkList(ids: Iterable<number>): string {
  return formatValueList([...ids].map(String));
}
