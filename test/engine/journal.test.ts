// The journal under .dax/: a torn last line is tolerated; dax runs lists the runs. And `check:
// csv`: a table left incomplete by a tool is reported and rebuilt.
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { dax, removeProjects, events, exists, project, read, started, write } from './helpers.js';

afterAll(() => removeProjects());

const DAXFILE = `version: 1
wildcards:
  n:
    values: [a, b]
rules:
  gen:
    output: out/{n}.txt
    run: "echo {n} > {output}"
  bad:
    output: out/bad.txt
    run: exit 1
targets:
  - out/{n}.txt
`;

describe('journal', () => {
  it('a torn last line is tolerated by dax run and dax status', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run').code).toBe(0);
    const journal = join(dir, '.dax/journal.jsonl');
    const last = readFileSync(journal, 'utf8').trimEnd().split('\n').filter((l) => l.includes('"t":"end"')).pop()!;
    // A crash in the middle of appending a record: half of it, no newline.
    appendFileSync(journal, last.slice(0, Math.floor(last.length / 2)));

    const st = dax(dir, 'status', '--json');
    expect(st.code, st.stderr).toBe(0);
    expect((JSON.parse(st.stdout) as { rules: Record<string, Record<string, number>> }).rules['gen']).toMatchObject({ total: 2, 'up-to-date': 2 });
    expect(dax(dir, 'status').code).toBe(0);

    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to do/);
    // The run's records start on a line of their own: every later line reads back.
    const text = readFileSync(journal, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const bad = lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toHaveLength(1);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ t: 'runend', result: 'ok' });

    // Work still gets recorded after the torn line.
    rmSync(join(dir, 'out/a.txt'));
    expect(started(dax(dir, 'run', '--json').stdout)).toEqual(['gen[n=a]']);
    expect(started(dax(dir, 'run', '--json').stdout)).toEqual([]);
    expect(dax(dir, 'runs').code).toBe(0);
  });

  it('dax runs lists runs with id, start, duration, result, counts and targets', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const ids: string[] = [];
    const runId = (stdout: string): string => events(stdout).find((e) => e.type === 'run-end')!.run as string;
    ids.push(runId(dax(dir, 'run', '--json').stdout));
    ids.push(runId(dax(dir, 'run', '--json', 'out/bad.txt').stdout));
    ids.push(runId(dax(dir, 'run', '--json', 'gen').stdout));

    const r = dax(dir, 'runs');
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^id\s+start\s+took\s+result\s+done\s+failed\s+up-to-date\s+targets$/);
    expect(rows).toHaveLength(4);
    const iso = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    const start = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+\\S+';
    expect(rows[1]).toMatch(new RegExp(`^${ids[0]}\\s+${start}\\s+ok\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\(default\\)$`));
    expect(rows[2]).toMatch(new RegExp(`^${ids[1]}\\s+${start}\\s+failed\\s+\\d+\\s+\\d+\\s+\\d+\\s+out/bad\\.txt$`));
    expect(rows[3]).toMatch(new RegExp(`^${ids[2]}\\s+${start}\\s+ok\\s+\\d+\\s+\\d+\\s+\\d+\\s+gen$`));

    const js = dax(dir, 'runs', '--json').stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(js.map((x) => x.id)).toEqual(ids);
    expect(js[1]).toMatchObject({ id: ids[1], result: 'failed', targets: ['out/bad.txt'], start: expect.stringMatching(new RegExp(iso)), end: expect.stringMatching(new RegExp(iso)) });
    expect(Date.parse(js[1]!.end as string)).toBeGreaterThanOrEqual(Date.parse(js[1]!.start as string));
  });

  it('a long journal is compacted without losing what the jobs did', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run').code).toBe(0);
    // A year of cron: thousands of no-op runs.
    const journal = join(dir, '.dax/journal.jsonl');
    const counts = { total: 2, upToDate: 2, toRun: 0, done: 0, failed: 0, skipped: 0, incomplete: 0, running: 0 };
    const recs: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const id = `20250101-000000-${String(i).padStart(4, '0')}`;
      recs.push(JSON.stringify({ t: 'run', id, start: 1e12 + i, targets: [], sets: {}, keepGoing: false, pid: 1, host: 'h' }));
      recs.push(JSON.stringify({ t: 'runend', id, end: 1e12 + i + 1, result: 'ok', counts }));
    }
    appendFileSync(journal, recs.join('\n') + '\n');
    const before = readFileSync(journal, 'utf8').split('\n').length;

    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to do/);
    const after = readFileSync(journal, 'utf8').split('\n').length;
    expect(after).toBeLessThan(before / 5);
    // The jobs' records survived: still nothing to do, and a changed output is still noticed.
    expect(started(dax(dir, 'run', '--json').stdout)).toEqual([]);
    rmSync(join(dir, 'out/b.txt'));
    expect(started(dax(dir, 'run', '--json').stdout)).toEqual(['gen[n=b]']);
    // The most recent runs are kept, newest last.
    const runs = dax(dir, 'runs', '--json', '--limit', '5000').stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(runs.length).toBeGreaterThanOrEqual(50);
    expect(runs.length).toBeLessThan(200);
    expect(runs[runs.length - 4]!.id).toBe('20250101-000000-1499');
  });
});

describe('check: csv', () => {
  const CSV_DAXFILE = `version: 1
rules:
  table:
    output: out/t.csv
    input: src.csv
    check: csv
    run: cp {input} {output}
  made:
    output: out/made.csv
    input: src.csv
    check: csv
    run: "cat {input} > {output}; printf '9,9,9' >> {output}"
targets:
  - out/t.csv
`;
  const SRC = 'id,name\n1,"Smith, J."\n2,"two\nlines"\n';

  it('a table left with an unterminated last line or ragged rows is reported incomplete and rebuilt', () => {
    const dir = project({ 'Daxfile.yaml': CSV_DAXFILE, 'src.csv': SRC });
    expect(dax(dir, 'run').code).toBe(0);
    // Quoted commas and newlines are fine.
    expect(dax(dir, 'run').stdout).toMatch(/nothing to do/);

    const broken: Array<[string, RegExp]> = [
      ['id,name\n1,x\n2,y', /not terminated by a newline/],
      ['id,name\n1,x,extra\n', /row 2 has 3 fields, row 1 has 2/],
    ];
    for (const [content, why] of broken) {
      // A tool rewrote the table and died halfway.
      write(dir, 'out/t.csv', content);
      const n = dax(dir, 'run', '-n');
      expect(n.code).toBe(0);
      expect(n.stdout).toMatch(new RegExp(`^table: output incomplete: out/t\\.csv \\(.*${why.source}.*\\)$`, 'm'));
      const st = JSON.parse(dax(dir, 'status', '--json').stdout) as { rules: Record<string, Record<string, number>> };
      expect(st.rules['table']).toMatchObject({ total: 1, incomplete: 1, 'up-to-date': 0 });
      expect(dax(dir, 'status').stdout).toMatch(/^table\s+1\s+0\s+0\s+1\s/m);
      const r = dax(dir, 'run', '--json');
      expect(r.code).toBe(0);
      expect(started(r.stdout)).toEqual(['table']);
      expect(read(dir, 'out/t.csv')).toBe(SRC);
    }

    // Without a journal (.dax/ deleted) a broken table newer than its input is still not done.
    rmSync(join(dir, '.dax'), { recursive: true });
    write(dir, 'out/t.csv', 'id,name\n1');
    const t = Date.now() / 1000 + 10;
    utimesSync(join(dir, 'out/t.csv'), t, t);
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^table: output incomplete: out\/t\.csv/m);
    expect(dax(dir, 'run').code).toBe(0);
    expect(read(dir, 'out/t.csv')).toBe(SRC);
  });

  it('a job whose own output fails the check fails', () => {
    const dir = project({ 'Daxfile.yaml': CSV_DAXFILE, 'src.csv': SRC });
    const r = dax(dir, 'run', 'out/made.csv');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED made .*output out\/made\.csv fails check 'csv'/);
    expect(exists(dir, 'out/made.csv')).toBe(false);
    expect(dax(dir, 'run', '-n', 'out/made.csv').stdout).toMatch(/^made: failed last time/m);
  });
});
