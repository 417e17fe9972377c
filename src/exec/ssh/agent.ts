// A worker's agent session: one long ssh session through the master that starts job after job
// (scripts.ts AGENT), so a job costs a line on a pipe instead of an ssh client, an sshd session
// and a login shell. If it ends, the jobs it was following fall back to a session each, which
// re-joins them by their attempt directory; the next job starts a new agent.
import type { ResultPromise } from 'execa';
import { loadExeca } from './execa.js';
import { err, ok, type Result } from '../../util/result.js';
import type { SshConnection } from './connection.js';
import { AGENT } from './scripts.js';

interface Waiter {
  onLine: (line: string) => void;
  done: (r: Result<void, string>) => void;
}

export class Agent {
  private child: ResultPromise<{ stdin: 'pipe'; buffer: false; reject: false }> | undefined;
  private readonly waiting = new Map<string, Waiter>();
  private seq = 0;
  private closed = false;
  /** Lines for the agent not written yet: those of one event-loop turn go in one write (one
   * packet through the master, one wake-up of sshd and the shell). */
  private corked: { child: NonNullable<Agent['child']>; text: string } | undefined;

  constructor(private readonly conn: SshConnection) {}

  /** Runs a launch line; ok once it printed its last line (`status` or `end`), an error if the
   * agent went first. */
  async run(line: string, onLine: (line: string) => void): Promise<Result<void, string>> {
    if (this.closed) return err('closed');
    const m = await this.conn.open();
    if (!m.ok) return m;
    const execa = await loadExeca(); // before the check: starting stays one synchronous step
    const child = this.child ?? this.start(execa);
    const id = `j${++this.seq}`;
    return new Promise((resolve) => {
      this.waiting.set(id, { onLine, done: resolve });
      if (this.corked?.child !== child) {
        const c = (this.corked = { child, text: '' });
        setImmediate(() => this.flush(c));
      }
      this.corked.text += `${id} ${line}\n`;
    });
  }

  private flush(c: NonNullable<Agent['corked']>): void {
    if (this.corked === c) this.corked = undefined;
    // An agent that ended meanwhile: its waiters were told (start's handler).
    if (this.child === c.child) c.child.stdin.write(c.text);
  }

  /** Opens the master and starts the session ahead of the first job. */
  warm(): void {
    void (async () => {
      const m = await this.conn.open();
      const execa = await loadExeca();
      if (m.ok && !this.closed) this.child ??= this.start(execa);
    })();
  }

  private start(execa: Awaited<ReturnType<typeof loadExeca>>): NonNullable<Agent['child']> {
    const child = execa('ssh', [...this.conn.sessionArgs(), this.conn.destination, AGENT], { stdin: 'pipe', buffer: false, reject: false });
    this.child = child;
    let rest = '';
    child.stdout.on('data', (d: Buffer) => {
      const parts = (rest + d.toString()).split('\n');
      rest = parts.pop()!;
      for (const l of parts) {
        const sp = l.indexOf(' ');
        const w = this.waiting.get(l.slice(0, sp));
        if (!w) continue;
        const text = l.slice(sp + 1);
        // `status` ends a launch, `end` a line without one (a finishing script).
        const end = text.startsWith('end ');
        const last = end || text.startsWith('status ');
        if (last) this.waiting.delete(l.slice(0, sp));
        if (!end) w.onLine(text);
        if (last) w.done(ok(undefined));
      }
    });
    child.stderr.resume(); // unread, a full pipe would stop the agent
    child.stdin.on('error', () => undefined); // it ended: handled below
    void child.then((r) => {
      if (this.child === child) this.child = undefined;
      for (const w of this.waiting.values()) w.done(err(`the agent session ended (exit ${r.exitCode ?? r.signal})`));
      this.waiting.clear();
    });
    return child;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.child;
    if (!c) return;
    c.stdin.end();
    await c;
  }
}
