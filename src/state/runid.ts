// Run ids: sortable by start time, readable, unique enough with a random suffix.
// Math.random, not node:crypto: the suffix only tells apart runs started in the same second,
// and loading crypto is a measurable part of a no-op run's start-up.

export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const suffix = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
  return `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}-${suffix}`;
}
