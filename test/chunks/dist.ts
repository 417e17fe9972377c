// Tests that run the real CLI or the example tools need dist/. `npm test` builds first; when a
// test file runs alone (`npx vitest run test/chunks`) this rebuilds if dist/ is older than src/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

function stale(): boolean {
  const out = join(repo, 'dist/cli/main.js');
  if (!existsSync(out) || !existsSync(join(repo, 'dist/chunks/chunker.js'))) return true;
  const built = statSync(join(repo, 'dist/chunks/chunker.js')).mtimeMs;
  return newestMtime(join(repo, 'src/chunks')) > built || statSync(join(repo, 'src/cli/chunks.ts')).mtimeMs > built;
}

/** Makes sure dist/ holds the current chunk code; one builder at a time across test workers. */
export function ensureDist(): void {
  if (!stale()) return;
  mkdirSync(join(repo, 'dist'), { recursive: true });
  const lock = join(repo, 'dist/.chunks-test-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`could not take ${lock}; remove it if no test is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (stale()) {
      try {
        execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
          cwd: repo,
          stdio: 'pipe',
        });
      } catch {
        // Type errors elsewhere in the tree still emit JavaScript; the check below decides.
      }
    }
    if (stale()) throw new Error('dist/ is still older than src/chunks after building; run npm run build');
  } finally {
    rmdirSync(lock);
  }
}
