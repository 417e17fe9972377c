// Timeouts: a number of seconds, or a duration with units s, m, h ("10m", "1h30m", "2.5h").
import { err, ok, type Result } from '../util/result.js';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600 };

export function parseDuration(v: number | string): Result<number, string> {
  if (typeof v === 'number') {
    return Number.isFinite(v) && v > 0 ? ok(v) : err(`expected a positive number of seconds, got ${v}`);
  }
  const s = v.trim();
  if (/^[0-9]+(\.[0-9]+)?$/.test(s)) return parseDuration(Number(s));
  const re = /([0-9]+(?:\.[0-9]+)?)\s*([hms])\s*/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || pos === 0) {
    return err(`expected a number of seconds or a duration like 10m, 30s or 2h, got ${JSON.stringify(v)}`);
  }
  return total > 0 ? ok(total) : err(`expected a duration > 0, got ${JSON.stringify(v)}`);
}
