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
    expect(JSON.parse(lines[0]!)).toEqual({ t: 'journal', v: 3 });
    expect(lines.length).toBe(1 + 5 * 2 + 300 + 1);
    const k = Journal.load(dir);
    expect(k.runs.map((r) => r.run.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(k.runs.every((r) => r.end?.result === 'ok')).toBe(true);
    expect(journalState(k.jobs.get('job7'))).toBe('ok');
    expect(k.jobs.get('job7')!.lastEnd!.r).toBe('r4');
    expect(journalState(k.jobs.get('unfinished'))).toBe('started');
    expect(k.needsCompaction()).toBe(false);
  });

  test('a long journal reads the same as record by record: odd ids, at records, other key orders, damage', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dax-journal-'));
    const recs: object[] = [{ t: 'journal', v: 3 }];
    const ids = ['gen[1]', 'q"uote', 'back\\slash', 'ünï', 'tab\tid', 'gen[10]', 'gen[1]x'];
    for (let r = 0; r < 3; r++) {
      recs.push({ t: 'run', id: `r${r}`, start: r, targets: [], sets: {}, keepGoing: false, pid: 1, host: 'h' });
      for (const id of ids) {
        recs.push(start(id, `r${r}`, 1, 10 * r));
        recs.push({ t: 'at', j: id, r: `r${r}`, a: 1, w: 'local', h: `pgid:${r}`, ts: 10 * r + 1 });
        if (r < 2 || id !== 'gen[10]') recs.push(end(id, `r${r}`, r === 1 ? 'failed' : 'ok', 1, 10 * r + 2));
      }
      recs.push({ t: 'runend', id: `r${r}`, end: r, result: 'ok', counts: {} });
    }
    // A dax 0.1 record (other key order) after a plain one of the same job, and an 'at' of an old attempt.
    recs.push({ j: 'gen[1]', t: 'start', a: 2, r: 'r2', ts: 99, w: 'local' });
    recs.push({ t: 'at', j: 'gen[1]', r: 'r1', a: 1, w: 'local', h: 'pgid:old', ts: 100 });
    const text = recs.map((r) => JSON.stringify(r)).join('\n') + '\n{"t":"end","j":"gen[1]x","r":"r2","a":1,"b":1,"ts":5,"s":"ok","x":0,"c":"h","i":[],"o":[],"w":"lo\n';
    appendFileSync(Journal.path(dir), text);
    const byRecord = (lines: string[]): Map<string, unknown> => {
      const m = new Map<string, { lastStart?: StartRecord; lastEnd?: EndRecord; lastAt?: unknown }>();
      for (const line of lines) {
        let rec: { t: string; j: string; r: string; a: number };
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          continue;
        }
        const h = m.get(rec.j) ?? {};
        if (rec.t === 'start') {
          h.lastStart = rec as unknown as StartRecord;
          delete h.lastAt;
        } else if (rec.t === 'end') h.lastEnd = rec as unknown as EndRecord;
        else if (rec.t === 'at' && h.lastStart?.r === rec.r && h.lastStart.a === rec.a) h.lastAt = rec;
        else continue;
        m.set(rec.j, h);
      }
      return m;
    };
    const lines = readFileSync(Journal.path(dir), 'utf8').split('\n').filter(Boolean);
    const k = Journal.load(dir);
    expect(new Map(k.jobs)).toEqual(byRecord(lines));
    expect(k.jobs.get('gen[1]')!.lastStart!.a).toBe(2);
    expect(k.jobs.get('gen[1]')!.lastAt).toBeUndefined();
    expect(journalState(k.jobs.get('gen[10]'))).toBe('started');
    expect(k.jobs.get('gen[10]')!.lastAt!.h).toBe('pgid:2');
    expect(k.runs.map((r) => r.end?.result)).toEqual(['ok', 'ok', 'ok']);
    expect(k.skipped).toBe(1);

    // A kept line damaged in the middle of the file: the job's previous end stands, as it would record by record.
    const damaged = lines.map((l) => (l.includes('"j":"gen[10]"') && l.includes('"t":"end"') && l.includes('"r":"r1"') ? l.slice(0, 40) : l));
    const dir2 = mkdtempSync(path.join(tmpdir(), 'dax-journal-'));
    appendFileSync(Journal.path(dir2), damaged.join('\n') + '\n');
    const d = Journal.load(dir2);
    expect(new Map(d.jobs)).toEqual(byRecord(damaged));
    expect(d.jobs.get('gen[10]')!.lastEnd!.r).toBe('r0');
  });

  test('a journal of many megabytes, with a line longer than a read: each job\'s last records, jobs in the order they first appear', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dax-journal-'));
    const j = Journal.load(dir);
    const names = Array.from({ length: 4000 }, (_v, i) => `gen[chunk=${i}]`);
    for (let r = 0; r < 3; r++) {
      // A job first met in the last run comes first in it, last in the journal's order.
      if (r === 2) j.append(start('late', 'r2'));
      for (const n of names) {
        j.append(start(n, `r${r}`, 1, r));
        const e = end(n, `r${r}`, n === 'gen[chunk=7]' && r === 2 ? 'failed' : 'ok', 1, r + 1);
        j.append({ ...e, ...(e.s === 'failed' ? { why: 'x'.repeat(3 << 20) } : {}), i: [[`in/${n}`, 12, 1764633600123.4567, 'abc']], o: [[`out/${n}`, -1, 0]] });
      }
    }
    j.close();
    const k = Journal.load(dir);
    expect([...k.jobs.keys()]).toEqual([...names, 'late']);
    expect(journalState(k.jobs.get('late'))).toBe('started');
    expect(k.jobs.get('gen[chunk=7]')!.lastEnd!.why!.length).toBe(3 << 20);
    expect(k.jobs.get('gen[chunk=3999]')!.lastEnd).toEqual({ ...end('gen[chunk=3999]', 'r2', 'ok', 1, 3), i: [['in/gen[chunk=3999]', 12, 1764633600123.4567, 'abc']], o: [['out/gen[chunk=3999]', -1, 0]] });
    expect(k.skipped).toBe(0);
  });
});
