import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatChunkList, parseChunkList, readChunkListFile, toRanges } from '../../src/chunks/chunklist.js';

describe('chunk lists', () => {
  it('reads ids and inclusive ranges, skipping blank lines', () => {
    expect(parseChunkList('12\n\n  20:23 \r\n7\n', 'list.txt')).toEqual({ ok: true, value: [12, 20, 21, 22, 23, 7] });
  });

  it('drops repeated ids, keeping the first position', () => {
    expect(parseChunkList('3:5\n4\n1\n', 'l')).toEqual({ ok: true, value: [3, 4, 5, 1] });
  });

  it('skips # comments, like every value list', () => {
    expect(parseChunkList('# failed last night\n1\n2\n# done\n', 'failed.txt')).toEqual({ ok: true, value: [1, 2] });
  });

  it('names the file and line of every bad line, and says what to do', () => {
    const r = parseChunkList('1\nx\n2\n1.5\n', 'failed.txt');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.split('\n')).toEqual([
      'failed.txt:2: expected a chunk id (an integer >= 0) or an inclusive range a:b (got "x")',
      'failed.txt:4: expected a chunk id (an integer >= 0) or an inclusive range a:b (got "1.5")',
      'fix or remove these lines: one value or range a:b per line; blank lines and lines starting with # are ignored',
    ]);
    expect(parseChunkList('9:3\n', 'f')).toMatchObject({ ok: false, error: expect.stringMatching(/^f:1: expected .* \(got "9:3"\): range 9:3 runs backwards/) });
    expect(parseChunkList('-4\n', 'f')).toMatchObject({ ok: false, error: expect.stringMatching(/^f:1:/) });
    expect(parseChunkList('1.5\n', 'f').ok).toBe(false);
    expect(parseChunkList('0:99999999999\n', 'f')).toMatchObject({ ok: false, error: expect.stringMatching(/more than/) });
  });

  it('formats ids as ranges that read back as the same set', () => {
    const ids = [2500, 2501, 2502, 7, 2598, 2400, 2401, 7];
    expect(toRanges(ids)).toEqual([[7, 7], [2400, 2401], [2500, 2502], [2598, 2598]]);
    const text = formatChunkList(ids);
    expect(text).toBe('7\n2400:2401\n2500:2502\n2598\n');
    const back = parseChunkList(text, 'report');
    expect(back.ok && new Set(back.value)).toEqual(new Set(ids));
    expect(formatChunkList([])).toBe('');
  });

  it('reports a missing file as a value, not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dax-chunklist-'));
    expect(readChunkListFile(join(dir, 'nope.txt'), 'nope.txt')).toEqual({ ok: false, error: 'cannot read nope.txt: no such file' });
    expect(readChunkListFile(dir, 'd')).toEqual({ ok: false, error: 'cannot read d: is a directory, not a file' });
    writeFileSync(join(dir, 'ok.txt'), '1:3\n');
    expect(readChunkListFile(join(dir, 'ok.txt'))).toEqual({ ok: true, value: [1, 2, 3] });
  });
});
