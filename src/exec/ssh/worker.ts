// A worker host over SSH. A job runs detached from its ssh session (scripts.ts), recorded beside
// a directory of its own below the worker's workdir; dax learns its end by waiting through
// the session and, if the connection drops, by connecting again and reading the status it
// recorded. A later dax re-attaches the same way. Without a shared file system, inputs go
// to the worker's store by rsync first (what it holds already is not sent again) and outputs
// come back to their temporary names, checked whole, for the engine to publish.
import { createHash } from 'node:crypto';
import { appendFileSync, createReadStream, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorkerSpec } from '../../config/model.js';
import type { AttemptEvents, AttemptResult, Handle, JobSpec, Reattach, RunningAttempt, Worker } from '../executor.js';
import { SshConnection } from './connection.js';
import { Agent, type AgentKind } from './agent.js';
import { perlFinishLine, perlLaunchLine } from './agent-perl.js';
import { finishScript, killScript, launchLine, launchScript, probeScript, sweepScript, type LaunchSpec } from './scripts.js';
import { outputRecord, pullOutputs, pushInputs } from './sync.js';
import { attemptName } from '../remote/wrapper.js';

const posix = path.posix;

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' };

export class SshWorker implements Worker {
  readonly name: string;
  readonly slots: number;
  readonly pools: Record<string, number>;
  /** The host writes a first attempt's log header, in the log it makes for the job anyway. */
  readonly lazyLog = true;
  private downWhy: string | undefined;
  private failedInARow = 0;
  private readonly conn: SshConnection;
  private readonly agent: Agent;
  private readonly live = new Set<Live>();
  /** Attempt directories a reattach took over: a sweep leaves them alone. */
  private readonly adopted = new Set<string>();
  /** Runs whose records this worker wrote or followed on the host: removed at close, unless
   * an attempt may still run there (`unsure`), whose record a later dax needs. */
  private readonly runs = new Set<string>();
  private unsure = false;

  constructor(
    private readonly spec: WorkerSpec,
    private readonly projectDir: string,
  ) {
    this.name = spec.name;
    this.slots = spec.slots;
    this.pools = spec.pools;
    this.conn = new SshConnection(spec.ssh);
    this.agent = new Agent(this.conn, spec);
  }

  get up(): boolean {
    return this.downWhy === undefined;
  }

  /** Why the worker was marked down, once it is. */
  get down(): string | undefined {
    return this.downWhy;
  }

  prepare(): void {
    this.agent.warm();
  }

  get connection(): SshConnection {
    return this.conn;
  }

  private dirOf(spec: JobSpec): string {
    return posix.join(this.spec.workdir, 'jobs', spec.run, attemptName(spec));
  }

  /** Where the worker keeps the project's files it was sent or made (shared_fs: false). */
  private get store(): string {
    return posix.join(this.spec.workdir, 'files');
  }

  start(spec: JobSpec, events: AttemptEvents): RunningAttempt {
    this.runs.add(spec.run);
    const l = new Live(this, spec, this.dirOf(spec));
    this.live.add(l);
    l.done = l.race(this.follow(l, events, false).then((res) => this.settled(l, res)));
    return l;
  }

  async reattach(handle: Handle, spec: JobSpec, events: AttemptEvents): Promise<Reattach> {
    const dir = this.dirOf(spec);
    const r = await this.conn.run(probeScript(dir));
    if (!r.ok) return { kind: 'gone', why: r.error };
    const line = r.value.stdout.trim();
    this.runs.add(spec.run);
    if (line === 'gone') {
      // What is left of its process group, if anything (the record names it).
      await this.conn.run(killScript(dir, 'KILL'));
      return { kind: 'gone', why: 'not running on the host, and no status recorded' };
    }
    this.adopted.add(dir);
    const l = new Live(this, spec, dir);
    this.live.add(l);
    l.done = l.race(this.follow(l, events, true).then((res) => this.settled(l, res)));
    return { kind: 'attached', attempt: l, running: line.startsWith('running') };
  }

  async sweep(run: string): Promise<number> {
    const r = await this.conn.run(sweepScript(posix.join(this.spec.workdir, 'jobs', run), [...this.adopted]));
    return r.ok ? Number(/stopped (\d+)/.exec(r.value.stdout)?.[1] ?? 0) : 0;
  }

  /** Sends inputs, starts (or re-joins) the job, waits for it, brings the outputs back. */
  private async follow(l: Live, events: AttemptEvents, rejoin: boolean): Promise<AttemptResult> {
    if (!this.up) return { kind: 'lost', why: `worker ${this.name} is down: ${this.downWhy}` };
    const { spec } = l;
    const shared = this.spec.sharedFs;
    const remote = (p: string): string => (shared ? posix.join(this.projectDir, p) : posix.join(l.dir, p));
    if (!shared && !rejoin) {
      const pushed = await pushInputs(this.conn, this.projectDir, spec.inputs, this.store);
      if (!pushed.ok) return this.connectionTrouble(pushed.error, 'sending its inputs');
      if (l.killed) return { kind: 'signaled', signal: l.killed };
    }
    // Without a shared file system the log comes back by the rsync that brings the outputs,
    // under a name of its own beside the log (then appended to it and removed).
    const logBack = `${spec.log}.${spec.run}.${spec.attempt}.remote`;
    const log = remote(shared ? spec.log : logBack);
    const w: LaunchSpec = {
      dir: l.dir,
      cwd: remote(spec.cwd),
      argv: spec.argv,
      env: { ...this.spec.env, ...spec.env, DAX_WORKER: this.name },
      log,
      appendLog: shared && spec.appendLog,
      ...(spec.logHeader !== undefined ? { header: spec.logHeader } : {}),
      logOnOutput: shared,
      // On a shared file system dax made the log's, cwd's and outputs' directories already.
      mkdirs: shared ? [] : [...new Set([posix.dirname(log), remote(spec.cwd), ...spec.temps.map((t) => posix.dirname(remote(t))), ...spec.inputs.map((i) => posix.dirname(remote(i)))])],
      links: shared ? [] : spec.inputs.map((i) => [remote(i), posix.join(this.store, i)]),
      // Their sizes and hashes are for checking a copy: with a shared file system there is none.
      outputs: shared ? [] : spec.temps.map((t, i) => [remote(t), remote(spec.outputs[i]!)]),
      hash: spec.hashOutputs === true,
    };
    let status: string | undefined;
    const recorded: Array<{ size: number; hash: string }> = [];
    if (l.killed) return { kind: 'signaled', signal: l.killed };
    // Running from here: a signal goes by the attempt's record on the host, which the launch
    // reads too (no line back per job to say it started). The record, not the ref, names its
    // process group.
    l.launched = true;
    events.running({ worker: this.name, ref: `${this.spec.ssh}:${l.dir}` });
    const r = await this.launch(w, (line) => {
      const m = /^(out|status) (.*)$/.exec(line);
      if (!m) return;
      if (m[1] === 'out') recorded.push(outputRecord(m[2]!));
      else status = m[2];
    });
    if (!r.ok) return this.connectionTrouble(r.error, 'running it');
    if (status === undefined) {
      const how = r.value.stderr.trim().split('\n').pop() ?? '';
      return { kind: 'spawn-error', message: `could not start the job on ${this.name} (exit ${r.value.code}${how ? `: ${how}` : ''})` };
    }
    const code = status === 'gone' ? -1 : Number(status);
    const succeeded = code === 0 && !l.killed;
    let pulled: Awaited<ReturnType<typeof pullOutputs>> | undefined;
    if (!shared) {
      // The log comes back whatever the outcome; the outputs when the job succeeded.
      pulled = await pullOutputs(this.conn, this.projectDir, l.dir, succeeded ? spec.temps : [], recorded, [logBack]);
      takeLog(path.join(this.projectDir, logBack), path.join(this.projectDir, spec.log), spec.appendLog);
    }
    if (status === 'gone' || (l.killed && code > 128)) return { kind: 'signaled', signal: SIGNALS[code - 128] ?? l.killed ?? 'SIGKILL' };
    if (!Number.isInteger(code)) return { kind: 'spawn-error', message: `unreadable status ${JSON.stringify(status)} on ${this.name}` };
    if (code !== 0) return { kind: 'exited', code };
    if (pulled) {
      if (!pulled.ok) return this.connectionTrouble(pulled.error, 'copying its outputs back');
      const bad = await verify(this.projectDir, spec.temps, pulled.value);
      if (bad) return { kind: 'spawn-error', message: bad };
      await this.finish(l.dir, spec.temps.map((t, i) => [posix.join(l.dir, t), posix.join(this.store, spec.outputs[i]!)]));
    }
    return { kind: 'exited', code: 0 };
  }

  /** Starts or re-joins the attempt through the agent; through a session of its own when the
   * agent cannot (it ended: the session re-joins what the agent started). */
  private async launch(w: LaunchSpec, onLine: (line: string) => void): Promise<Awaited<ReturnType<SshConnection['run']>>> {
    let saw = '';
    const a = await this.agent.run((kind) => (kind === 'sh' ? launchLine(w) : perlLaunchLine(w)), (l) => {
      if (l.startsWith('status ')) saw = l;
      onLine(l);
    });
    if (a.ok && saw) return { ok: true, value: { code: 0, stdout: '', stderr: '' } };
    return this.conn.run(launchScript(w), onLine);
  }

  /** Links kept outputs into the store and removes the attempt, through the agent (no session
   * of its own); through a session when the agent cannot. */
  private async finish(dir: string, keep: Array<[string, string]>): Promise<void> {
    const script = finishScript(dir, keep);
    // The sh agent takes a request on one line: not one with a path holding a newline.
    const line = (kind: AgentKind): string | undefined => {
      if (kind !== 'sh') return perlFinishLine(dir, keep);
      return [dir, ...keep.flat()].some((p) => p.includes('\n')) ? undefined : script.split('\n').filter((x) => x !== '').join('; ');
    };
    if ((await this.agent.run(line, () => undefined)).ok) return;
    await this.conn.run(script);
  }

  /** A job's own end: `give_up_after` failures in a row (not stops dax asked for, not
   * losses) mark the worker down. */
  private settled(l: Live, res: AttemptResult): AttemptResult {
    this.live.delete(l);
    // Lost, or given up on without its status: it may still run, and its record tells a later dax.
    if (res.kind === 'lost' || (res.kind === 'spawn-error' && l.launched)) this.unsure = true;
    if (res.kind === 'exited' && res.code === 0) this.failedInARow = 0;
    else if (res.kind !== 'lost' && !l.killed && ++this.failedInARow >= this.spec.giveUpAfter) {
      this.markDown(`${this.failedInARow} jobs in a row failed on it`);
    }
    return res;
  }

  /** The session failed for ssh's own reasons after its retries: if the host cannot be reached
   * on a new connection either, it is down and the job goes elsewhere. */
  private async connectionTrouble(why: string, doing: string): Promise<AttemptResult> {
    if (this.up && /host key/.test(why)) this.markDown(why);
    if (this.up) {
      const p = await this.conn.probe();
      if (!p.ok) this.markDown(`the connection cannot be re-established: ${p.error}`);
    }
    if (!this.up) return { kind: 'lost', why: `worker ${this.name} is down: ${this.downWhy}` };
    return { kind: 'spawn-error', message: `${doing} on ${this.name}: ${why}` };
  }

  private markDown(why: string): void {
    if (this.downWhy !== undefined) return;
    this.downWhy = why;
    // Its running jobs are lost to this run: they go back to the queue for other workers.
    for (const l of this.live) l.lose(`worker ${this.name} is down: ${why}`);
  }

  async close(): Promise<void> {
    // Every attempt's end is in the journal now: the host keeps no record of them (a record
    // per job, run after run, would fill the workdir). A run whose attempts were adopted from
    // an earlier one ends that run's records too. Removed as a finished attempt is, by a line
    // to the agent.
    if (this.live.size === 0 && !this.unsure && this.up) for (const r of this.runs) await this.finish(posix.join(this.spec.workdir, 'jobs', r), []);
    await this.agent.close();
    await this.conn.close();
  }
}

/** One attempt on the host, as the scheduler holds it. */
class Live implements RunningAttempt {
  done!: Promise<AttemptResult>;
  /** Its launch went to the host: a signal goes there. */
  launched = false;
  killed: NodeJS.Signals | undefined;
  private loseWith: ((r: AttemptResult) => void) | undefined;
  private readonly lost: Promise<AttemptResult>;

  constructor(
    private readonly worker: SshWorker,
    readonly spec: JobSpec,
    readonly dir: string,
  ) {
    this.lost = new Promise((r) => (this.loseWith = r));
  }

  /** The first of the job's own end and the loss of its worker. */
  race(p: Promise<AttemptResult>): Promise<AttemptResult> {
    return Promise.race([p, this.lost]);
  }

  lose(why: string): void {
    if (this.launched) this.signal('SIGTERM');
    this.loseWith?.({ kind: 'lost', why });
  }

  kill(signal: NodeJS.Signals): void {
    this.killed = signal;
    if (this.launched) this.signal(signal);
  }

  private signal(signal: NodeJS.Signals): void {
    void this.worker.connection.run(killScript(this.dir, signal)).catch(() => undefined);
  }
}

/** The host's log, copied back beside the log: appended to it (or replacing it), then removed. */
function takeLog(back: string, log: string, append: boolean): void {
  try {
    if (append) appendFileSync(log, readFileSync(back));
    else renameSync(back, log);
  } catch {
    // It did not come back (the copy failed): the log has the header only.
  }
  rmSync(back, { force: true });
}

/** Each copied temporary is whole: the size (and content hash) the host recorded. */
async function verify(projectDir: string, temps: string[], recorded: Array<{ size: number; hash: string }>): Promise<string | undefined> {
  for (let i = 0; i < temps.length; i++) {
    const abs = path.join(projectDir, temps[i]!);
    const want = recorded[i];
    const s = statSync(abs, { throwIfNoEntry: false });
    if (!want || !s) return `output ${temps[i]} did not come back from the worker`;
    if (want.size >= 0 && s.isFile() && s.size !== want.size) return `output ${temps[i]} came back incomplete (${s.size} of ${want.size} bytes)`;
    if (want.hash !== '-' && s.isFile()) {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(abs)) h.update(chunk as Buffer);
      if (h.digest('hex') !== want.hash) return `output ${temps[i]} came back different from what the worker wrote (sha256)`;
    }
  }
  return undefined;
}
