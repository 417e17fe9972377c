// Chunk list files: the value-list format (util/ranges.ts) holding chunk ids: one id or one
// inclusive range `a:b` per line, blank lines and # comments ignored (chunks.md "Chunk lists").
// Reports of finished/failed chunks use the same format.
import { formatValueList, MAX_RANGE_VALUES, parseRange, parseValueList, readValueList, toRanges, type ValueEntry } from '../util/ranges.js';
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

const CHUNK_IDS = { kind: 'id', what: 'a chunk id' } as const;

/** Ids of value-list entries, repeats dropped (first position kept). */
function idsOf(entries: readonly ValueEntry[]): Result<number[], string> {
  return expandRanges(entries.map((e): [number, number] => ('range' in e ? e.range : [Number(e.value), Number(e.value)])));
}

/** Parses the text of a chunk list; `file` names it in messages (`file:line: ...`). */
export function parseChunkList(text: string, file: string): Result<number[], string> {
  const entries = parseValueList(text, file, CHUNK_IDS);
  return entries.ok ? idsOf(entries.value) : entries;
}

/** Reads a chunk list file; `shown` names it in messages (default: the path as given). */
export function readChunkListFile(path: string, shown: string = path): Result<number[], string> {
  const entries = readValueList(path, shown, CHUNK_IDS);
  return entries.ok ? idsOf(entries.value) : entries;
}

/** Sorted, de-duplicated ids as maximal runs of consecutive ids. */
export { toRanges };

/** Formats ids in chunk-list form: one line per run, `a:b` for runs longer than one. */
export function formatChunkList(ids: Iterable<number>): string {
  return formatValueList([...ids].map(String));
}
