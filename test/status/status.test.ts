// dax status, dax run -n, dax runs and dax resume as an operator uses them: the last run's --set
// values by default, the jobs that are not up to date and why, what changed in a command, jobs a
// missing source file blocks, and what each run did.
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dax, events, exists, read, removeProjects, project, repo, start, waitFor, write } from '../engine/helpers.js';

afterAll(() => removeProjects());

// Job names may be labelled (gen[n=1]) or not (gen[1]): match both.
const GEN1 = /gen\[(n=)?1\]/;

const DAXFILE = `version: 1
vars:
  generate: node gen.mjs
wildcards:
  n:
    values: [1, 2, 3]
rules:
  gen:
    description: make the numbers
    output: out/{n}.txt
    run: "echo {n} '{vars.generate}' > {output}"
  sum:
    description: add them up
    input: [out/1.txt, out/2.txt, out/3.txt]
    output: out/sum.txt
    run: cat {input} > {output}
targets: [out/sum.txt]
`;

interface StatusJson {
  sets: Record<string, string>;
  setsFrom: string | null;
  rules: Record<string, Record<string, number | string>>;
  jobs?: Array<{ job: string; rule: string; state: string; reason: string; running?: { worker: string; pid: number | null; elapsedMs: number }; blocked?: { input: string; origin: string } }>;
  blocked: string[];
}

const statusJson = (dir: string, ...args: string[]): StatusJson => {
  const r = dax(dir, 'status', '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
};

describe('the last run\'s --set values', () => {
  it('dax status and dax run -n judge the state with them, say so, and --set overrides', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const run = dax(dir, 'run', '--set', 'generate=sh slow.sh');
    expect(run.code, run.stderr).toBe(0);

    const st = dax(dir, 'status');
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout.split('\n')[0]).toMatch(/^using the --set values of the last run \(\S+\): --set 'generate=sh slow\.sh'; give --set to choose others$/);
    expect(st.stdout).toMatch(/^gen\s+3\s+3\s+0\s+0\s+0\s+0\s+0\s+make the numbers$/m);
    expect(st.stdout).toMatch(/^sum\s+1\s+1\s+0\s+0\s+0\s+0\s+0\s+add them up$/m);
    const js = statusJson(dir);
    expect(js.sets).toEqual({ generate: 'sh slow.sh' });
    expect(js.setsFrom).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(js.rules['gen']).toMatchObject({ total: 3, 'up-to-date': 3, description: 'make the numbers' });

    const n = dax(dir, 'run', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stderr).toMatch(/using the --set values of the last run \(\S+\): --set 'generate=sh slow\.sh'/);
    expect(n.stdout).toMatch(/0 of 4 jobs would run/);

    // Given --set values win; without the last run's, every gen job's command changed.
    const other = dax(dir, 'status', '--set', 'generate=node gen.mjs');
    expect(other.stdout).not.toMatch(/using the --set values/);
    expect(other.stdout).toMatch(/^gen\s+3\s+0\s+0\s+0\s+3\s/m);
    const n2 = dax(dir, 'run', '-n', '--set', 'generate=node gen.mjs');
    expect(n2.stderr).not.toMatch(/using the --set values/);
    expect(n2.stdout).toMatch(/4 of 4 jobs would run/);
  });

  it('are found at the far end of a long journal', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run', '--set', 'generate=a').code).toBe(0);
    const id = (dax(dir, 'runs', '--json').stdout.trim().split('\n').pop()!.match(/"id":"([^"]+)"/) ?? [])[1];
    // Far more than one read of the journal's tail after the run's record.
    const junk: string[] = [];
    for (let i = 0; i < 3000; i++) junk.push(JSON.stringify({ t: 'start', j: `old[${i}]`, r: 'x', a: 1, ts: 1, w: 'local' }));
    appendFileSync(join(dir, '.dax/journal.jsonl'), junk.join('\n') + '\n');
    const st = dax(dir, 'status');
    expect(st.stdout.split('\n')[0]).toBe(`using the --set values of the last run (${id}): --set generate=a; give --set to choose others`);
  });

  it('one of a var the Daxfile no longer has is left out, saying so', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run', '--set', 'generate=a').code).toBe(0);
    write(dir, 'Daxfile.yaml', DAXFILE.replace('vars:\n  generate: node gen.mjs\n', '').replace(" '{vars.generate}'", ''));
    for (const args of [['status'], ['run', '-n']]) {
      const r = dax(dir, ...args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^dax: the last run's --set generate=a is left out: the Daxfile has no var generate now$/m);
    }
    // Given by the user, an unknown var stays an error.
    expect(dax(dir, 'status', '--set', 'generate=a').code).toBe(2);
  });

  it('a project never run with --set says nothing about it', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'status').stdout).not.toMatch(/using the --set/);
    expect(dax(dir, 'run').code).toBe(0);
    expect(dax(dir, 'status').stdout).not.toMatch(/using the --set/);
    expect(dax(dir, 'run', '-n').stderr).not.toMatch(/using the --set/);
  });
});

describe('what changed in a command', () => {
  it('status -v, run -n and the run itself name the var and its two values', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run').code).toBe(0);
    write(dir, 'Daxfile.yaml', DAXFILE.replace('generate: node gen.mjs', 'generate: sh slow.sh'));
    const want = "command changed: var generate: 'node gen.mjs' -> 'sh slow.sh'";

    const v = dax(dir, 'status', '-v');
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^jobs not up to date \(4\):$/m);
    const line = v.stdout.split('\n').find((l) => GEN1.test(l));
    expect(line).toMatch(new RegExp(`^  gen\\[(n=)?1\\]: ${want.replace(/[.*+?()[\]]/g, '\\$&')}$`));
    expect(v.stdout).toMatch(/^ {2}sum: dependency runs: gen\[(n=)?1\]$/m);
    // --jobs is the same list; --json carries it.
    expect(dax(dir, 'status', '--jobs').stdout).toContain(line);
    const js = statusJson(dir, '--jobs');
    expect(js.jobs!.find((j) => GEN1.test(j.job))).toMatchObject({ state: 'stale', reason: want });

    const n = dax(dir, 'run', '-n');
    expect(n.stdout.split('\n').find((l) => GEN1.test(l))).toContain(want);

    const r = dax(dir, 'run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const startEv = events(r.stdout).find((e) => e.type === 'job-start' && GEN1.test(e.job as string));
    expect(startEv?.reason).toBe(want);
    expect(read(dir, 'out/1.txt')).toBe('1 sh slow.sh\n');

    // A change back is said the other way round; a changed command text is named as such.
    write(dir, 'Daxfile.yaml', DAXFILE.replace("run: \"echo {n} '{vars.generate}' > {output}\"", "run: \"echo {n} > {output}\""));
    const back = dax(dir, 'status', '-v').stdout;
    expect(back).toContain("var generate: 'sh slow.sh' -> (none)");
    expect(back).toContain(`run: 'echo {n} '{vars.generate}' > {output}' -> 'echo {n} > {output}'`);
  });

  it('is still said after the journal is compacted', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(dax(dir, 'run').code).toBe(0);
    // Thousands of superseded attempts of another job: the next run compacts the journal.
    const j = join(dir, '.dax/journal.jsonl');
    const junk: string[] = [];
    for (let i = 0; i < 1500; i++) junk.push(JSON.stringify({ t: 'start', j: 'old', r: 'x', a: i + 1, ts: 1, w: 'local' }));
    appendFileSync(j, junk.join('\n') + '\n');
    const before = read(dir, '.dax/journal.jsonl').split('\n').length;
    expect(dax(dir, 'run').code).toBe(0);
    expect(read(dir, '.dax/journal.jsonl').split('\n').length).toBeLessThan(before / 10);
    write(dir, 'Daxfile.yaml', DAXFILE.replace('generate: node gen.mjs', 'generate: sh slow.sh'));
    expect(dax(dir, 'status', '-v').stdout).toContain("var generate: 'node gen.mjs' -> 'sh slow.sh'");
  });

  it('a journal of dax 0.1, without command records, still reads: the change is said without detail', () => {
    const dir = project({});
    cpSync(join(repo, 'test/fixtures/journal-v1'), dir, { recursive: true });
    const st = dax(dir, 'status', '-v');
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/^gen\s+3\s+3\s/m);
    write(dir, 'Daxfile.yaml', read(dir, 'Daxfile.yaml').replace('echo {n} >>', 'echo n={n} >>'));
    const v = dax(dir, 'status', '-v');
    expect(v.stdout.split('\n').find((l) => GEN1.test(l))).toMatch(/: command or environment changed$/);
  });
});

describe('dax status -v', () => {
  it('lists running jobs with worker, pid and elapsed time, beside a live run', async () => {
    const daxfile = `version: 1
wildcards:
  n:
    values: [a, b]
rules:
  slow:
    output: out/{n}.txt
    run: |
      echo $$ > "pids/$DAX_JOB"
      while [ -e hold ]; do sleep 0.05; done
      touch {output}
targets: ['out/{n}.txt']
`;
    const dir = project({ 'Daxfile.yaml': daxfile, hold: '', 'pids/.keep': '' });
    const run = start(dir, 'run', '--jobs', '2');
    try {
      const pidFiles = (): string[] => ['slow[a]', 'slow[b]', 'slow[n=a]', 'slow[n=b]'].filter((f) => exists(dir, `pids/${f}`) && read(dir, `pids/${f}`).endsWith('\n'));
      await waitFor(() => pidFiles().length === 2, `both jobs to start (${run.out.stderr})`);
      const pids = pidFiles().map((f) => Number(read(dir, `pids/${f}`)));
      const js = statusJson(dir, '-v');
      const running = js.jobs!.filter((j) => j.state === 'running');
      expect(running).toHaveLength(2);
      for (const j of running) {
        expect(j.running!.worker).toBe('local');
        expect(j.running!.elapsedMs).toBeGreaterThanOrEqual(0);
        if (j.running!.pid !== null) expect(pids).toContain(j.running!.pid);
      }
      expect(running.every((j) => j.running!.pid !== null)).toBe(true);
      const text = dax(dir, 'status', '-v').stdout;
      expect(text).toMatch(/^slow\s+2\s+0\s+0\s+0\s+0\s+2\s+0$/m);
      expect(text).toMatch(/^ {2}slow\[(n=)?[ab]\]: running on local, pid \d+, for \d+(ms|\.\d+s)$/m);
    } finally {
      rmSync(join(dir, 'hold'), { force: true });
    }
    expect((await run.done).code).toBe(0);
    expect(dax(dir, 'status', '-v').stdout).not.toMatch(/jobs not up to date/);
  });
});

describe('a missing source file', () => {
  const DATA = `version: 1
wildcards:
  s:
    values: [a, b, c]
rules:
  ingest:
    input: data/{s}.csv
    output: out/{s}.txt
    run: cp {input} {output}
  all:
    input: [out/a.txt, out/b.txt, out/c.txt]
    output: out/all.txt
    run: cat {input} > {output}
  other:
    output: out/other.txt
    run: touch {output}
targets: [out/all.txt, out/other.txt]
`;
  const BLOCKED = /^blocked: 2 jobs need data\/b\.csv: it does not exist and no rule makes it \(input of ingest\[(s=)?b\]; s=b: \{s\} takes its values from the list at Daxfile\.yaml:4:5\)$/m;

  it('dax status shows the table with a blocked column and the missing file', () => {
    const dir = project({ 'Daxfile.yaml': DATA, 'data/a.csv': 'a\n', 'data/c.csv': 'c\n' });
    const st = dax(dir, 'status', '-v');
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/^rule\s+total\s+up-to-date\s+missing\s+incomplete\s+stale\s+running\s+failed\s+blocked$/m);
    expect(st.stdout).toMatch(/^ingest\s+3\s+0\s+2\s+0\s+0\s+0\s+0\s+1$/m);
    expect(st.stdout).toMatch(/^all\s+1\s+0\s+0\s+0\s+0\s+0\s+0\s+1$/m);
    expect(st.stdout).toMatch(/^other\s+1\s+0\s+1\s+0\s+0\s+0\s+0\s+0$/m);
    expect(st.stdout).toMatch(BLOCKED);
    expect(st.stdout).toMatch(/^ {2}ingest\[(s=)?b\]: blocked: input data\/b\.csv does not exist and no rule makes it$/m);
    expect(st.stdout).toMatch(/^ {2}all: blocked: ingest\[(s=)?b\] needs data\/b\.csv, which does not exist$/m);
    const js = statusJson(dir, '--jobs');
    expect(js.blocked).toHaveLength(1);
    expect(js.jobs!.find((j) => j.job === 'all')).toMatchObject({ state: 'blocked', blocked: { input: 'data/b.csv' } });
    // Without a missing file there is no blocked column.
    write(dir, 'data/b.csv', 'b\n');
    expect(dax(dir, 'status').stdout).not.toMatch(/blocked/);
  });

  it('dax run stops with exit 2 naming where the value came from; with -k it runs the rest', () => {
    const dir = project({ 'Daxfile.yaml': DATA, 'data/a.csv': 'a\n', 'data/c.csv': 'c\n' });
    const r = dax(dir, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/input data\/b\.csv of job ingest\[(s=)?b\] does not exist and no rule makes it \(s=b: \{s\} takes its values from the list at Daxfile\.yaml:4:5\)/);
    expect(exists(dir, 'out/a.txt')).toBe(false);

    const k = dax(dir, 'run', '-k', '--json');
    expect(k.code, k.stderr).toBe(1);
    const ev = events(k.stdout);
    const ended = ev.filter((e) => e.type === 'job-end').map((e) => (e.job as string).replace('[s=', '['));
    expect(ended.sort()).toEqual(['ingest[a]', 'ingest[c]', 'other']);
    expect(ev.filter((e) => e.type === 'job-skipped').map((e) => e.why)).toEqual(expect.arrayContaining(['blocked: data/b.csv does not exist']));
    const end = ev.find((e) => e.type === 'run-end')!;
    expect(end).toMatchObject({ result: 'failed', counts: { done: 3, failed: 0, skipped: 2, toRun: 5 } });
    expect(exists(dir, 'out/a.txt') && exists(dir, 'out/c.txt') && exists(dir, 'out/other.txt')).toBe(true);
    const plain = dax(dir, 'run', '-k');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/blocked: 2 jobs need data\/b\.csv/);

    // Once the file is there, the blocked jobs run and nothing else does.
    write(dir, 'data/b.csv', 'b\n');
    const fixed = dax(dir, 'run', '--json');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(events(fixed.stdout).filter((e) => e.type === 'job-end')).toHaveLength(2);
    expect(read(dir, 'out/all.txt')).toBe('a\nb\nc\n');
  });
});

describe('dax runs and dax resume', () => {
  it('dax runs shows counts, duration, --set, --jobs, -k and the run a resume continued', () => {
    const daxfile = DAXFILE.replace('run: cat {input} > {output}', 'run: "test -e ok && cat {input} > {output}"');
    const dir = project({ 'Daxfile.yaml': daxfile });
    const first = dax(dir, 'run', '--set', 'generate=x y', '--jobs', '2', '-k');
    expect(first.code).toBe(1);
    writeFileSync(join(dir, 'ok'), '');
    const resumed = dax(dir, 'resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/^dax: resuming run (\S+) \(failed\): targets \(default\), --set generate=x y, --jobs 2, -k$/m);
    const firstId = /resuming run (\S+)/.exec(resumed.stderr)![1]!;

    const r = dax(dir, 'runs');
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^id\s+start\s+took\s+result\s+done\s+failed\s+up-to-date\s+targets$/);
    const when = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
    const took = '\\d+(ms|\\.\\d+s)';
    expect(rows[1]).toMatch(new RegExp(`^${firstId}\\s+${when}\\s+${took}\\s+failed\\s+3\\s+1\\s+0\\s+\\(default\\) --set 'generate=x y' -j 2 -k$`));
    expect(rows[2]).toMatch(new RegExp(`^\\S+\\s+${when}\\s+${took}\\s+ok\\s+1\\s+0\\s+3\\s+\\(default\\) --set 'generate=x y' -j 2 -k \\(resumes ${firstId}\\)$`));

    const js = dax(dir, 'runs', '--json').stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(js[0]).toMatchObject({ id: firstId, result: 'failed', sets: { generate: 'x y' }, jobs: 2, keepGoing: true, resumes: null, counts: { done: 3, failed: 1, upToDate: 0 } });
    expect(js[1]).toMatchObject({ result: 'ok', jobs: 2, resumes: firstId, counts: { done: 1, failed: 0, upToDate: 3 } });
    expect(typeof js[1]!.durationMs).toBe('number');
  });

  it('dax resume -j says the --jobs given now replace the run\'s', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE.replace('run: cat {input} > {output}', 'run: "test -e ok && cat {input} > {output}"') });
    expect(dax(dir, 'run', '--jobs', '3').code).toBe(1);
    writeFileSync(join(dir, 'ok'), '');
    const r = dax(dir, 'resume', '-j', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming run \S+ \(failed\): targets \(default\), --jobs 1 \(given now\)$/m);
    expect(dax(dir, 'runs', '--json').stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { jobs: number }).jobs)).toEqual([3, 1]);
  });
});
