// The chunk code indexes arrays everywhere (typed tables, tuples from the command line): it
// stays clean under noUncheckedIndexedAccess, so an out-of-range read is a decision, not luck.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo } from '../repo.js';

describe('noUncheckedIndexedAccess', () => {
  it('src/chunks/** and src/cli/chunks.ts have no unchecked index', () => {
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', repo, '--noUncheckedIndexedAccess'], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    const ours = r.stdout.split('\n').filter((l) => /^src\/(chunks\/|cli\/chunks\.ts)/.test(l));
    expect(ours).toEqual([]);
  }, 120_000);
});
