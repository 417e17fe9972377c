// A Slurm cluster as a worker. Jobs the scheduler hands over within one turn of the event loop
// (and while an sbatch is in flight) are grouped by rule into job arrays: one `sbatch --parsable`
// per array, a bounded array size and a bounded rate of sbatch calls. Each task runs the same
// wrapper as the SSH workers (../remote/wrapper.ts), inline in the array's scripts (layout.ts),
// and appends a line to its task's record (record.ts) when a job begins and when it ends, with
// its exit status: that record is the truth. Starts and ends are learnt from the records
// (watch.ts: inotify on their directory, or reading them where it cannot see them), not from
// Slurm. One squeue call for all of the run's jobs by their run-specific job name catches what
// records cannot tell: a job that left the queue without a status (node failure or preemption:
// lost, back to dax's queue; anything else: a failure after a grace period) and why a job was
// killed. It runs every `poll` seconds while nothing is heard, less and less often (up to
// QUIET_MAX_MS) while records keep growing. dax owns retries and the graph: --no-requeue, never
// --dependency. With `bundle: N`, jobs of one rule handed over together run N to a task, one
// after another, each with its own status in the task's record and its own ref (`array_index.k`);
// one of them is stopped alone by a kill file and a USR1 to the task's shell, the task as a whole
// by scancel once none of its jobs is left to run.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { SlurmOptions, SlurmWorkerSpec } from '../../config/model.js';
import type { AttemptEvents, AttemptResult, Handle, JobSpec, Reattach, RunningAttempt, Worker } from '../executor.js';
import { attemptName, wrapperLines } from '../remote/wrapper.js';
import { runSlurm, runSlurmRetrying } from './commands.js';
import { arrayScripts, batchDir, BUNDLED, jobName, killFile, parseRef, recordDir, recordFile, runDir, workerDir } from './layout.js';
import { TaskRecord } from './record.js';
import { RecordWatch } from './watch.js';

/** squeue states of a job that is still on its way (the queue says: keep waiting). */
const ACTIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'SPECIAL_EXIT', 'RESV_DEL_HOLD']);
/** ... of those, the ones where it runs. */
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT']);
/** Ends that are the cluster's doing, not the job's: it goes back to dax's queue. */
const LOST = new Set(['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL']);
/** The states a poll asks for: all but COMPLETED, which says nothing the task records do not
 * and would make each poll list every job that ended in the last MinJobAge (by default 5
 * minutes: most of a large run's). */
const POLLED = [...ACTIVE, ...LOST, 'CANCELLED', 'FAILED', 'TIMEOUT', 'DEADLINE', 'OUT_OF_MEMORY'].join(',');

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' };
/** Job ids per scancel call. */
const CANCEL_CHUNK = 500;
/** The longest wait between two polls while squeue keeps failing (unless polls are rarer). */
const MAX_POLL_BACKOFF_MS = 15_000;
/** After a scancel, the queue is looked at this soon (a stopping dax waits for its jobs). */
const SOON_MS = 250;
/** How often records are read where they cannot be watched (no Slurm call): a job's start and
 * end are seen this soon, not a poll interval later, ... */
const SCAN_MS = 200;
/** ... with at most this many records read each time (the others at the next, in turn). */
const SCAN_RECORDS = 100;
/** Jobs in the first array while none of this worker's is in the cluster: the cluster starts
 * on them while dax writes the scripts of the rest (1,000 take a second or more to write). */
const FIRST_ARRAY = 50;
/** The longest wait between two looks at the queue while records keep growing (unless `poll` is
 * longer): only a job lost without a status waits that long to be noticed. */
const QUIET_MAX_MS = 30_000;

/** One array task: its Slurm job id (`array_index`), the attempts it runs in order (by name),
 * those of them tracked here, by place, and its record. */
interface Task {
  id: string;
  run: string;
  /** Its array's number in its run (batch/<n>) and its index in the array. */
  n: number;
  index: number;
  names: string[];
  lives: Array<Live | undefined>;
  rec: TaskRecord;
}

/** An array's manifest (batch/<n>.jobs and <n>.id): the attempts of each task, by index. */
interface Manifest {
  n: number;
  id: string | undefined;
  tasks: string[][];
}

interface QueueEntry {
  state: string;
  node: string;
}

type Phase = 'waiting' | 'submitting' | 'submitted' | 'done';

export class SlurmWorker implements Worker {
  readonly name: string;
  readonly slots: number;
  readonly pools: Record<string, number>;
  /** A task writes a first attempt's log header, in the log it makes for the job anyway. */
  readonly lazyLog = true;
  private downWhy: string | undefined;
  /** Started, not yet submitted. */
  private waiting: Live[] = [];
  /** Submitted, by ref (`array_index`, or `array_index.k` in a bundle). */
  private readonly submitted = new Map<string, Live>();
  /** Tasks with a job tracked here, by record file. */
  private readonly tasks = new Map<string, Task>();
  /** Records that changed before their task was tracked (its sbatch had not answered yet). */
  private early = new Set<string>();
  /** Runs whose jobs are polled (this run's, and earlier ones' re-attached to). */
  private readonly runs = new Set<string>();
  /** Re-attached tasks' Slurm ids: a sweep leaves them alone. */
  private readonly adopted = new Set<string>();
  /** Attempts to stop, at the next turn. */
  private readonly cancels = new Set<Live>();
  /** Earlier runs' manifests, read once for their re-attaches. */
  private readonly manifests = new Map<string, Manifest[]>();
  private flushQueued = false;
  private submitting = false;
  private lastSubmit = 0;
  private batchNo = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private pollAt = 0;
  private ticking = false;
  private pollFailures = 0;
  private scanTimer: NodeJS.Timeout | undefined;
  /** Where the next scan starts reading records (they are read SCAN_RECORDS at a time). */
  private scanFrom = 0;
  /** Each run's record directory. */
  private readonly watches = new Map<string, RecordWatch>();
  /** A record said something since the last look at the queue. */
  private news = false;
  /** The wait before the next look at the queue: `poll`, doubled after each look that records
   * made unneeded (up to QUIET_MAX_MS), back to `poll` when something is overdue. */
  private quietMs: number;
  private cancelQueued = false;
  private closed = false;

  constructor(
    private readonly spec: SlurmWorkerSpec,
    private readonly projectDir: string,
  ) {
    this.name = spec.name;
    this.slots = spec.slots;
    this.pools = spec.pools;
    this.quietMs = spec.pollMs;
  }

  get up(): boolean {
    return this.downWhy === undefined;
  }

  get down(): string | undefined {
    return this.downWhy;
  }

  start(spec: JobSpec, events: AttemptEvents): RunningAttempt {
    const l = new Live(this, spec, attemptName(spec), events);
    if (!this.up) l.finish({ kind: 'lost', why: `worker ${this.name} is down: ${this.downWhy}` });
    else {
      this.waiting.push(l);
      this.scheduleFlush();
    }
    return l;
  }

  async reattach(handle: Handle, spec: JobSpec, events: AttemptEvents): Promise<Reattach> {
    const l = new Live(this, spec, attemptName(spec), events);
    const manifests = this.manifestsOf(spec.run);
    const ref = parseRef(handle.ref) ?? fromManifest(manifests, l.name);
    // Its task's record is found by the array's manifest, written before its sbatch (by the
    // array's id, or where that was lost, by the job's place in it).
    const m = ref ? (manifests.find((b) => b.id === ref.array) ?? manifests.find((b) => b.tasks[ref.index]?.includes(l.name))) : undefined;
    if (!ref) return { kind: 'gone', why: 'no Slurm job id was recorded for it' };
    // No manifest that lists it (its run's directory removed): no record can say how it ends,
    // but the queue still says whether it runs (it is never submitted twice while it does).
    const at = m?.tasks[ref.index]?.indexOf(l.name) ?? -1;
    const names = m && at >= 0 ? m.tasks[ref.index]! : [l.name];
    const k = Math.max(0, at);
    const task = this.taskOf(spec.run, m && at >= 0 ? m.n : -1, ref.index, `${ref.array}_${ref.index}`, names);
    this.place(l, task, k);
    // Watched before it is read: a line written between the two is not missed.
    this.watchRun(spec.run);
    task.rec.read();
    const status = task.rec.ended.get(k);
    // A bundled job's status may be its task's fate (a node failure): unless final, the queue
    // says, below.
    if (status !== undefined && (!l.bundled || this.final(l, status))) {
      // Its task, if still in the queue, is finishing: not one for sweep() to cancel.
      this.adopted.add(task.id);
      // It ran while no dax watched: say where (the report names the node), then how it ended.
      this.began(l, undefined);
      l.finish(this.resultOf(l, status, undefined));
      return { kind: 'attached', attempt: l, running: true };
    }
    l.phase = 'submitted';
    this.track(l);
    this.adopted.add(task.id);
    this.runs.add(spec.run);
    // Its record says it began: running (or ran), on the node it names.
    if (task.rec.started.has(k)) this.began(l, undefined);
    // A pending job says when it starts by its record (watched, or read in turn), as in the run
    // that submitted it.
    this.ensurePoll();
    return { kind: 'attached', attempt: l, running: l.running };
  }

  /** After a dead run's lock was taken over: cancel its jobs still in the queue that no
   * re-attach took (they would run for nobody). */
  async sweep(run: string): Promise<number> {
    const r = await runSlurm('squeue', ['-h', '-r', `--name=${jobName(run)}`, '-o', '%F_%K'], this.spec.env);
    if (!r.ok) return 0;
    const ids = r.value.split('\n').map((s) => s.trim()).filter((s) => /^\d+_\d+$/.test(s) && !this.adopted.has(s));
    for (let i = 0; i < ids.length; i += CANCEL_CHUNK) await runSlurmRetrying('scancel', ids.slice(i, i + CANCEL_CHUNK), this.spec.env);
    return ids.length;
  }

  /** The status directories of runs that are over and that no later run can re-attach to: their
   * jobs all ended in the journal (or never started) and none is this worker's now. */
  async tidy(open: ReadonlySet<string>): Promise<void> {
    const base = workerDir(this.projectDir, this.name);
    let runs: string[];
    try {
      runs = readdirSync(base);
    } catch {
      return; // nothing was ever submitted here
    }
    const busy = new Set([...this.submitted.values(), ...this.waiting].map((l) => l.spec.run));
    const stale = runs.filter((r) => !open.has(r) && !busy.has(r));
    await Promise.all(stale.map((r) => rm(path.join(base, r), { recursive: true, force: true }).catch(() => undefined)));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    if (this.scanTimer) clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
    // Every attempt has its end (journal and logs hold what is worth keeping): the status
    // directories go. Left as they are while some job is still out there, for a later run.
    if (this.submitted.size > 0 || this.waiting.length > 0) return;
    await Promise.all([...this.runs].map((r) => rm(runDir(this.projectDir, this.name, r), { recursive: true, force: true }).catch(() => undefined)));
  }

  // --- submission -------------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushQueued || this.submitting) return;
    this.flushQueued = true;
    // The scheduler hands over every job it can place in one synchronous pass: collect them all.
    setImmediate(() => {
      this.flushQueued = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.submitting) return;
    this.submitting = true;
    try {
      while (this.waiting.length > 0 && !this.closed) {
        const gap = this.lastSubmit + 1000 / this.spec.submitRate - Date.now();
        if (gap > 0) await new Promise((r) => setTimeout(r, gap));
        const live = this.waiting.filter((l) => l.phase === 'waiting');
        if (live.length === 0) break;
        const rule = live[0]!.spec.rule;
        const size = this.submitted.size === 0 ? Math.min(FIRST_ARRAY, this.spec.arraySize) : this.spec.arraySize;
        const tasks = pack(live.filter((l) => l.spec.rule === rule), this.spec.bundle, size);
        const packed = new Set(tasks.flat());
        this.waiting = live.filter((l) => !packed.has(l));
        this.lastSubmit = Date.now();
        await this.submit(tasks);
      }
    } finally {
      this.submitting = false;
      // Jobs killed while they waited are done: only the others call for another flush.
      this.waiting = this.waiting.filter((l) => l.phase === 'waiting');
      if (this.waiting.length > 0 && !this.closed) this.scheduleFlush();
    }
  }

  /** One array for `packed` (tasks of jobs of one rule): scripts first, then sbatch, then the ids. */
  private async submit(tasks: Live[][]): Promise<void> {
    const ready = tasks.flat();
    const run = ready[0]!.spec.run;
    const dir = runDir(this.projectDir, this.name, run);
    const n = this.batchNo++;
    const outDir = batchDir(this.projectDir, this.name, run, n);
    const script = path.join(dir, 'batch', `${n}.sh`);
    for (const l of ready) l.phase = 'submitting';
    try {
      mkdirSync(outDir, { recursive: true });
      mkdirSync(recordDir(this.projectDir, this.name, run), { recursive: true });
      writeFileSync(path.join(dir, 'batch', `${n}.jobs`), tasks.map((t) => t.map((l) => l.name).join(' ')).join('\n') + '\n');
      const { main, parts } = arrayScripts(this.projectDir, this.name, run, n, tasks.map((t) => t.map((l) => this.jobScript(l.spec))));
      parts.forEach((p, c) => writeFileSync(path.join(dir, 'batch', `${n}.${c}.sh`), p));
      writeFileSync(script, main);
    } catch (e) {
      for (const l of ready) l.finish({ kind: 'spawn-error', message: `cannot write the jobs' scripts in ${path.dirname(outDir)}: ${(e as Error).message}` });
      return;
    }
    const out = path.join(outDir, '%a.out');
    const comment = `dax:${n}`;
    // A task's time limit covers its bundle.
    const timeoutMs = ready[0]!.spec.timeoutMs;
    const args = [
      '--parsable', '--no-requeue', `--array=0-${tasks.length - 1}`, `--job-name=${jobName(run)}`, `--comment=${comment}`,
      `--output=${out}`, `--error=${out}`, `--chdir=${this.projectDir}`,
      ...sbatchOptions(this.spec.slurm, this.spec.rules[ready[0]!.spec.rule], timeoutMs === undefined ? undefined : timeoutMs * Math.max(...tasks.map((t) => t.length))), script,
    ];
    // An sbatch whose answer was lost (a timeout) may have submitted the array: look for it
    // by its comment before submitting it again, or its jobs would run twice.
    const r = await runSlurmRetrying('sbatch', args, this.spec.env, async () => {
      const q = await runSlurm('squeue', ['-h', `--name=${jobName(run)}`, '-o', '%F|%k'], this.spec.env);
      const hit = q.ok ? q.value.split('\n').find((line) => line.endsWith(`|${comment}`)) : undefined;
      return hit ? { ok: true, value: hit.split('|')[0]! } : undefined;
    });
    const id = r.ok ? /^(\d+)/.exec(r.value.trim())?.[1] : undefined;
    if (!id) {
      const why = r.ok ? `sbatch said ${JSON.stringify(r.value.trim())}, not a job id` : r.error.message;
      if (!r.ok && r.error.missing) this.markDown(why);
      for (const l of ready) l.finish(this.up ? { kind: 'spawn-error', message: `could not submit to Slurm: ${why}` } : { kind: 'lost', why: `worker ${this.name} is down: ${this.downWhy}` });
      return;
    }
    writeFileSync(path.join(dir, 'batch', `${n}.id`), id + '\n');
    this.runs.add(run);
    // A task may have begun before its job was tracked: watched from now, and what its record
    // said meanwhile read below (all of the array's records when the watch is new).
    const fresh = !this.watches.has(run);
    this.watchRun(run);
    const early = this.early;
    this.early = new Set();
    tasks.forEach((members, i) => {
      const task = this.taskOf(run, n, i, `${id}_${i}`, members.map((l) => l.name));
      members.forEach((l, k) => {
        this.place(l, task, k);
        l.phase = 'submitted';
        this.track(l);
        if (l.killed) this.cancel(l);
        l.events.queued({ worker: this.name, ref: l.key! });
      });
      if (fresh || early.has(task.rec.file)) this.recorded(task);
    });
    // Records tell of these jobs too: a new array does not bring the next look at the queue closer.
    this.ensurePoll(this.quietMs);
  }

  /** The task whose record is task `index` of array `n`: known already (another of its jobs was
   * re-attached), or new. */
  private taskOf(run: string, n: number, index: number, id: string, names: string[]): Task {
    const file = recordFile(this.projectDir, this.name, run, n, index);
    let t = this.tasks.get(file);
    if (!t) this.tasks.set(file, (t = { id, run, n, index, names, lives: [], rec: new TaskRecord(file) }));
    return t;
  }

  /** `l` as the k-th job of `task`. */
  private place(l: Live, task: Task, k: number): void {
    l.task = task;
    l.k = k;
    l.key = task.names.length > 1 ? `${task.id}.${k}` : task.id;
    l.out = path.join(batchDir(this.projectDir, this.name, task.run, task.n), `${task.index}.out`);
    task.lives[k] = l;
  }

  private jobScript(spec: JobSpec): string[] {
    const abs = (p: string): string => path.join(this.projectDir, p);
    return wrapperLines({
      dir: '.', cwd: abs(spec.cwd), argv: spec.argv,
      // DAX_WORKER tells the local worker's sweep that these processes are not its own.
      env: { ...this.spec.env, ...spec.env, DAX_WORKER: this.name },
      log: abs(spec.log), appendLog: spec.appendLog, mkdirs: [], links: [], outputs: [], hash: false,
      ...(spec.logHeader !== undefined ? { header: spec.logHeader } : {}),
      ...(this.spec.bundle !== 1 ? { shared: BUNDLED } : {}),
    });
  }

  /** A run's manifests (read once: only earlier runs' jobs are re-attached to). */
  private manifestsOf(run: string): Manifest[] {
    let m = this.manifests.get(run);
    if (m) return m;
    m = [];
    const batch = path.join(runDir(this.projectDir, this.name, run), 'batch');
    for (let n = 0; ; n++) {
      const jobs = readText(path.join(batch, `${n}.jobs`));
      if (jobs === undefined) break;
      m.push({ n, id: readText(path.join(batch, `${n}.id`))?.trim() || undefined, tasks: jobs.split('\n').filter((t) => t !== '').map((t) => t.split(' ')) });
    }
    this.manifests.set(run, m);
    return m;
  }

  private markDown(why: string): void {
    this.downWhy ??= why;
  }

  // --- cancelling ---------------------------------------------------------------------------

  /** Stops `l` at the next turn, with the others asked for in this one. A task none of whose
   * jobs is left to run (dax stopping: all of them) is cancelled; one job of a bundle whose
   * others still run is stopped alone: its `kill` file names the signal, and a USR1 to the
   * task's shell (scancel --batch) makes the shell signal that job's process group (a task
   * that has not begun skips it). */
  cancel(l: Live): void {
    this.cancels.add(l);
    if (this.cancelQueued) return;
    this.cancelQueued = true;
    setImmediate(() => {
      this.cancelQueued = false;
      const lives = [...this.cancels].filter((x) => x.phase === 'submitted' && x.task);
      this.cancels.clear();
      // A task whose unfinished jobs are all killed goes as a whole.
      const open = new Map<string, number>();
      if (lives.some((x) => x.bundled)) for (const x of this.submitted.values()) if (x.task && !x.killed) open.set(x.task.id, (open.get(x.task.id) ?? 0) + 1);
      const whole = new Set<string>();
      const one = new Set<string>();
      for (const x of lives) {
        if (!x.bundled || !open.has(x.task!.id)) {
          whole.add(x.task!.id);
          continue;
        }
        const t = x.task!;
        // What its record says first: the job may have ended meanwhile.
        this.recorded(t);
        if (x.phase !== 'submitted') continue;
        try {
          writeFileSync(killFile(this.projectDir, this.name, t.run, t.n, t.index, x.k), `${(x.killed ?? 'SIGTERM').replace(/^SIG/, '')}\n`);
          // Only a job that runs needs the signal (one that has not begun reads its kill file):
          // a USR1 the task's shell takes while waiting on another job changes nothing.
          if (t.rec.started.has(x.k) && !t.rec.ended.has(x.k)) one.add(t.id);
        } catch {
          whole.add(x.task!.id); // cannot say which: the task goes, its unstarted jobs are lost
        }
      }
      const ids = [...whole];
      const signalled = [...one].filter((id) => !whole.has(id));
      void (async () => {
        for (let i = 0; i < ids.length; i += CANCEL_CHUNK) await runSlurmRetrying('scancel', ids.slice(i, i + CANCEL_CHUNK), this.spec.env);
        // A pending task refuses a signal: it reads the kill file when it runs.
        for (let i = 0; i < signalled.length; i += CANCEL_CHUNK) await runSlurm('scancel', ['--batch', '--signal=USR1', ...signalled.slice(i, i + CANCEL_CHUNK)], this.spec.env);
        this.pollSoon();
      })();
    });
  }

  // --- polling ------------------------------------------------------------------------------

  private track(l: Live): void {
    this.submitted.set(l.key!, l);
  }

  /** Watches a run's record directory (once). */
  private watchRun(run: string): void {
    if (!this.watches.has(run)) {
      const dir = recordDir(this.projectDir, this.name, run);
      this.watches.set(run, new RecordWatch(dir, (names) => this.changed(dir, names)));
    }
    this.ensureScan();
  }

  /** Records that grew (events): their tasks' news read. */
  private changed(dir: string, names: string[]): void {
    if (this.closed) return;
    for (const name of names) {
      const file = path.join(dir, name);
      const t = this.tasks.get(file);
      if (t) this.recorded(t);
      else if (this.submitting) this.early.add(file); // its sbatch has not answered yet
    }
  }

  /** What a task's record says now of its jobs tracked here: a start -> the job runs (on the
   * node it names); an end with a status of 0 -> done, whatever the queue says. Other statuses
   * of a bundled job are settled once final (a later job of the task began), or by the next look
   * at the queue (brought closer), whose Slurm state says why (cancelled, time limit, node
   * failure). Its jobs are looked at even when nothing new came (a job re-attached, or one
   * whose status was not final, may be settled by what an earlier read took). */
  private recorded(t: Task): void {
    t.rec.read();
    for (const l of t.lives) {
      if (!l || l.phase !== 'submitted') continue;
      const status = t.rec.ended.get(l.k);
      if (status === undefined) {
        if (t.rec.started.has(l.k)) {
          if (!l.running) this.news = true;
          this.began(l, undefined);
        }
        continue;
      }
      if (Number(status.trim()) !== 0 && !this.final(l, status)) {
        this.quietMs = this.spec.pollMs;
        this.ensurePoll(this.spec.pollMs);
        continue;
      }
      this.news = true;
      this.began(l, undefined);
      l.finish(this.resultOf(l, status, undefined));
    }
  }

  /** The tasks with a job still out there. */
  private openTasks(): Task[] {
    return [...this.tasks.values()].filter((t) => t.lives.some((l) => l?.phase === 'submitted'));
  }

  /** Where records cannot be watched: read every SCAN_MS while jobs are out there, at most
   * SCAN_RECORDS of them each time, in turn. */
  private scan(): void {
    this.scanTimer = undefined;
    if (this.closed) return;
    const open = this.openTasks().filter((t) => !this.watches.get(t.run)?.watching);
    if (this.scanFrom >= open.length) this.scanFrom = 0;
    const some = open.slice(this.scanFrom, this.scanFrom + SCAN_RECORDS);
    this.scanFrom += some.length;
    for (const t of some) this.recorded(t);
    this.ensureScan();
  }

  private ensureScan(): void {
    if (this.closed || this.scanTimer || this.submitted.size === 0 || this.spec.pollMs <= SCAN_MS) return;
    if ([...this.watches.values()].every((w) => w.watching)) return;
    this.scanTimer = setTimeout(() => this.scan(), SCAN_MS);
  }

  private ensurePoll(delay = this.spec.pollMs): void {
    this.ensureScan();
    if (this.closed || this.ticking || this.submitted.size === 0) return;
    const at = Date.now() + delay;
    if (this.pollTimer && this.pollAt <= at) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollAt = at;
    this.pollTimer = setTimeout(() => void this.tick(), delay);
  }

  private pollSoon(): void {
    this.ensurePoll(Math.min(SOON_MS, this.spec.pollMs));
  }

  private async tick(): Promise<void> {
    this.pollTimer = undefined;
    this.ticking = true;
    let delay = this.spec.pollMs;
    try {
      const names = [...this.runs].map(jobName).join(',');
      // Without -r: an array's pending tasks come as one line (`4-6,8-999`), not one each.
      const r = await runSlurm('squeue', ['-h', '-t', POLLED, `--name=${names}`, '-o', '%F|%K|%T|%N'], this.spec.env);
      if (!r.ok) {
        // The controller is away: the jobs may well be running, and those that ended say so in
        // their records. Keep waiting, looking at the queue less often.
        delay = Math.min(Math.max(MAX_POLL_BACKOFF_MS, this.spec.pollMs), this.spec.pollMs * (1 + ++this.pollFailures));
        for (const t of this.openTasks()) {
          t.rec.read();
          for (const l of t.lives) {
            const status = l?.phase === 'submitted' ? t.rec.ended.get(l.k) : undefined;
            if (!l || status === undefined) continue;
            this.began(l, undefined);
            l.finish(this.resultOf(l, status, undefined));
          }
        }
        return;
      }
      this.pollFailures = 0;
      // Records whose events were lost (or never raised), and those not read in turn yet, are
      // read now, after the queue was: a job gone from it has its status there. A task still
      // pending in it has none yet (what it writes from now on raises events, or is read in turn).
      const queue = parseQueue(r.value);
      for (const t of this.openTasks()) if (queue.get(t.id)?.state !== 'PENDING') this.recorded(t);
      const now = Date.now();
      for (const l of [...this.submitted.values()]) this.check(l, queue.get(l.task!.id), now);
      // While records keep growing, the queue has little to add: look at it less and less often.
      // Back to every `poll` once nothing was heard (a job may have been lost without a
      // status) or a job is in its grace period.
      const overdue = [...this.submitted.values()].some((l) => l.goneSince !== undefined);
      this.quietMs = this.news && !overdue ? Math.min(this.quietMs * 2, Math.max(QUIET_MAX_MS, this.spec.pollMs)) : this.spec.pollMs;
      this.news = false;
      delay = this.quietMs;
    } finally {
      this.ticking = false;
      this.ensurePoll(delay);
    }
  }

  /** One submitted job against what the queue says of its task. */
  private check(l: Live, q: QueueEntry | undefined, now: number): void {
    const rec = l.task!.rec;
    if (q && ACTIVE.has(q.state)) {
      l.goneSince = undefined;
      if (!RUNNING.has(q.state)) return;
      if (!l.bundled) {
        this.began(l, q.node);
        return;
      }
      // The task runs; this job of it may not have begun yet, or be over (the task went on).
      const status = rec.ended.get(l.k);
      if (status !== undefined && this.final(l, status)) {
        this.began(l, q.node);
        l.finish(this.resultOf(l, status, undefined));
      } else if (rec.started.has(l.k)) this.began(l, q.node);
      return;
    }
    // Not (or no longer) waiting or running: the record says how it ended.
    const status = rec.ended.get(l.k);
    const id = l.task!.id;
    if (status !== undefined) {
      this.began(l, q?.node || undefined);
      l.finish(this.resultOf(l, status, q?.state));
      return;
    }
    if (q && LOST.has(q.state)) {
      l.finish({ kind: 'lost', why: `Slurm ended job ${id} with ${q.state}${q.node ? ` on ${q.node}` : ''}` });
      return;
    }
    const ran = l.running || rec.started.has(l.k);
    if (l.killed && !ran) {
      l.finish({ kind: 'signaled', signal: l.killed });
      return;
    }
    // Its task ran an earlier job of its bundle, then ended before this one began: never run.
    if (!ran && l.bundled && [...rec.started.keys()].some((k) => k !== l.k)) {
      l.finish({ kind: 'lost', why: `its Slurm task ${id} ${q ? `ended ${q.state}` : 'left the queue'} before this job of its bundle began` });
      return;
    }
    if (q?.state === 'CANCELLED' && !ran) {
      l.finish({ kind: 'signaled', signal: 'SIGTERM (cancelled in Slurm before it ran)' });
      return;
    }
    // A shared file system may show the status a little later than the queue its end.
    l.goneSince ??= now;
    if (now - l.goneSince < this.spec.graceMs) return;
    const said = readText(l.out ?? '')?.trim().split('\n').slice(-3).join('; ');
    l.finish({
      kind: 'spawn-error',
      message:
        `Slurm job ${id} ${q ? `ended ${q.state}` : 'left the queue'} without recording an exit status in ${path.relative(this.projectDir, rec.file)} ` +
        `(waited ${Math.round(this.spec.graceMs / 1000)}s; do the cluster's nodes see the project directory?)${said ? `: ${said}` : ''}`,
    });
  }

  /** A recorded status is the job's own, whatever its task's state: a bundled job's that no
   * signal to its task came with. A 0 says the job did its work; dax's own kill is dax's. Any
   * other status counts only once the task has gone on to a later job of its bundle: a node
   * going down signals the job's processes and the task's shell one after another, so the job
   * may die of it and have its status written before the shell's trap leaves `signaled` (and
   * the shell, signalled, starts no later job). The last job of a bundle waits for its task's
   * end, whose state says. */
  private final(l: Live, status: string): boolean {
    const rec = l.task!.rec;
    if (!l.bundled || rec.signaled.has(l.k)) return false;
    if (Number(status.trim()) === 0 || l.killed) return true;
    for (const k of rec.started.keys()) if (k > l.k) return true;
    for (const k of rec.ended.keys()) if (k > l.k) return true;
    return false;
  }

  private began(l: Live, node: string | undefined): void {
    if (l.running) return;
    l.running = true;
    const on = node || l.task?.rec.started.get(l.k) || undefined;
    l.events.running({ worker: this.name, ref: l.key!, ...(on ? { node: on } : {}) });
  }

  /** How an attempt ended, from its recorded status and (if still known) its Slurm state. */
  private resultOf(l: Live, status: string, state: string | undefined): AttemptResult {
    const code = Number(status.trim());
    if (!Number.isInteger(code)) return { kind: 'spawn-error', message: `unreadable status ${JSON.stringify(status.trim())} in ${l.task?.rec.file ?? l.name}` };
    if (code === 0) return { kind: 'exited', code: 0 };
    if (state && LOST.has(state)) return { kind: 'lost', why: `Slurm ended job ${l.task?.id ?? l.key} with ${state}` };
    if (code > 128) {
      const sig = SIGNALS[code - 128] ?? `signal ${code - 128}`;
      if (l.killed) return { kind: 'signaled', signal: l.killed };
      if (state === 'CANCELLED') return { kind: 'signaled', signal: `${sig} (cancelled in Slurm)` };
      if (state === 'TIMEOUT') return { kind: 'signaled', signal: `${sig} (Slurm's time limit)` };
      if (state === 'OUT_OF_MEMORY') return { kind: 'signaled', signal: `${sig} (Slurm: out of memory)` };
    }
    return { kind: 'exited', code };
  }

  /** Forgets a finished attempt. */
  settled(l: Live): void {
    if (!l.key) return;
    this.submitted.delete(l.key);
    // A task none of whose jobs is left here is forgotten (its record stays, for a later run).
    const t = l.task;
    if (t && t.lives.every((x) => !x || x.phase === 'done')) this.tasks.delete(t.rec.file);
  }
}

/** One attempt as the scheduler holds it. */
class Live implements RunningAttempt {
  readonly done: Promise<AttemptResult>;
  phase: Phase = 'waiting';
  /** Its ref: its task's id, with `.k` when it is the k-th job of a bundle. */
  key: string | undefined;
  task: Task | undefined;
  /** Its place in its task (0 when the task runs it alone). */
  k = 0;
  out: string | undefined;
  running = false;
  killed: NodeJS.Signals | undefined;
  goneSince: number | undefined;
  private resolve!: (r: AttemptResult) => void;

  constructor(
    private readonly worker: SlurmWorker,
    readonly spec: JobSpec,
    /** Its attempt's name (wrapper.ts attemptName): how the array's manifest lists it. */
    readonly name: string,
    readonly events: AttemptEvents,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  /** One of several jobs of its task. */
  get bundled(): boolean {
    return (this.task?.names.length ?? 0) > 1;
  }

  finish(r: AttemptResult): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.worker.settled(this);
    this.resolve(r);
  }

  kill(signal: NodeJS.Signals): void {
    const again = this.killed !== undefined;
    this.killed ??= signal;
    switch (this.phase) {
      case 'waiting':
        this.finish({ kind: 'signaled', signal });
        break;
      case 'submitting':
        break; // cancelled once sbatch says its id
      case 'submitted':
        // scancel stops it (TERM, then KILL after the cluster's KillWait); once is enough.
        if (!again || signal === 'SIGKILL') this.worker.cancel(this);
        break;
      case 'done':
        break;
    }
  }
}

/** `bundle: auto`: a task runs its jobs for about this long, ... */
const AUTO_TASK_MS = 60_000;
/** ... and at most this many of them. */
const AUTO_MAX = 100;

/** Jobs of one rule into at most `maxTasks` array tasks, in the order they came: `bundle` to a
 * task, or with 'auto' as many as their last durations (a job without one: the mean of those
 * that have one) fit in AUTO_TASK_MS. A job nothing is known of runs in a task of its own. The
 * jobs left out wait for the next array. */
export function pack<T extends { spec: Pick<JobSpec, 'lastMs'> }>(jobs: T[], bundle: number | 'auto', maxTasks: number): T[][] {
  const tasks: T[][] = [];
  if (bundle !== 'auto') {
    for (let i = 0; i < jobs.length && tasks.length < maxTasks; i += bundle) tasks.push(jobs.slice(i, i + bundle));
    return tasks;
  }
  const known = jobs.flatMap((j) => (j.spec.lastMs === undefined ? [] : [j.spec.lastMs]));
  const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
  let ms = 0;
  for (const j of jobs) {
    const est = j.spec.lastMs ?? mean;
    const cur = tasks[tasks.length - 1];
    if (cur && est !== undefined && ms + est <= AUTO_TASK_MS && cur.length < AUTO_MAX) {
      cur.push(j);
      ms += est;
      continue;
    }
    if (tasks.length >= maxTasks) break;
    tasks.push([j]);
    ms = est ?? 0;
  }
  return tasks;
}

/** squeue -o '%F|%K|%T|%N' lines -> `array_index` -> state and node. Pending tasks of an array
 * come folded into one line: their indexes as ranges (`4-6,8-19`, `0-9%2` with a throttle). */
function parseQueue(text: string): Map<string, QueueEntry> {
  const m = new Map<string, QueueEntry>();
  for (const line of text.split('\n')) {
    const [array, index, state, node] = line.trim().split('|');
    if (!array || !index || !state) continue;
    const entry = { state: state.replace(/\+$/, ''), node: node && node !== '(null)' ? node : '' };
    for (const part of index.replace(/%\d+$/, '').replace(/^\[|\]$/g, '').split(',')) {
      const r = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!r) continue;
      for (let i = Number(r[1]), hi = Number(r[2] ?? r[1]); i <= hi; i++) m.set(`${array}_${i}`, entry);
    }
  }
  return m;
}

/** sbatch options: the worker's, a rule's over them (extra added), and the rule's timeout as
 * --time where neither sets one (with a minute to spare: dax's own timer stops it first and
 * says why; Slurm's limit is there for when dax is gone). */
export function sbatchOptions(worker: SlurmOptions, rule: SlurmOptions | undefined, timeoutMs: number | undefined): string[] {
  const o = { ...worker, ...rule, extra: [...worker.extra, ...(rule?.extra ?? [])] };
  const time = rule?.time ?? (timeoutMs !== undefined ? slurmTime(timeoutMs + 60_000) : worker.time);
  return [
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
    ...(o.qos ? [`--qos=${o.qos}`] : []),
    ...(time ? [`--time=${time}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
    ...o.extra,
  ];
}

/** Milliseconds as a Slurm time, minutes:seconds rounded up. */
function slurmTime(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A job's array id, index and place in its bundle, from the manifests its run wrote (its
 * handle was lost). */
function fromManifest(manifests: Manifest[], name: string): { array: string; index: number; k: number | undefined } | undefined {
  for (const m of manifests) {
    const index = m.tasks.findIndex((t) => t.includes(name));
    if (index < 0) continue;
    const task = m.tasks[index]!;
    return m.id ? { array: m.id, index, k: task.length > 1 ? task.indexOf(name) : undefined } : undefined;
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
