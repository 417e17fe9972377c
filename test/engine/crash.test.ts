// kill -9 of dax mid-run: the next run finishes the work, reruns only what was in flight, and
// never takes a half-written output as done.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { alive, dax, removeProjects, events, exists, files, lines, project, read, sleep, start, started, tally, waitFor, write } from './helpers.js';

afterAll(() => removeProjects());

const N = 40;

/** Journal records by type, read directly. */
function journal(dir: string): Array<Record<string, unknown>> {
  const text = readFileSync(join(dir, '.dax/journal.jsonl'), 'utf8');
  const out: Array<Record<string, unknown>> = [];
  for (const l of text.split('\n')) {
    if (l === '') continue;
    try {
      out.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      /* torn */
    }
  }
  return out;
}

describe('kill -9', () => {
  it('after kill -9 of dax, the next run completes every output and reruns only the jobs in flight', async () => {
    // Each job logs its id first, then writes its output in two steps with sleeps in between
    // (0.1-0.3 s in all), so a kill finds some written halfway.
    const dir = project({
      'ids.txt': `1:${N}\n`,
      'Daxfile.yaml': `version: 1
wildcards:
  i:
    pattern: '[0-9]+'
    file: ids.txt
rules:
  job:
    output: out/{i}.txt
    run: "echo {i} >> ids.log; sleep 0.$(( {i} % 3 )); printf 'job %s ' {i} > {output}; sleep 0.1; printf 'complete\\\\n' >> {output}"
targets:
  - out/{i}.txt
`,
    });
    const outputs = (): string[] => files(dir, 'out').filter((f) => !f.includes('.dax-tmp'));
    const run = start(dir, 'run', '--jobs', '4');
    await waitFor(() => outputs().length >= 10, '10 outputs', 30_000);
    process.kill(run.pid, 'SIGKILL');
    const r = await run.done;
    expect(r.signal).toBe('SIGKILL');
    expect(outputs().length).toBeLessThan(N);

    // What the journal says had finished, and what was in flight, at the kill.
    const recs = journal(dir);
    const ended = new Set(recs.filter((x) => x.t === 'end' && x.s === 'ok').map((x) => String(x.j)));
    const inFlight = new Set(recs.filter((x) => x.t === 'start' && !ended.has(String(x.j))).map((x) => String(x.j)));
    expect(ended.size).toBeGreaterThanOrEqual(6);
    expect(inFlight.size).toBeLessThanOrEqual(4);

    // The orphaned jobs finish on their own; they must not be mistaken for done work.
    await sleep(1000);
    const status = JSON.parse(dax(dir, 'status', '--json').stdout) as { rules: Record<string, Record<string, number>> };
    expect(status.rules['job']).toMatchObject({ total: N, 'up-to-date': ended.size, incomplete: inFlight.size, missing: N - ended.size - inFlight.size });

    const again = dax(dir, 'run', '--jobs', '4', '--json');
    expect(again.code, again.stderr).toBe(0);
    // The killed run's lock was taken over, with a word about it.
    expect(events(again.stdout).find((e) => e.type === 'notice')).toMatchObject({ level: 'warn', notice: { kind: 'lock-taken-over', pid: run.pid } });
    const rerun = started(again.stdout);
    // Exactly the jobs that had not finished run; none that had.
    const all = Array.from({ length: N }, (_, k) => `job[i=${k + 1}]`);
    expect(rerun.sort()).toEqual(all.filter((j) => !ended.has(j)).sort());

    for (let i = 1; i <= N; i++) expect(read(dir, `out/${i}.txt`)).toBe(`job ${i} complete\n`);
    // The temporary files the killed run's jobs left are gone with the rerun.
    expect(files(dir, 'out').filter((f) => f.includes('.dax-tmp'))).toEqual([]);
    // Each job logged its id once, but those in flight at the kill, which ran twice.
    const counts = tally(lines(dir, 'ids.log'));
    expect([...counts.keys()].sort()).toEqual(Array.from({ length: N }, (_, k) => String(k + 1)).sort());
    for (const [id, n] of counts) {
      if (n === 2) expect(inFlight.has(`job[i=${id}]`), `job ${id} ran twice`).toBe(true);
      else expect(n).toBe(1);
    }
    expect(dax(dir, 'run').stdout).toMatch(/nothing to do/);
  });

  it('outputs: atomic: a job writing under its own name, killed mid-write, leaves nothing in place, even after rm -rf .dax', async () => {
    const dir = project({ delay: '30\n' });
    // The job records its process group outside its job directory, where the test can read it.
    write(
      dir,
      'Daxfile.yaml',
      `version: 1
rules:
  direct:
    output: out/direct.txt
    input: delay
    outputs: atomic
    run: "echo $$ > ${dir}/pgid; printf 'part ' > out/direct.txt; sleep $(cat {input}); printf 'rest\\\\n' >> out/direct.txt"
targets:
  - out/direct.txt
`,
    );
    const run = start(dir, 'run');
    await waitFor(() => exists(dir, 'pgid') && read(dir, 'pgid').endsWith('\n'), 'the job to start');
    const pgid = Number(read(dir, 'pgid'));
    await waitFor(() => files(dir, '.dax/jobs').some((f) => f.endsWith('/out/direct.txt')), 'the half-written output in the job directory');
    process.kill(run.pid, 'SIGKILL');
    process.kill(-pgid, 'SIGKILL');
    await run.done;
    await waitFor(() => !alive(pgid), 'the job to die');
    // The half-written file never was under the output's name; without .dax/ nothing says it ran.
    expect(exists(dir, 'out/direct.txt')).toBe(false);
    rmSync(join(dir, '.dax'), { recursive: true, force: true });
    const n = dax(dir, 'run', '-n');
    expect(n.stdout).toMatch(/^direct: output missing: out\/direct\.txt/m);
    write(dir, 'delay', '0\n');
    const again = dax(dir, 'run');
    expect(again.code, again.stderr).toBe(0);
    expect(read(dir, 'out/direct.txt')).toBe('part rest\n');
    // The job directory is gone once the job is done.
    expect(files(dir, '.dax/jobs')).toEqual([]);
  });

  it('a job killed mid-write leaves no half-written output taken as done', async () => {
    // This command writes its output under its own name (not {output}), so the half-written file
    // is in place when everything is killed.
    const dir = project({
      delay: '30\n',
      'Daxfile.yaml': `version: 1
rules:
  direct:
    output: out/direct.txt
    run: "echo $$ > pgid; printf 'part ' > out/direct.txt; sleep $(cat delay); printf 'rest\\\\n' >> out/direct.txt"
  down:
    output: out/down.txt
    input: out/direct.txt
    run: cp {input} {output}
targets:
  - out/down.txt
`,
    });
    const run = start(dir, 'run');
    await waitFor(() => exists(dir, 'out/direct.txt') && exists(dir, 'pgid') && read(dir, 'pgid').endsWith('\n'), 'the half-written output');
    const pgid = Number(read(dir, 'pgid'));
    // The machine "crashes": dax and the job die at once.
    process.kill(run.pid, 'SIGKILL');
    process.kill(-pgid, 'SIGKILL');
    await run.done;
    await waitFor(() => !alive(pgid), 'the job to die');
    expect(read(dir, 'out/direct.txt')).toBe('part ');

    const n = dax(dir, 'run', '-n');
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(/^direct: incomplete/m);
    expect(n.stdout).toMatch(/^down: /m);
    const st = JSON.parse(dax(dir, 'status', '--json').stdout) as { rules: Record<string, Record<string, number>> };
    expect(st.rules['direct']).toMatchObject({ total: 1, incomplete: 1, 'up-to-date': 0 });

    write(dir, 'delay', '0\n');
    const again = dax(dir, 'run', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(started(again.stdout)).toEqual(['direct', 'down']);
    expect(read(dir, 'out/direct.txt')).toBe('part rest\n');
    expect(read(dir, 'out/down.txt')).toBe('part rest\n');
  });

  it('jobs a killed dax left running are stopped by the next run before it rebuilds their outputs', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  slow:
    output: out/slow.txt
    run: "echo $$ > pgid; echo partial > {output}; [ -f fast ] || sleep 60; echo done > {output}"
targets: [out/slow.txt]
`,
    });
    const run = start(dir, 'run');
    await waitFor(() => exists(dir, 'pgid') && read(dir, 'pgid').endsWith('\n'), 'the job to start');
    const pgid = Number(read(dir, 'pgid'));
    process.kill(run.pid, 'SIGKILL');
    await run.done;
    expect(alive(pgid)).toBe(true); // the orphan goes on: dax could not stop it
    write(dir, 'fast', '');
    const again = dax(dir, 'run');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/stopped 1 job process group left running by run \d{8}-\d{6}-[0-9a-f]{4}/);
    expect(alive(pgid)).toBe(false);
    expect(read(dir, 'out/slow.txt')).toBe('done\n');
  });
});
