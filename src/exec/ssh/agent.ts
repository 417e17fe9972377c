// A worker's agent session: one long ssh session through the master that starts job after job,
// so a job costs a line on a pipe instead of an ssh client, an sshd session and a login shell.
// The agent is dax's own program where it could be installed (install.ts), else perl where the
// host has it (agent-perl.ts; both do a launch's work in one process and take the same lines),
// else the sh loop (scripts.ts AGENT). Its first line says which, and each request is written in
// that agent's form. If the session ends, the jobs it was following fall back to a session each,
// which re-joins them by their attempt directory; the next job starts a new agent.
import type { ResultPromise } from 'execa';
import { loadExeca } from './execa.js';
import { err, ok, type Result } from '../../util/result.js';
import { shellQuote as q } from '../../graph/quote.js';
import type { SshConnection } from './connection.js';
import { AGENT } from './scripts.js';
import { PERL_AGENT } from './agent-perl.js';
import { installAgent } from './install.js';
import type { WorkerSpec } from '../../config/model.js';

export type AgentKind = 'native' | 'perl' | 'sh';

/** The session's command, run by the host's login shell: dax's agent at `native` when given
 * (and still there), else perl's when `perl` and the host has it, else the sh agent. Each
 * starts by printing `- agent KIND`. */
export function agentCommand(native: string | undefined, perl: boolean): string {
  return [
    ...(native ? [`[ -x ${q(native)} ] && exec ${q(native)}`] : []),
    ...(perl ? [`command -v perl >/dev/null 2>&1 && exec perl -e ${q(PERL_AGENT)}`] : []),
    `echo '- agent sh'; ${AGENT}`,
  ].join('; ');
}

interface Waiter {
  onLine: (line: string) => void;
  done: (r: Result<void, string>) => void;
}

type Child = ResultPromise<{ stdin: 'pipe'; buffer: false; reject: false }>;

/** One agent session: its process, and which agent it runs once its first line said. */
interface Session {
  child: Child;
  kind: Promise<AgentKind | undefined>;
}

export class Agent {
  private session: Session | undefined;
  private readonly waiting = new Map<string, Waiter>();
  private seq = 0;
  private closed = false;
  /** Lines for the agent not written yet: those of one event-loop turn go in one write (one
   * packet through the master, one wake-up of sshd and the agent). */
  private corked: { child: Child; text: string } | undefined;

  /** The session's command, once the host's agent is settled (installed, or not to be). */
  private command: Promise<string> | undefined;

  constructor(
    private readonly conn: SshConnection,
    private readonly worker: Pick<WorkerSpec, 'agent' | 'workdir'>,
  ) {}

  private sessionCommand(): Promise<string> {
    const { agent, workdir } = this.worker;
    return (this.command ??= (agent === 'auto' ? installAgent(this.conn, workdir) : Promise.resolve(undefined)).then((native) => agentCommand(native, agent !== 'sh')));
  }

  /** Runs a request, written by `line` for the agent the session runs (undefined: it cannot
   * take it); ok once it printed its last line (`status` or `end`), an error if the agent went
   * first or could not take the request. */
  async run(line: (kind: AgentKind) => string | undefined, onLine: (line: string) => void): Promise<Result<void, string>> {
    if (this.closed) return err('closed');
    const m = await this.conn.open();
    if (!m.ok) return m;
    // Both before the check: starting stays one synchronous step.
    const command = await this.sessionCommand();
    const execa = await loadExeca();
    const s = this.session ?? this.start(execa, command);
    const kind = await s.kind;
    const text = kind && line(kind);
    if (text === undefined) return err(kind ? `a request the ${kind} agent cannot take` : 'the agent session ended');
    if (this.session !== s) return err('the agent session ended');
    const id = `j${++this.seq}`;
    return new Promise((resolve) => {
      this.waiting.set(id, { onLine, done: resolve });
      if (this.corked?.child !== s.child) {
        const c = (this.corked = { child: s.child, text: '' });
        setImmediate(() => this.flush(c));
      }
      this.corked.text += `${id} ${text}\n`;
    });
  }

  private flush(c: NonNullable<Agent['corked']>): void {
    if (this.corked === c) this.corked = undefined;
    // An agent that ended meanwhile: its waiters were told (start's handler).
    if (this.session?.child === c.child) c.child.stdin.write(c.text);
  }

  /** Opens the master and starts the session ahead of the first job. */
  warm(): void {
    void (async () => {
      const m = await this.conn.open();
      if (!m.ok) return;
      const command = await this.sessionCommand();
      const execa = await loadExeca();
      if (!this.closed) this.session ??= this.start(execa, command);
    })();
  }

  private start(execa: Awaited<ReturnType<typeof loadExeca>>, command: string): Session {
    const child: Child = execa('ssh', [...this.conn.sessionArgs(), this.conn.destination, command], { stdin: 'pipe', buffer: false, reject: false });
    let said: (k: AgentKind | undefined) => void = () => undefined;
    const s: Session = { child, kind: new Promise((r) => (said = r)) };
    this.session = s;
    let rest = '';
    child.stdout.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop()!;
      for (const l of parts) {
        const sp = l.indexOf(' ');
        const key = l.slice(0, sp);
        const text = l.slice(sp + 1);
        if (key === '-') {
          const k = /^agent (native|perl|sh)$/.exec(text)?.[1] as AgentKind | undefined;
          if (k) said(k);
          continue;
        }
        const w = this.waiting.get(key);
        if (!w) continue;
        // `status` ends a launch, `end` a request without one (a finish).
        const end = text.startsWith('end ');
        const last = end || text.startsWith('status ');
        if (last) this.waiting.delete(key);
        if (!end) w.onLine(text);
        if (last) w.done(ok(undefined));
      }
    });
    child.stderr.resume(); // unread, a full pipe would stop the agent
    child.stdin.on('error', () => undefined); // it ended: handled below
    void child.then((r) => {
      said(undefined);
      if (this.session === s) this.session = undefined;
      for (const w of this.waiting.values()) w.done(err(`the agent session ended (exit ${r.exitCode ?? r.signal})`));
      this.waiting.clear();
    });
    return s;
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.session;
    if (!s) return;
    s.child.stdin.end();
    await s.child;
  }
}
