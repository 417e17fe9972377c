import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('generated types match the JSON schemas (run npm run gen:types)', () => {
  let out = '';
  let code = 0;
  try {
    out = execFileSync(process.execPath, ['scripts/gen-types.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  } catch (e) {
    const x = e as { status?: number; stdout?: string };
    code = x.status ?? 1;
    out = x.stdout ?? '';
  }
  expect(out.split('\n').filter((l) => l.includes('differs')), out).toEqual([]);
  expect(code).toBe(0);
});
