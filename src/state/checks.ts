// Output checks (`check:` on a rule): whether a file a tool wrote is complete. A failed check
// makes the job incomplete: `dax run -n` and `dax status` say so, and dax rebuilds it.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import type { OutputCheck } from './staleness.js';

/**
 * `csv`: the last line ends with a newline and every row has the same number of fields.
 * Quoted fields (RFC 4180) may hold commas and newlines. Reads the file in blocks.
 */
export const csvCheck: OutputCheck = (file) => {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  try {
    if (fstatSync(fd).isDirectory()) return 'is a directory, not a CSV file';
    const buf = Buffer.alloc(1 << 16);
    let fields = 1;
    let expected = -1;
    let row = 1;
    let inQuotes = false;
    let last = -1;
    let any = false;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      any = true;
      for (let i = 0; i < n; i++) {
        const c = buf[i]!;
        if (c === 0x22) inQuotes = !inQuotes;
        else if (inQuotes) continue;
        else if (c === 0x2c) fields++;
        else if (c === 0x0a) {
          if (expected < 0) expected = fields;
          else if (fields !== expected) return `row ${row} has ${fields} fields, row 1 has ${expected}`;
          fields = 1;
          row++;
        }
      }
      last = buf[n - 1]!;
    }
    if (!any) return undefined; // an empty table is complete
    if (last !== 0x0a) return `the last line (row ${row}) is not terminated by a newline`;
    return undefined;
  } finally {
    closeSync(fd);
  }
};

export function builtinChecks(): Map<string, OutputCheck> {
  return new Map([['csv', csvCheck]]);
}
