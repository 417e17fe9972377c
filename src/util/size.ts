// Sizes: a number of bytes, or with a unit: 500M, 10G, 1.5TiB, 64k (powers of 1024: disks are
// what these measure, and df -h speaks the same way).
import { err, ok, type Result } from './result.js';

const UNIT: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function parseSize(v: number | string): Result<number, string> {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? ok(v) : err(`expected a whole number of bytes >= 0, got ${v}`);
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(v);
  if (!m) return err(`expected a size in bytes or with a unit (500M, 10G, 1.5T), got ${JSON.stringify(v)}`);
  return ok(Math.round(Number(m[1]) * UNIT[m[2]!.toLowerCase()]!));
}

export function formatSize(n: number): string {
  for (const [u, f] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) if (n >= f) return `${(n / f).toFixed(n >= 10 * f ? 0 : 1)}${u}`;
  return `${n}B`;
}
