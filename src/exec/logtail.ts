// The last lines of a job's log, for its failure message.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

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
    return text.split('\n').slice(-lines);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
