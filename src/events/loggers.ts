// Loggers: how events reach the user. tty = a live status line; plain = one line per job start
// and end (cron, files); json = one JSON event per line.
import type { WriteStream } from 'node:tty';
import { assertNever } from '../util/result.js';
import { type Counts, type DaxEvent, type Logger, formatDuration } from './events.js';
import { describeNotice, describeReport } from './describe.js';
import { printable } from '../util/printable.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Lines are buffered and written in batches: thousands of jobs per second must not each
 * cost a write system call. */
class Buffered {
  private buf: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly out: Out) {}
  write(s: string): void {
    this.buf.push(s);
    if (this.buf.length > 512) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), 50);
      this.timer.unref();
    }
  }
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buf.length === 0) return;
    const s = this.buf.join('');
    this.buf = [];
    this.out.write(s);
  }
}

function summary(c: Counts, elapsedMs: number): string {
  const parts = [`${c.done} done`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.incomplete) parts.push(`${c.incomplete} incomplete`);
  if (c.skipped) parts.push(`${c.skipped} not started`);
  parts.push(`${c.upToDate} up to date`);
  return `${parts.join(', ')} (${c.total} jobs) in ${formatDuration(elapsedMs)}`;
}

function resultWord(r: string): string {
  switch (r) {
    case 'ok':
      return 'succeeded';
    case 'failed':
      return 'FAILED';
    case 'interrupted':
      return 'INTERRUPTED';
    case 'nothing-to-do':
      return 'nothing to do';
    case 'dry-run':
      return 'dry run';
    default:
      return r;
  }
}

export class JsonLogger implements Logger {
  private readonly out: Buffered;
  constructor(stdout: Out) {
    this.out = new Buffered(stdout);
  }
  event(e: DaxEvent): void {
    if (e.type === 'progress') return;
    this.out.write(JSON.stringify(e) + '\n');
  }
  close(): void {
    this.out.flush();
  }
}

export class PlainLogger implements Logger {
  private readonly out: Buffered;
  constructor(
    stdout: Out,
    private readonly stderr: Out,
    private readonly level: LogLevel = 'info',
  ) {
    this.out = new Buffered(stdout);
  }
  private line(s: string, ts: number): void {
    this.out.write(`${new Date(ts).toISOString()} ${printable(s)}\n`);
  }
  event(e: DaxEvent): void {
    switch (e.type) {
      case 'message':
        if (LEVELS[e.level] > LEVELS[this.level]) return;
        if (e.level === 'error' || e.level === 'warn') {
          this.out.flush();
          this.stderr.write(`dax: ${e.level === 'warn' ? 'warning: ' : ''}${printable(e.text)}\n`);
        } else this.line(e.text, e.ts);
        return;
      case 'notice':
        if (e.level === 'warn') {
          this.out.flush();
          this.stderr.write(`dax: warning: ${printable(describeNotice(e.notice))}\n`);
        } else if (LEVELS[this.level] >= LEVELS.info) this.line(describeNotice(e.notice), e.ts);
        return;
      case 'job-queued':
        this.line(`queued ${e.job}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''} on ${e.worker}${e.handle ? ` (${e.handle})` : ''}`, e.ts);
        return;
      case 'run-start':
        this.line(`run ${e.run}: ${e.counts.toRun} of ${e.counts.total} jobs to run (${e.counts.upToDate} up to date)`, e.ts);
        return;
      case 'plan':
        this.out.write(`${printable(`${e.job}: ${e.reason}`)}\n`);
        if (e.command && LEVELS[this.level] >= LEVELS.debug) this.out.write(`    ${printable(e.command)}\n`);
        return;
      case 'job-start':
        this.line(`start ${e.job}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.worker !== 'local' ? ` on ${e.worker}` : ''}`, e.ts);
        return;
      case 'job-end': {
        const d = formatDuration(e.durationMs);
        if (e.status === 'ok') this.line(`done  ${e.job} ${d}`, e.ts);
        else {
          const word = e.status === 'failed' ? 'FAILED' : e.status === 'lost' ? 'LOST' : 'INCOMPLETE';
          this.line(`${word} ${e.job} ${d}: ${e.why ?? ''}${e.retry ? (e.status === 'lost' ? ' (back in the queue)' : ' (will retry)') : ''} (log: ${e.log})`, e.ts);
          for (const l of e.logTail ?? []) this.out.write(`    | ${printable(l)}\n`);
        }
        return;
      }
      case 'job-skipped':
        if (LEVELS[this.level] >= LEVELS.debug) this.line(`skip  ${e.job}: ${e.why}`, e.ts);
        return;
      case 'progress':
        return;
      case 'report': {
        const { title, lines } = describeReport(e.report);
        this.out.write(`${printable(title)}\n`);
        for (const l of lines) this.out.write(`  ${printable(l)}\n`);
        return;
      }
      case 'run-end':
        if (e.result === 'dry-run') this.out.write(`${e.counts.toRun} of ${e.counts.total} jobs would run\n`);
        else this.line(`run ${e.run} ${resultWord(e.result)}: ${summary(e.counts, e.elapsedMs)}`, e.ts);
        return;
      default:
        assertNever(e);
    }
  }
  close(): void {
    this.out.flush();
  }
}

/** A terminal: one live status line, failures printed above it with their log's tail. */
export class TtyLogger implements Logger {
  private status = '';
  private counts: Counts | undefined;
  private started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly plain: PlainLogger;

  constructor(
    private readonly stdout: Out,
    stderr: Out,
    level: LogLevel = 'info',
  ) {
    this.plain = new PlainLogger(stdout, stderr, level);
  }

  private clear(): void {
    if (this.status) this.stdout.write('\r\x1b[K');
    this.status = '';
  }

  private draw(): void {
    if (!this.counts) return;
    const c = this.counts;
    const elapsed = Date.now() - this.started;
    const finished = c.done + c.failed;
    const left = c.toRun - finished - c.skipped;
    const eta = finished > 0 && left > 0 ? ` ETA ${formatDuration(Math.round((elapsed / finished) * left))}` : '';
    let s = `[${finished}/${c.toRun}] running ${c.running}${c.failed ? `, failed ${c.failed}` : ''}, ${formatDuration(elapsed)}${eta}`;
    const width = this.stdout.columns || 100; // a pty may report 0 columns
    if (s.length > width - 1) s = s.slice(0, width - 1);
    this.stdout.write(`\r${s}\x1b[K`);
    this.status = s;
  }

  event(e: DaxEvent): void {
    switch (e.type) {
      case 'run-start':
        this.started = Date.now();
        this.counts = e.counts;
        this.timer = setInterval(() => this.draw(), 200);
        this.timer.unref();
        this.clear();
        this.plain.event(e);
        this.plain.close();
        return;
      case 'progress':
        this.counts = e.counts;
        return;
      case 'job-start':
      case 'job-queued':
      case 'job-skipped':
        return;
      case 'job-end':
        if (e.status === 'ok') return;
        this.clear();
        this.plain.event(e);
        this.plain.close();
        return; // the status line comes back with the next tick, with the counts after this job
      case 'run-end':
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        this.clear();
        this.plain.event(e);
        this.plain.close();
        return;
      case 'message':
      case 'notice':
      case 'plan':
      case 'report':
        this.clear();
        this.plain.event(e);
        this.plain.close();
        return;
      default:
        assertNever(e);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.clear();
    this.plain.close();
  }
}

export function makeLogger(opts: { json: boolean; level: LogLevel; stdout?: Out; stderr?: Out }): Logger {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  if (opts.json) return new JsonLogger(stdout);
  if ((stdout as WriteStream).isTTY && !process.env['CI']) return new TtyLogger(stdout, stderr, opts.level);
  return new PlainLogger(stdout, stderr, opts.level);
}
