// What a run leaves for tools and people, through the real CLI: events with their time, worker
// and slot; the run record .dax/runs/<id>.json; the journal's format, old and new; and a
// user's layout mistake (a file where an output's directory should be) as that job's failure.
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/events/recorder.js';
import { dax, events, project, read, removeProjects, repo } from './helpers.js';

afterAll(() => removeProjects());

const TWO_STAGES = `version: 1
wildcards:
  n: { values: ['1', '2', '3', '4'] }
rules:
  gen:
    output: out/{n}.txt
    run: echo {n} > {output}
  fails:
    output: out/bad.txt
    run: echo oops >&2; exit 3
  sum:
    output: out/all.txt
    input: [out/1.txt, out/2.txt, out/3.txt, out/4.txt]
    run: cat {input} > {output}
targets: [out/all.txt, out/bad.txt]
`;

describe('events and the run record', () => {
  it('--json events carry their time, and job events their worker and slot; the run record lists every attempt', () => {
    const dir = project({ 'Daxfile.yaml': TWO_STAGES });
    const before = Date.now();
    const r = dax(dir, 'run', '-k', '--json', '--jobs', '2');
    expect(r.code).toBe(1);
    const ev = events(r.stdout);
    for (const e of ev) {
      expect(typeof e['ts']).toBe('number');
      expect(e['ts'] as number).toBeGreaterThanOrEqual(before);
    }
    const jobEvents = ev.filter((e) => e.type === 'job-start' || e.type === 'job-end');
    expect(jobEvents.length).toBe(12);
    for (const e of jobEvents) {
      expect(e['worker']).toBe('local');
      expect([0, 1]).toContain(e['slot']); // --jobs 2: two lanes
    }
    const end = ev.find((e) => e.type === 'run-end')!;
    const rec = JSON.parse(readFileSync(join(dir, '.dax/runs', `${end['run'] as string}.json`), 'utf8')) as RunRecord;
    expect(rec).toMatchObject({ run: end['run'], result: 'failed', jobs: 2, counts: { done: 5, failed: 1 } });
    expect(rec.attempts).toHaveLength(6);
    for (const a of rec.attempts) {
      expect(a.start).toBeLessThanOrEqual(a.end!);
      expect(a.worker).toBe('local');
      expect(a.log).toMatch(/^\.dax\/logs\//);
    }
    expect(rec.attempts.find((a) => a.job === 'fails')).toMatchObject({ status: 'failed', exit: 3, why: 'exit code 3', logTail: ['oops'] });
    // Two jobs never share a lane at the same time.
    for (const x of rec.attempts) for (const y of rec.attempts) if (x !== y && x.slot === y.slot) expect(x.end! <= y.start! || y.end! <= x.start!).toBe(true);
  });

  it('a file where an output directory should be fails that job with both paths; the rest runs', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  a:
    output: blocker
    run: echo x > {output}
  b:
    output: blocker/b.txt
    input: [blocker]
    run: echo b > {output}
  c:
    output: c.txt
    run: sleep 0.5; echo c > {output}
targets: [blocker/b.txt, c.txt]
`,
    });
    const r = dax(dir, 'run', '-k');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/FAILED b .*cannot create the directory of blocker\/b\.txt: blocker is a file, not a directory/);
    expect(r.stdout + r.stderr).not.toMatch(/internal error|ENOTDIR.*\n\s+at /);
    expect(read(dir, 'c.txt')).toBe('c\n');
    expect(existsSync(join(dir, '.dax/lock'))).toBe(false);
  });
});

describe('the journal format', () => {
  it('starts with its version; a journal written by dax 0.1 (no version) is still read', () => {
    const dir = project({});
    cpSync(join(repo, 'test/fixtures/journal-v1'), dir, { recursive: true });
    // Written by dax 0.1 after a full build: everything is up to date.
    const n = dax(dir, 'run', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/0 of 4 jobs would run/);
    // Its job ids (gen[1]) are read as today's (gen[n=1]): by status, and by name.
    expect(dax(dir, 'status').stdout).toMatch(/^gen\s+3\s+3\s/m);
    expect(dax(dir, 'why', 'gen[n=2]').stdout).toMatch(/^gen\[n=2\] is up to date: made by run 20261201-212559-721a/);
    // A changed input reruns what depends on it; the journal is rewritten with today's ids.
    writeFileSync(join(dir, 'seed.txt'), 'new seed\n');
    const r = dax(dir, 'run', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(events(r.stdout).filter((e) => e.type === 'job-end')).toHaveLength(4);
    expect(read(dir, 'out/all.txt')).toBe('new seed\n1\nnew seed\n2\nnew seed\n3\n');
    const upgraded = read(dir, '.dax/journal.jsonl');
    expect(JSON.parse(upgraded.split('\n')[0]!)).toEqual({ t: 'journal', v: 3 });
    expect(upgraded).not.toMatch(/"j":"gen\[\d\]"/);
    expect(upgraded).toContain('"t":"run","id":"20261201-212559-721a"');
    expect(dax(dir, 'run', '-n').stdout).toMatch(/0 of 4 jobs would run/);
    // A fresh journal starts with its format.
    const fresh = project({ 'Daxfile.yaml': TWO_STAGES.replace(', out/bad.txt', '') });
    expect(dax(fresh, 'run').code).toBe(0);
    expect(JSON.parse(read(fresh, '.dax/journal.jsonl').split('\n')[0]!)).toEqual({ t: 'journal', v: 3 });
  });
});
