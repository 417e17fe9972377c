// What the plain and terminal loggers share: where lines go, log levels, time stamps.
export type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** How a line's time is shown: full ISO for files and mail, the time of day on a terminal. */
export type Clock = 'iso' | 'time';

export function stamp(ts: number, clock: Clock): string {
  if (clock === 'iso') return isoStamp(ts);
  const d = new Date(ts);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The second a line was last stamped in, and its ISO text up to the milliseconds: thousands of
 * lines a second share it (a Date and its formatting per line cost more than the rest). */
let isoSecond = NaN;
let isoPrefix = '';

/** `new Date(ts).toISOString()`, for the times of today's runs (years 0 to 9999). */
export function isoStamp(ts: number): string {
  const ms = Math.floor(ts);
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    isoSecond = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const frac = ms - sec * 1000;
  return `${isoPrefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}

/** Lines are buffered and written in batches: thousands of jobs per second must not each
 * cost a write system call. */
export class Buffered {
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
