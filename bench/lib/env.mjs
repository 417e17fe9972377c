// The environment the benches run their tools in.
//
// NODE_EXTRA_CA_CERTS makes every Node process read and parse that certificate bundle as it
// starts: 70 ms of the 100 ms `node -e 0` takes on the 2-core machine these figures come from,
// whose sandbox sets it for its package proxy. dax makes no TLS connection, and a user's
// machine seldom sets it, so the benches run without it (the bench says so in its output);
// BENCH_KEEP_ENV=1 keeps it, to measure what a machine that sets it sees.
const HEAVY = ['NODE_EXTRA_CA_CERTS'];

/** Removes what would slow every Node start from this process's environment (and so its
 * children's); returns a note saying what it removed, or undefined. */
export function benchEnv() {
  if (process.env.BENCH_KEEP_ENV === '1') {
    const kept = HEAVY.filter((k) => process.env[k] !== undefined);
    return kept.length ? `kept ${kept.join(', ')} (BENCH_KEEP_ENV=1): every Node start pays for it` : undefined;
  }
  const removed = HEAVY.filter((k) => process.env[k] !== undefined);
  for (const k of removed) delete process.env[k];
  return removed.length ? `ran without ${removed.join(', ')}, which this machine sets (BENCH_KEEP_ENV=1 keeps it)` : undefined;
}
