// Phase timings on stderr when DAX_TRACE is set: where does a no-op run spend its time?
const on = !!process.env['DAX_TRACE'];
let last = performance.now();

export function trace(phase: string): void {
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`[trace] ${phase}: ${(now - last).toFixed(1)}ms (at ${now.toFixed(0)}ms)\n`);
  last = now;
}
