// Phase timings on stderr when DAX_TRACE is set: where does a run spend its time and memory?
// process.hrtime and memoryUsage need no module load (performance.now loads perf_hooks).
const on = !!process.env['DAX_TRACE'];
const ms = (): number => Number(process.hrtime.bigint()) / 1e6;
const t0 = on ? ms() - process.uptime() * 1000 : 0;
let last = t0;

export function trace(phase: string): void {
  if (!on) return;
  const now = ms();
  const m = process.memoryUsage();
  process.stderr.write(`[trace] ${phase}: ${(now - last).toFixed(1)}ms (at ${(now - t0).toFixed(0)}ms) heap ${(m.heapUsed / 1e6).toFixed(0)} MB, rss ${(m.rss / 1e6).toFixed(0)} MB\n`);
  last = now;
}
