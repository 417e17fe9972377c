// dax's native parts, built by node-gyp in `npm install`: the addon (native/spawn.cc), loaded
// once, and the SSH workers' agent program (native/agent.c). Both are optional: without them
// (not built, or DAX_NO_NATIVE set) every caller has a plain-Node or perl path.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let loaded: Record<string, unknown> | null | undefined;

/** The addon's exports, or null when it is not built or DAX_NO_NATIVE is set. */
export function addon(): Record<string, unknown> | null {
  if (loaded !== undefined) return loaded;
  if (process.env['DAX_NO_NATIVE']) return (loaded = null);
  try {
    // process.dlopen, as require does for a .node file, without the CommonJS loader: require's
    // first use in an ES module process costs a no-op run about 2 ms, the dlopen itself 0.2 ms.
    const m = { exports: {} as Record<string, unknown> };
    process.dlopen(m, fileURLToPath(new URL('../../build/Release/dax_spawn.node', import.meta.url)));
    loaded = m.exports;
  } catch {
    loaded = null;
  }
  return loaded;
}

let agentPath: string | null | undefined;

/** The native agent program's path on this machine, or null when it is not built or
 * DAX_NO_NATIVE is set. */
export function nativeAgent(): string | null {
  if (agentPath !== undefined) return agentPath;
  const p = fileURLToPath(new URL('../../build/Release/dax-agent', import.meta.url));
  return (agentPath = !process.env['DAX_NO_NATIVE'] && existsSync(p) ? p : null);
}
