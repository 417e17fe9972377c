// The engine as a library, with scripted in-process workers for the orders that are hard to
// stage with real processes: a worker lost mid-job, a job waiting in a batch queue, an attempt
// re-attached after a crash, a bug in the job-end path. The real local worker is tested end to
// end elsewhere (crash.test.ts, executor.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/exec/project.js';
import { runPipeline, type Project, type RunOutcome } from '../../src/exec/run.js';
import { workersOf, type AttemptEvents, type AttemptResult, type Handle, type JobSpec, type Reattach, type RunningAttempt, type Worker } from '../../src/exec/executor.js';
import type { DaxEvent, Logger } from '../../src/events/events.js';
import type { RunRecord } from '../../src/events/recorder.js';
import { project, read, removeProjects } from './helpers.js';

afterAll(() => removeProjects());

type Behaviour = (spec: JobSpec, events: AttemptEvents, handle: Handle) => Promise<AttemptResult>;

/** A worker whose jobs do what the test says: by default write their outputs and succeed. */
class ScriptedWorker implements Worker {
  readonly pools: Record<string, number> = {};
  up = true;
  readonly started: string[] = [];
  readonly killed: string[] = [];
  constructor(
    readonly name: string,
    readonly slots: number,
    private readonly dir: string,
    private readonly script: Record<string, Behaviour> = {},
    private readonly reattached: Record<string, Behaviour> = {},
  ) {}
  /** Writes the attempt's outputs under their temporary names, as a command would. */
  write(spec: JobSpec): void {
    for (const t of spec.temps) writeFileSync(join(this.dir, t), `${spec.job} by ${this.name}\n`);
  }
  start(spec: JobSpec, events: AttemptEvents): RunningAttempt {
    this.started.push(spec.job);
    const handle = { worker: this.name, ref: `job-${spec.job}` };
    const behaviour = this.script[spec.job];
    let stop!: (r: AttemptResult) => void;
    const killed = new Promise<AttemptResult>((r) => (stop = r));
    const done = behaviour
      ? Promise.race([behaviour(spec, events, handle), killed])
      : (events.running(handle), this.write(spec), Promise.resolve<AttemptResult>({ kind: 'exited', code: 0 }));
    return {
      done,
      kill: (signal) => {
        this.killed.push(spec.job);
        stop({ kind: 'signaled', signal });
      },
    };
  }
  async reattach(handle: Handle, spec: JobSpec, events: AttemptEvents): Promise<Reattach> {
    const behaviour = this.reattached[handle.ref];
    if (!behaviour) return { kind: 'gone', why: 'not known' };
    return { kind: 'attached', running: true, attempt: { done: behaviour(spec, events, handle), kill() {} } };
  }
  async close(): Promise<void> {}
}

/** Collects events. */
class Events implements Logger {
  readonly all: DaxEvent[] = [];
  event(e: DaxEvent): void {
    this.all.push(e);
  }
  close(): void {}
  of<T extends DaxEvent['type']>(type: T): Array<Extract<DaxEvent, { type: T }>> {
    return this.all.filter((e): e is Extract<DaxEvent, { type: T }> => e.type === type);
  }
}

const PIPELINE = `version: 1
wildcards:
  n: { values: ['1', '2', '3'] }
rules:
  gen:
    output: out/{n}.txt
    run: [gen, '{n}', '{output}']
    timeout: 1s
  sum:
    output: out/all.txt
    input: [out/1.txt, out/2.txt, out/3.txt]
    run: [sum, '{output}']
targets: [out/all.txt]
`;

async function load(dir: string): Promise<Project> {
  const p = await loadProject({ cwd: dir, sets: {}, env: {}, version: 'test' });
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function record(dir: string, run: string): RunRecord {
  return JSON.parse(readFileSync(join(dir, '.dax/runs', `${run}.json`), 'utf8')) as RunRecord;
}

function runOf(o: RunOutcome): string {
  if (o.kind !== 'done' && o.kind !== 'bug') throw new Error(`unexpected outcome ${o.kind}`);
  return o.run;
}

describe('the worker seam', () => {
  it('a lost worker puts its job back in the queue without using up retries; another worker runs it', async () => {
    const dir = project({ 'Daxfile.yaml': PIPELINE });
    let a: ScriptedWorker;
    const lose: Behaviour = async (_spec, events, h) => {
      events.running(h);
      await wait(20);
      a.up = false; // the host went away
      return { kind: 'lost', why: 'connection to a closed' };
    };
    a = new ScriptedWorker('a', 1, dir, { 'gen[n=2]': lose });
    const b = new ScriptedWorker('b', 1, dir);
    const log = new Events();
    const out = await runPipeline(await load(dir), { targets: ['out/2.txt'], sets: {}, loggers: [log], executor: workersOf(a, b) });
    expect(out).toMatchObject({ kind: 'done', result: 'ok' });
    // retries: 0, and yet the job ran twice: the lost attempt did not count.
    const ends = log.of('job-end').map((e) => [e.job, e.worker, e.status, e.retry]);
    expect(ends).toEqual([
      ['gen[n=2]', 'a', 'lost', true],
      ['gen[n=2]', 'b', 'ok', false],
    ]);
    expect(read(dir, 'out/2.txt')).toBe('gen[n=2] by b\n');
    const rec = record(dir, runOf(out));
    expect(rec.attempts.map((x) => [x.worker, x.status])).toEqual([
      ['a', 'lost'],
      ['b', 'ok'],
    ]);
  });

  it('a job waiting in a batch queue is drawn as queued and not timed out (timeout counts from running)', async () => {
    const dir = project({ 'Daxfile.yaml': PIPELINE });
    let w: ScriptedWorker;
    const batch: Behaviour = async (spec, events, h) => {
      events.queued(h);
      await wait(1300); // longer than the rule's timeout: 1s
      events.running(h);
      await wait(50);
      w.write(spec);
      return { kind: 'exited', code: 0 };
    };
    w = new ScriptedWorker('batch', 4, dir, { 'gen[n=1]': batch });
    const log = new Events();
    const out = await runPipeline(await load(dir), { targets: ['out/1.txt'], sets: {}, loggers: [log], executor: workersOf(w) });
    expect(out).toMatchObject({ kind: 'done', result: 'ok' });
    const [queued] = log.of('job-queued');
    const [started] = log.of('job-start');
    expect(queued).toMatchObject({ job: 'gen[n=1]', worker: 'batch', slot: 0, handle: 'job-gen[n=1]' });
    expect(started!.ts - queued!.ts).toBeGreaterThanOrEqual(1200);
    const [a] = record(dir, runOf(out)).attempts;
    expect(a!.queued).toBeLessThan(a!.start!);
    expect(a!.start).toBeLessThan(a!.end!);
    // The journal knows where it ran.
    const journal = read(dir, '.dax/journal.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(journal[0]).toEqual({ t: 'journal', v: 3 });
    expect(journal.filter((r) => r['t'] === 'at').map((r) => [r['h'], r['q']])).toEqual([
      ['job-gen[n=1]', 1],
      ['job-gen[n=1]', undefined],
    ]);
  });

  it('after a crash, a job recorded as running on a worker is re-attached to, not run again; its dependents run', async () => {
    // What a dax killed while gen[n=3] ran on worker w left in the journal.
    const dead = '20260101-000000-dead';
    const lines = [
      { t: 'journal', v: 3 },
      { t: 'run', id: dead, start: 1, targets: [], sets: {}, keepGoing: false, pid: 1, host: 'elsewhere' },
      { t: 'start', j: 'gen[n=3]', r: dead, a: 1, ts: 2, w: 'w' },
      { t: 'at', j: 'gen[n=3]', r: dead, a: 1, w: 'w', h: 'slurm-77', ts: 3 },
    ];
    const dir = project({ 'Daxfile.yaml': PIPELINE, '.dax/journal.jsonl': lines.map((l) => JSON.stringify(l)).join('\n') + '\n' });
    let w: ScriptedWorker;
    const finishes: Behaviour = async (spec) => {
      await wait(30);
      w.write(spec); // the earlier attempt's temporary names
      return { kind: 'exited', code: 0 };
    };
    w = new ScriptedWorker('w', 2, dir, {}, { 'slurm-77': finishes });
    const log = new Events();
    const out = await runPipeline(await load(dir), { targets: [], sets: {}, loggers: [log], executor: workersOf(w) });
    expect(out).toMatchObject({ kind: 'done', result: 'ok' });
    expect(w.started.sort()).toEqual(['gen[n=1]', 'gen[n=2]', 'sum']);
    expect(log.of('notice').map((e) => e.notice)).toContainEqual({ kind: 'attached', job: 'gen[n=3]', worker: 'w', handle: 'slurm-77' });
    expect(read(dir, 'out/3.txt')).toBe('gen[n=3] by w\n');
    expect(readdirSync(join(dir, 'out')).filter((n) => n.startsWith('.dax-tmp'))).toEqual([]);
    // Its end is recorded against the attempt that started it: the next run has nothing to do.
    const again = await runPipeline(await load(dir), { targets: [], sets: {}, loggers: [], executor: workersOf(new ScriptedWorker('w', 2, dir)) });
    expect(again).toMatchObject({ kind: 'done', result: 'nothing-to-do' });
  });

  it('a bug in the job-end path stops the run cleanly: jobs stopped and recorded, lock released, run end written', async () => {
    const dir = project({ 'Daxfile.yaml': PIPELINE });
    let w: ScriptedWorker;
    const bogus: Behaviour = async (_spec, events, h) => {
      events.running(h);
      await wait(50);
      return { kind: 'no-such-result' } as unknown as AttemptResult;
    };
    const hangs: Behaviour = (_spec, events, h) => {
      events.running(h);
      return new Promise<AttemptResult>(() => {});
    };
    w = new ScriptedWorker('w', 3, dir, { 'gen[n=1]': bogus, 'gen[n=2]': hangs, 'gen[n=3]': hangs });
    const log = new Events();
    const out = await runPipeline(await load(dir), { targets: [], sets: {}, loggers: [log], executor: workersOf(w), killGraceMs: 100 });
    expect(out.kind).toBe('bug');
    expect(w.killed).toEqual(expect.arrayContaining(['gen[n=2]', 'gen[n=3]']));
    expect(existsSync(join(dir, '.dax/lock'))).toBe(false);
    const journal = read(dir, '.dax/journal.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const end = journal.find((r) => r['t'] === 'runend');
    expect(end).toMatchObject({ result: 'failed' });
    expect(String(end!['bug'])).toMatch(/\w/);
    // The stopped jobs are recorded as incomplete: the next run reruns them.
    expect(journal.filter((r) => r['t'] === 'end').map((r) => [r['j'], r['s']]).sort()).toEqual([
      ['gen[n=2]', 'incomplete'],
      ['gen[n=3]', 'incomplete'],
    ]);
    expect(log.of('run-end')).toHaveLength(1);
  });
});
