// The plain logger: one line per job start and end (cron, files, CI). Progress goes to stdout;
// warnings, failures, the footer and a failed run's summary to stderr, so a crontab that mails
// stderr mails exactly the failures. --log-level warn (-q) keeps only those.
import { assertNever } from '../util/result.js';
import { printable } from '../util/printable.js';
import { type DaxEvent, type Logger, formatDuration } from './events.js';
import { describeNotice, describeReport } from './describe.js';
import { RunTally, failedForGood, headerLines, plural, resultWord, summary } from './footer.js';
import { Buffered, type Clock, LEVELS, type LogLevel, type Out, stamp } from './out.js';

export interface PlainOptions {
  level?: LogLevel;
  clock?: Clock;
  /** -p: each job's command as it starts (and in a dry run). */
  printCommands?: boolean;
  /** dax's version, for the run header. */
  version?: string;
  /** A line for each job's start and end (default true; a terminal shows them in its status line). */
  jobLines?: boolean;
}

type JobEnd = Extract<DaxEvent, { type: 'job-end' }>;

export class PlainLogger implements Logger {
  private readonly out: Buffered;
  private readonly level: LogLevel;
  private readonly clock: Clock;
  private readonly tally = new RunTally();
  /** A dry run's jobs per rule, in the order rules first appear. */
  private readonly planned = new Map<string, number>();

  constructor(
    stdout: Out,
    private readonly stderr: Out,
    private readonly o: PlainOptions = {},
  ) {
    this.out = new Buffered(stdout);
    this.level = o.level ?? 'info';
    this.clock = o.clock ?? 'iso';
  }

  private get info(): boolean {
    return LEVELS[this.level] >= LEVELS.info;
  }

  private line(s: string, ts: number): void {
    this.out.write(`${stamp(ts, this.clock)} ${printable(s)}\n`);
  }

  /** To stderr, after what stdout holds (the order on a shared terminal or file stays right). */
  private err(s: string): void {
    this.out.flush();
    this.stderr.write(s);
  }

  private errLine(s: string, ts: number): void {
    this.err(`${stamp(ts, this.clock)} ${printable(s)}\n`);
  }

  private command(cmd: string): void {
    for (const l of cmd.replace(/\n+$/, '').split('\n')) this.out.write(`    $ ${printable(l)}\n`);
  }

  event(e: DaxEvent): void {
    this.tally.event(e);
    switch (e.type) {
      case 'message':
        if (LEVELS[e.level] > LEVELS[this.level]) return;
        if (e.level === 'error' || e.level === 'warn') this.err(`dax: ${e.level === 'warn' ? 'warning: ' : ''}${printable(e.text)}\n`);
        else this.line(e.text, e.ts);
        return;
      case 'notice':
        if (e.level === 'warn') this.err(`dax: warning: ${printable(describeNotice(e.notice))}\n`);
        else if (this.info) this.line(describeNotice(e.notice), e.ts);
        return;
      case 'job-queued':
        if (this.info && this.o.jobLines !== false) this.line(`queued ${e.job}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''} on ${e.worker}${e.handle ? ` (${e.handle})` : ''}`, e.ts);
        return;
      case 'run-start':
        if (this.info) for (const l of headerLines(e, this.o.version)) this.line(l, e.ts);
        return;
      case 'plan':
        this.planned.set(e.rule, (this.planned.get(e.rule) ?? 0) + 1);
        this.out.write(`${printable(`${e.job}: ${e.reason}`)}\n`);
        if (e.command && (this.o.printCommands || LEVELS[this.level] >= LEVELS.debug)) this.command(e.command);
        return;
      case 'job-start':
        if (!this.info || (this.o.jobLines === false && !this.o.printCommands)) return;
        this.line(`start ${e.job}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.worker !== 'local' ? ` on ${e.worker}` : ''}`, e.ts);
        if (e.command !== undefined && this.o.printCommands) this.command(e.command);
        return;
      case 'job-end':
        this.jobEnd(e);
        return;
      case 'job-skipped':
        if (LEVELS[this.level] >= LEVELS.debug) this.line(`skip  ${e.job}: ${e.why}`, e.ts);
        return;
      case 'progress':
        return;
      case 'report': {
        // A report of a run with failures is part of what the user must hear of.
        const bad = this.tally.failed.length > 0 || this.tally.stopped;
        if (!bad && !this.info) return;
        const { title, lines } = describeReport(e.report);
        const text = [title, ...lines.map((l) => `  ${l}`)].map((l) => `${printable(l)}\n`).join('');
        if (bad) this.err(text);
        else this.out.write(text);
        return;
      }
      case 'run-end':
        this.runEnd(e);
        return;
      default:
        assertNever(e);
    }
  }

  private jobEnd(e: JobEnd): void {
    const d = formatDuration(e.durationMs);
    const log = e.logMissing ? '' : ` (log: ${e.log})`;
    if (e.status === 'ok') {
      if (this.info && this.o.jobLines !== false) this.line(`done  ${e.job} ${d}`, e.ts);
    } else if (e.retry) {
      // Not a failure of the run: said as progress.
      if (!this.info) return;
      if (e.status === 'lost') this.line(`requeued ${e.job} after ${d}: ${e.why ?? 'lost'} (does not count against its retries)`, e.ts);
      else this.line(`retrying ${e.job} (attempt ${e.attempt + 1}${e.maxAttempts ? ` of ${e.maxAttempts}` : ''}): ${e.why ?? ''}${log}`, e.ts);
    } else if (failedForGood(e)) {
      this.errLine(`FAILED ${e.job} ${d}: ${e.why ?? ''}${log}`, e.ts);
    } else if (!this.tally.quiet(e)) {
      this.errLine(`INCOMPLETE ${e.job} ${d}: ${e.why ?? ''}${log}`, e.ts);
    }
  }

  private runEnd(e: Extract<DaxEvent, { type: 'run-end' }>): void {
    if (e.result === 'dry-run') {
      this.out.write(`${e.counts.toRun} of ${e.counts.total} jobs would run\n`);
      const width = Math.max(0, ...[...this.planned.keys()].map((r) => r.length));
      for (const [rule, n] of this.planned) this.out.write(`  ${printable(rule.padEnd(width))}  ${plural(n, 'job')}\n`);
      return;
    }
    const footer = this.tally.footer(e);
    if (footer.length) this.err(footer.map((l) => `${l}\n`).join(''));
    if (e.made && this.info) this.line(`made ${e.made.join(', ')}`, e.ts);
    const text = `run ${e.run} ${resultWord(e.result)}: ${summary(e.counts, e.elapsedMs)}`;
    if (e.result === 'ok' || e.result === 'nothing-to-do') this.line(text, e.ts);
    else this.errLine(text, e.ts);
  }

  close(): void {
    this.out.flush();
  }
}
