// What dax prints: plain lines without a TTY (cron, files), one JSON event per line with --json.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DAX, dax, removeProjects, env, events, project, read } from './helpers.js';

afterAll(() => removeProjects());

const DAXFILE = `version: 1
wildcards:
  n:
    values: [a, b, c]
rules:
  gen:
    output: out/{n}.txt
    run: "sleep 0.1; echo {n} > {output}"
  bad:
    output: out/bad.txt
    run: "echo nope >&2; exit 4"
  all:
    output: out/all.txt
    input: [out/a.txt, out/b.txt, out/c.txt]
    run: cat {input} > {output}
targets:
  - out/all.txt
`;

const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

describe('output modes', () => {
  it('without a TTY: one plain line per job start and end with a duration, and a summary line', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    // No terminal control sequences, no carriage returns.
    expect(r.stdout).not.toMatch(/[\x1b\r]/);
    const out = r.stdout.trimEnd().split('\n');
    for (const job of ['gen[n=a]', 'gen[n=b]', 'gen[n=c]', 'all']) {
      const esc = job.replace(/[[\]]/g, '\\$&');
      expect(out.filter((l) => new RegExp(`^${TS} start ${esc}$`).test(l)), job).toHaveLength(1);
      expect(out.filter((l) => new RegExp(`^${TS} done  ${esc} \\d+(ms|\\.\\d+s)$`).test(l)), job).toHaveLength(1);
    }
    expect(out[0]).toMatch(new RegExp(`^${TS} run \\S+: 4 of 4 jobs to run \\(0 up to date\\): 4 output missing$`));
    expect(out[1]).toMatch(new RegExp(`^${TS} dax \\d+\\.\\d+\\.\\d+\\S*, in ${dir.replace(/[.]/g, '\\.')}, --jobs \\d+$`));
    expect(out[out.length - 2]).toMatch(new RegExp(`^${TS} made out/all\\.txt$`));
    expect(out[out.length - 1]).toMatch(new RegExp(`^${TS} run \\S+ succeeded: 4 done, 0 up to date \\(4 jobs\\) in \\d+(ms|\\.\\d+s)$`));
    expect(out).toHaveLength(12);
    expect(r.stderr).toBe('');
  });

  it('a failure in plain mode: the FAILED line, the footer with the log tail, and a FAILED summary, on stderr', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run', 'out/bad.txt');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${TS} FAILED bad \\d+(ms|\\.\\d+s): exit code 4 \\(log: \\.dax/logs/bad/_\\.log\\)$`, 'm'));
    expect(r.stderr).toMatch(/^      \| nope$/m);
    expect(r.stderr).toMatch(new RegExp(`^${TS} run \\S+ FAILED: 0 done, 1 failed, 0 up to date \\(1 jobs?\\)`, 'm'));
    expect(r.stdout).not.toMatch(/FAILED|nope/);
  });

  it('a reader that goes away (dax run | head -1) does not stop the run', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  i:
    values: [1, 2, 3, 4, 5, 6]
rules:
  j:
    output: out/{i}.txt
    run: "sleep 0.2; echo {i} > {output}"
targets:
  - out/{i}.txt
`,
    });
    for (const args of [['run', '--jobs', '2'], ['run', '--jobs', '2', '--json']]) {
      const child = spawn(process.execPath, [DAX, ...args], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      // Read the first line, then close the pipe, as `head -1` does.
      child.stdout.once('data', () => child.stdout.destroy());
      child.stderr.once('data', () => child.stderr.destroy());
      const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      expect(code).toBe(0);
      for (let i = 1; i <= 6; i++) expect(read(dir, `out/${i}.txt`)).toBe(`${i}\n`);
      expect(dax(dir, 'runs').stdout.trimEnd().split('\n').pop()).toMatch(/\sok\s/);
      rmSync(join(dir, 'out'), { recursive: true });
    }
  });

  it('--json: every stdout line is a JSON object with a type, ending in run-end with counts', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const r = dax(dir, 'run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const ev = events(r.stdout); // throws on a line that is not JSON or has no type
    expect(ev[0]).toMatchObject({ type: 'run-start', counts: { total: 4, toRun: 4 } });
    const starts = ev.filter((e) => e.type === 'job-start');
    const ends = ev.filter((e) => e.type === 'job-end');
    expect(starts.map((e) => e.job).sort()).toEqual(['all', 'gen[n=a]', 'gen[n=b]', 'gen[n=c]']);
    for (const e of ends) {
      expect(e).toMatchObject({ status: 'ok', exit: 0, rule: expect.any(String), log: expect.stringMatching(/^\.dax\/logs\//) });
      expect(typeof e.durationMs).toBe('number');
    }
    expect(ends).toHaveLength(4);
    const end = ev[ev.length - 1]!;
    expect(end).toMatchObject({ type: 'run-end', result: 'ok', counts: { total: 4, toRun: 4, done: 4, failed: 0, skipped: 0, incomplete: 0, upToDate: 0 } });
    expect(typeof end.run).toBe('string');

    // A failing run and a dry run are JSON too.
    const f = dax(dir, 'run', '--json', 'out/bad.txt');
    expect(f.code).toBe(1);
    const fev = events(f.stdout);
    expect(fev.find((e) => e.type === 'job-end')).toMatchObject({ job: 'bad', status: 'failed', exit: 4, logTail: ['nope'] });
    expect(fev[fev.length - 1]).toMatchObject({ type: 'run-end', result: 'failed', counts: { failed: 1 } });
    const n = events(dax(dir, 'run', '--json', '-n', 'out/bad.txt').stdout);
    expect(n).toEqual([
      expect.objectContaining({ type: 'plan', job: 'bad', reason: 'failed last time' }),
      expect.objectContaining({ type: 'run-end', result: 'dry-run', counts: expect.objectContaining({ toRun: 1 }) }),
    ]);
  });
});
