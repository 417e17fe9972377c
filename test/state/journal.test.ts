// The journal: torn last lines, where a job stands, and compaction keeping what matters.
import { describe, expect, test } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal, journalState } from '../../src/state/journal.js';
import type { EndRecord, StartRecord } from '../../src/state/records.js';

const start = (j: string, r: string, a = 1, ts = 1): StartRecord => ({ t: 'start', j, r, a, ts, w: 'local' });
const end = (j: string, r: string, s: EndRecord['s'], a = 1, ts = 2): EndRecord => ({ t: 'end', j, r, a, b: 1, ts, s, x: s === 'ok' ? 0 : 1, c: 'h', i: [], o: [], w: 'local' });

describe('Journal', () => {
  test('a torn last line is skipped, and the next record still stands alone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dax-journal-'));
    const j = Journal.load(dir);
    j.append(start('a', 'r1'));
    j.append(end('a', 'r1', 'ok'));
    j.close();
    appendFileSync(Journal.path(dir), '{"t":"start","j":"b","r":"r1"'); // killed mid-write
    const k = Journal.load(dir);
    expect(k.skipped).toBe(1);
    expect(journalState(k.jobs.get('a'))).toBe('ok');
    k.append(start('c', 'r2'));
    k.close();
    const l = Journal.load(dir);
    expect(l.skipped).toBe(1);
    expect(journalState(l.jobs.get('c'))).toBe('started');
  });

  test('where a job stands: started without an end, failed, retried', () => {
    const j = Journal.load(mkdtempSync(path.join(tmpdir(), 'dax-journal-')));
    j.append(start('x', 'r1'));
    expect(journalState(j.jobs.get('x'))).toBe('started');
    j.append(end('x', 'r1', 'failed'));
    expect(journalState(j.jobs.get('x'))).toBe('failed');
    j.append(start('x', 'r1', 2, 3));
    expect(journalState(j.jobs.get('x'))).toBe('started');
    j.append(end('x', 'r1', 'ok', 2, 4));
    expect(journalState(j.jobs.get('x'))).toBe('ok');
    expect(journalState(undefined)).toBe('none');
  });

  test('compaction keeps each job\'s last end, unfinished starts and the runs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dax-journal-'));
    const j = Journal.load(dir);
    for (let r = 0; r < 5; r++) {
      j.append({ t: 'run', id: `r${r}`, start: r, targets: [], sets: {}, keepGoing: false, pid: 1, host: 'h' });
      for (let i = 0; i < 300; i++) {
        j.append(start(`job${i}`, `r${r}`));
        j.append(end(`job${i}`, `r${r}`, 'ok'));
      }
      j.append({ t: 'runend', id: `r${r}`, end: r, result: 'ok', counts: {} });
    }
    j.append(start('unfinished', 'r4'));
    expect(j.needsCompaction()).toBe(true);
    j.compact();
    j.close();
    const lines = readFileSync(Journal.path(dir), 'utf8').trim().split('\n');
    // The format header, the runs, each job's last end, the unfinished start.
    expect(JSON.parse(lines[0]!)).toEqual({ t: 'journal', v: 2 });
    expect(lines.length).toBe(1 + 5 * 2 + 300 + 1);
    const k = Journal.load(dir);
    expect(k.runs.map((r) => r.run.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(k.runs.every((r) => r.end?.result === 'ok')).toBe(true);
    expect(journalState(k.jobs.get('job7'))).toBe('ok');
    expect(k.jobs.get('job7')!.lastEnd!.r).toBe('r4');
    expect(journalState(k.jobs.get('unfinished'))).toBe('started');
    expect(k.needsCompaction()).toBe(false);
  });
});
