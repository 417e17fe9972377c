// dax's native addon (native/spawn.cc, built by node-gyp in `npm install`), loaded once. It is
// optional: without it (not built, or DAX_NO_NATIVE set) every caller has a plain-Node path.
import { createRequire } from 'node:module';

let loaded: Record<string, unknown> | null | undefined;

/** The addon's exports, or null when it is not built or DAX_NO_NATIVE is set. */
export function addon(): Record<string, unknown> | null {
  if (loaded !== undefined) return loaded;
  if (process.env['DAX_NO_NATIVE']) return (loaded = null);
  try {
    loaded = createRequire(import.meta.url)('../../build/Release/dax_spawn.node') as Record<string, unknown>;
  } catch {
    loaded = null;
  }
  return loaded;
}
