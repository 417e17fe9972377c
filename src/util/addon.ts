// dax's native addon (native/spawn.cc, built by node-gyp in `npm install`), loaded once. It is
// optional: without it (not built, or DAX_NO_NATIVE set) every caller has a plain-Node path.
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
