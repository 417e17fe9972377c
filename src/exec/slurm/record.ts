// A Slurm array task's record: the one file its task appends a line to when one of its jobs
// begins, is signalled or ends, read by dax from where it last stopped. One file per task, not
// several per job: on a busy disk each file made or removed costs dax more than the job's own
// bookkeeping. Lines, each written by one `echo >>` (one append: a reader sees a line whole or
// not yet its newline, and takes only whole lines):
//   s K NODE     job K of the task began on NODE
//   g K          the task was signalled while job K ran (its status may be the task's fate)
//   e K STATUS   job K ended with STATUS (the truth: dax needs no sacct)
// K is the job's place in its task (0 when the task runs one job).
import { closeSync, openSync, readSync } from 'node:fs';

const BUF = Buffer.alloc(64 * 1024);

export class TaskRecord {
  /** Bytes taken so far (whole lines only), and what came after the last newline. */
  private offset = 0;
  private rest = '';
  /** Job -> the node it began on ('' if unknown). */
  readonly started = new Map<number, string>();
  /** Job -> its recorded exit status (the first one recorded). */
  readonly ended = new Map<number, string>();
  readonly signaled = new Set<number>();

  constructor(readonly file: string) {}

  /** Reads what was appended since the last read; true when whole lines came. No file yet (the
   * task has not begun) is nothing new. */
  read(): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return false;
    }
    let got = '';
    try {
      for (;;) {
        const n = readSync(fd, BUF, 0, BUF.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        got += BUF.toString('latin1', 0, n);
        if (n < BUF.length) break;
      }
    } catch {
      /* read what could be read */
    } finally {
      closeSync(fd);
    }
    if (got === '') return false;
    const text = this.rest + got;
    const end = text.lastIndexOf('\n');
    this.rest = text.slice(end + 1);
    if (end < 0) return false;
    for (const line of text.slice(0, end).split('\n')) this.take(line);
    return true;
  }

  private take(line: string): void {
    const [what, k, value] = line.split(' ');
    const j = Number(k);
    if (k === undefined || k === '' || !Number.isInteger(j)) return;
    // Other lines (a later dax's) are not ours to read.
    if (what === 's' && !this.started.has(j)) this.started.set(j, value ?? '');
    else if (what === 'g') this.signaled.add(j);
    else if (what === 'e' && !this.ended.has(j)) this.ended.set(j, `${value ?? ''}\n`);
  }
}
