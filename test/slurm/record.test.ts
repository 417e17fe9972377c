// A task appends a line to its record when a job begins and when it ends, each in one write:
// a job counts as ended only once its line is whole, never while the write is under way, and
// dax reads each record from where it stopped.
import { expect, it } from 'vitest';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskRecord } from '../../src/exec/slurm/record.js';

it('a status without its newline is not an end yet; with it, it is; later lines are read on', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dax-record-')), '0.0');
  const rec = new TaskRecord(file);
  expect(rec.read()).toBe(false); // the task has not begun
  appendFileSync(file, 's 0 node1\ne 0 ');
  expect(rec.read()).toBe(true);
  expect(rec.started.get(0)).toBe('node1');
  expect(rec.ended.has(0)).toBe(false);
  appendFileSync(file, '0');
  expect(rec.read()).toBe(false);
  expect(rec.ended.has(0)).toBe(false);
  appendFileSync(file, '\ns 1 node1\ng 1\ne 1 143\n');
  expect(rec.read()).toBe(true);
  expect(rec.ended.get(0)).toBe('0\n');
  expect(rec.signaled.has(1)).toBe(true);
  expect(rec.ended.get(1)).toBe('143\n');
  expect(rec.read()).toBe(false);
});
