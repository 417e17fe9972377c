// The last lines of a job's log, for its failure message, and the header line that starts each
// attempt's part of the log.
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isoStamp } from '../events/out.js';

const HEADER = /^=== dax attempt \d+ /;

/** The line dax writes at the top of each attempt's part of a job's log. */
export function logHeader(attempt: number, attempts: number, run: string, ts: number, command: string): string {
  const when = `${isoStamp(ts).slice(0, 19)}Z`;
  return `=== dax attempt ${attempt} of ${attempts} at ${when} (run ${run}): ${command.replace(/\n+$/, '').replace(/\n/g, ' \u21b5 ')}\n`;
}

/** Starts the log at `file` with only the header (best effort: on a full disk the job's own
 * writes fail too, and its failure says so). `ifMissing`: leave a log the job wrote alone. */
export function writeHeaderLog(file: string, header: string, ifMissing = false): void {
  try {
    writeFileSync(file, header, ifMissing ? { flag: 'wx' } : {});
  } catch {
    /* it exists (ifMissing), or the disk is full */
  }
}

/** The last `lines` lines of the log's last attempt (what follows its header line). */
export function tail(log: string, projectDir: string, lines: number): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(path.join(projectDir, log), 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, 8192);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8').replace(/\n$/, '');
    if (text === '') return [];
    const all = text.split('\n');
    let from = 0;
    for (let i = all.length - 1; i >= 0; i--) {
      if (HEADER.test(all[i]!)) {
        from = i + 1;
        break;
      }
    }
    return all.slice(Math.max(from, all.length - lines));
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
