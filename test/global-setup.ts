// Tests run the real CLI (bin/dax.js runs dist/). `npm test` builds first; when vitest is run
// alone, this builds dist/ once, before any test file starts, if src/ is newer.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './repo.js';

function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const dist = join(repo, 'dist');
  const sources = Math.max(newest(join(repo, 'src'), '.ts'), newest(join(repo, 'schemas'), '.json'));
  if (existsSync(join(dist, 'cli/main.js')) && sources <= Math.min(newest(dist, '.js'), newest(dist, '.cjs'))) return;
  // What `npm run build` does: compile, then the schema validators.
  execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'inherit' });
  execFileSync(process.execPath, [join(repo, 'scripts/gen-validators.mjs')], { cwd: repo, stdio: 'inherit' });
}
