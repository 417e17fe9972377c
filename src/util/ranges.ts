// The value-list format shared by `file:` wildcard domains, chunk lists and reports: one value
// per line, with runs of consecutive integers written as an inclusive range `a:b`.

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
