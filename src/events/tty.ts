// A terminal: one live status line at the bottom (status.ts); lines of the plain logger above
// it (failures, warnings, the footer), with the time of day instead of full ISO stamps.
import { assertNever } from '../util/result.js';
import type { DaxEvent, Logger } from './events.js';
import type { Out } from './out.js';
import { PlainLogger, type PlainOptions } from './plain.js';
import { StatusLine } from './status.js';

const REDRAW_MS = 200;

export class TtyLogger implements Logger {
  private drawn = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly plain: PlainLogger;
  private readonly status = new StatusLine();

  constructor(
    private readonly stdout: Out,
    stderr: Out,
    private readonly o: PlainOptions = {},
  ) {
    this.plain = new PlainLogger(stdout, stderr, { ...o, clock: 'time', jobLines: false });
  }

  private clear(): void {
    if (this.drawn) this.stdout.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(): void {
    if (!this.status.active) return;
    const width = this.stdout.columns || 80; // a pty may report 0 columns
    const s = this.status.render(Date.now(), width);
    this.stdout.write(`\r${s}\x1b[K`);
    this.drawn = true;
  }

  /** A line (or lines) of the plain logger, above the status line. */
  private above(e: DaxEvent): void {
    this.clear();
    this.plain.event(e);
    this.plain.close();
  }

  event(e: DaxEvent): void {
    this.status.event(e);
    switch (e.type) {
      case 'run-start':
        this.above(e);
        this.timer = setInterval(() => this.draw(), REDRAW_MS);
        this.timer.unref();
        this.draw();
        return;
      case 'progress':
      case 'job-queued':
        this.plain.event(e); // nothing to print on a terminal
        return;
      case 'job-skipped':
        // Counted for the footer; printed at the debug level only.
        if (this.o.level === 'debug') this.above(e);
        else this.plain.event(e);
        return;
      case 'job-start':
        // The status line shows it; with -p, its command goes above.
        if (this.o.printCommands) this.above(e);
        return;
      case 'job-end':
        if (e.status === 'ok') this.plain.event(e);
        else this.above(e);
        return;
      case 'run-end':
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        this.above(e);
        return;
      case 'message':
      case 'notice':
      case 'plan':
      case 'report':
        this.above(e);
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
