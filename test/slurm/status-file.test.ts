// A task's status is written by one `echo` (no rename per job): an attempt counts as ended
// only once its status file holds a whole line, never while the write is under way.
import { expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStatus } from '../../src/exec/remote/wrapper.js';

it('a status without its newline is not an end yet; with it, it is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dax-status-'));
  expect(readStatus(dir)).toBeUndefined();
  writeFileSync(join(dir, 'status'), '');
  expect(readStatus(dir)).toBeUndefined();
  writeFileSync(join(dir, 'status'), '0');
  expect(readStatus(dir)).toBeUndefined();
  writeFileSync(join(dir, 'status'), '0\n');
  expect(readStatus(dir)).toBe('0\n');
});
