// Loggers: how events reach the user. tty = a live status line (tty.ts); plain = one line per
// job start and end (cron, files: plain.ts); json = one JSON event per line.
import type { WriteStream } from 'node:tty';
import type { DaxEvent, Logger } from './events.js';
import { Buffered, type LogLevel, type Out } from './out.js';
import { PlainLogger } from './plain.js';
import { TtyLogger } from './tty.js';

export type { LogLevel } from './out.js';
export { PlainLogger } from './plain.js';
export { TtyLogger } from './tty.js';

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

export interface LoggerOptions {
  json: boolean;
  level: LogLevel;
  /** -p: print each job's command as it starts. */
  printCommands?: boolean;
  /** dax's version, for the run header. */
  version?: string;
  stdout?: Out;
  stderr?: Out;
}

export function makeLogger(opts: LoggerOptions): Logger {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  if (opts.json) return new JsonLogger(stdout);
  const o = { level: opts.level, ...(opts.printCommands ? { printCommands: true } : {}), ...(opts.version ? { version: opts.version } : {}) };
  if ((stdout as WriteStream).isTTY && !process.env['CI']) return new TtyLogger(stdout, stderr, o);
  return new PlainLogger(stdout, stderr, o);
}
