// One worker host through the system OpenSSH: a ControlMaster connection made once, which all
// the worker's sessions share (at most MAX_SESSIONS at a time, below sshd's MaxSessions of 10:
// the 11th would silently open a new TCP connection). Host keys are always checked. A session
// that ends with 255 (ssh's own failure) is retried with backoff, through a new master if the
// old one died.
import { mkdtempSync, rmSync } from 'node:fs';
import type { ResultPromise } from 'execa';
import { loadExeca } from './execa.js';
import pLimit from 'p-limit';
import { err, ok, type Result } from '../../util/result.js';

/** Sessions one master carries at once besides the worker's agent (sshd's default MaxSessions
 * is 10). */
export const MAX_SESSIONS = 8;
/** Attempts of a session that fails with 255 before the connection is taken as lost. */
const TRIES = 4;
const BACKOFF_MS = 250;
/** How long a master outlives a dax that died without closing it. */
const PERSIST_S = 120;

export interface SessionResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `[user@]host[:port]` -> ssh's destination and options; an alias is passed as it is. */
export function destination(ssh: string): { dest: string; args: string[] } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(ssh);
  if (!m) return { dest: ssh, args: [] };
  const host = m[2]!.replace(/^\[(.*)\]$/, '$1');
  return { dest: m[1] ? `${m[1]}@${host}` : host, args: m[3] ? ['-p', m[3]] : [] };
}

/** ssh's own failure (exit 255) in the user's terms, with what to do. */
export function describeSshFailure(host: string, stderr: string): string {
  const s = stderr.trim();
  const d = destination(host);
  const by = ['ssh', ...d.args, d.dest].join(' ');
  if (/Host key verification failed|host key is known for|No \S+ host key is known/i.test(s)) {
    return `the host key of ${host} is not known (ssh checks every host key): connect once by hand (\`${by}\`) and check the fingerprint, or add it to ~/.ssh/known_hosts with ssh-keyscan`;
  }
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(s)) return `the host key of ${host} has changed since it was recorded in known_hosts: find out why before removing the old key (ssh-keygen -R)`;
  if (/Permission denied/i.test(s)) return `ssh to ${host}: permission denied (is your key in the agent and in the host's authorized_keys?)`;
  const last = s.split('\n').filter((l) => l.trim() !== '').pop() ?? 'ssh failed';
  return `ssh to ${host}: ${last}`;
}

export class SshConnection {
  private readonly limit = pLimit(MAX_SESSIONS);
  private readonly base: string[];
  private readonly dest: string;
  private dir: string | undefined;
  private master: Promise<Result<void, string>> | undefined;
  /** The `ssh -fN` making the master, while it does (close() stops it). */
  private starting: ResultPromise | undefined;
  private closed = false;

  constructor(readonly host: string) {
    const d = destination(host);
    this.dest = d.dest;
    // DAX_SSH_CONFIG: an ssh_config to use instead of ~/.ssh/config (tests, unusual setups).
    const cfg = process.env['DAX_SSH_CONFIG'];
    this.base = [...(cfg ? ['-F', cfg] : []), ...d.args, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
  }

  /** The ControlPath: %C in a short directory of our own (a socket path has ~100 bytes). */
  private get controlPath(): string {
    this.dir ??= mkdtempSync('/tmp/dax-');
    return `${this.dir}/%C`;
  }

  /** The options a session (ssh or rsync's ssh) uses to go through the master. */
  sessionArgs(): string[] {
    return [...this.base, '-o', 'ControlMaster=no', '-o', `ControlPath=${this.controlPath}`];
  }

  /** Makes the master connection once (again after it died). */
  open(): Promise<Result<void, string>> {
    this.master ??= this.startMaster();
    return this.master;
  }

  private async startMaster(): Promise<Result<void, string>> {
    if (this.closed) return err(`the connection to ${this.host} is closed`);
    const p = (await loadExeca())('ssh', [
      ...this.base, '-o', 'ControlMaster=yes', '-o', `ControlPath=${this.controlPath}`, '-o', `ControlPersist=${PERSIST_S}`,
      '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '-fN', this.dest,
    ], { reject: false, stdin: 'ignore', stdout: 'ignore' });
    this.starting = p;
    const r = await p;
    this.starting = undefined;
    if (r.exitCode === 0 && !this.closed) return ok(undefined);
    if (this.closed) return err(`the connection to ${this.host} is closed`);
    this.master = undefined; // the next try makes a new one
    return err(describeSshFailure(this.host, String(r.stderr)));
  }

  /** Whether the master still answers. */
  private async masterAlive(): Promise<boolean> {
    const r = await (await loadExeca())('ssh', [...this.base, '-o', `ControlPath=${this.controlPath}`, '-O', 'check', this.dest], { reject: false, stdin: 'ignore' });
    return r.exitCode === 0;
  }

  /** Runs `script` on the host (its login shell, POSIX sh) through the master; `onLine` sees
   * stdout line by line as it comes. Exit 255 is retried (the script must be safe to run again)
   * until the connection cannot be made: then the result is an error saying why. `input`
   * goes to the script's stdin (none by default). */
  async run(script: string, onLine?: (line: string) => void, input?: Uint8Array): Promise<Result<SessionResult, string>> {
    let why = '';
    for (let i = 0; i < TRIES; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, BACKOFF_MS * 2 ** (i - 1)));
      if (this.closed) return err(`the connection to ${this.host} is closed`);
      const m = await this.open();
      if (!m.ok) {
        why = m.error;
        if (/host key/.test(why)) return err(why); // waiting does not make a key known
        continue;
      }
      const r = await this.limit(() => this.session(script, onLine, input));
      if (r.code !== 255) return ok(r);
      why = describeSshFailure(this.host, r.stderr);
      // A master whose connection died goes on answering for a while: make a new one.
      if (!(await this.masterAlive())) {
        this.master = undefined;
        await this.exitMaster();
      }
    }
    return err(why);
  }

  private async session(script: string, onLine?: (line: string) => void, input?: Uint8Array): Promise<SessionResult> {
    // The script is the remote command itself: the login shell runs it, no `sh -s` to start.
    const p: ResultPromise<{ reject: false; buffer: { stdout: boolean } }> = (await loadExeca())('ssh', [...this.sessionArgs(), this.dest, script], {
      reject: false,
      ...(input ? { input } : { stdin: 'ignore' as const }),
      buffer: { stdout: !onLine },
    });
    if (onLine) {
      let rest = '';
      p.stdout.on('data', (d: Buffer) => {
        const parts = (rest + d.toString()).split('\n');
        rest = parts.pop()!;
        for (const l of parts) onLine(l);
      });
    }
    const r = await p;
    return { code: r.exitCode ?? 255, stdout: typeof r.stdout === 'string' ? r.stdout : '', stderr: String(r.stderr) };
  }

  /** A fresh connection around the master (which can outlive its host's sshd): is the host there? */
  async probe(timeoutS = 5): Promise<Result<void, string>> {
    const r = await (await loadExeca())('ssh', [...this.base, '-o', 'ControlPath=none', '-o', `ConnectTimeout=${timeoutS}`, this.dest, 'true'], { reject: false, stdin: 'ignore' });
    return r.exitCode === 0 ? ok(undefined) : err(describeSshFailure(this.host, String(r.stderr)));
  }

  /** rsync through the master (a session of it), `input` on its stdin; its connection
   * failures (255, 12: the stream broke) retried like a session's. */
  async rsync(args: string[], input: string): Promise<Result<void, string>> {
    let why = '';
    for (let i = 0; i < TRIES; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, BACKOFF_MS * 2 ** (i - 1)));
      const m = await this.open();
      if (!m.ok) return err(m.error);
      const execa = await loadExeca();
      const r = await this.limit(() => execa('rsync', ['-e', this.rsyncShell(), ...args], { reject: false, input }));
      if (r.exitCode === 0) return ok(undefined);
      why = `rsync exit ${r.exitCode}: ${String(r.stderr).trim().split('\n').slice(-2).join('; ')}`;
      if (r.exitCode !== 255 && r.exitCode !== 12) return err(why);
      if (!(await this.masterAlive())) {
        this.master = undefined;
        await this.exitMaster();
      }
    }
    return err(why);
  }

  /** The ssh command rsync runs (-e), through the master. */
  rsyncShell(): string {
    return ['ssh', ...this.sessionArgs()].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  }

  get destination(): string {
    return this.dest;
  }

  private async exitMaster(): Promise<void> {
    if (!this.dir) return;
    await (await loadExeca())('ssh', [...this.base, '-o', `ControlPath=${this.controlPath}`, '-O', 'exit', this.dest], { reject: false, stdin: 'ignore' });
  }

  async close(): Promise<void> {
    this.closed = true;
    // A master still being made (a run that had nothing to do): stopped, not waited for.
    const s = this.starting;
    if (s) {
      s.kill('SIGTERM');
      await s;
    }
    await this.exitMaster();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
