// The one atomic writer (src/util/atomic.ts): replaces whole, leaves no temp on failure, names
// its failures by the target, and a program using it leaves no temp when killed by SIGTERM.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAtomic, writeFileAtomic } from '../../src/util/atomic.js';
import { tempPath as tempPathFor } from '../../src/util/temp.js';
import { repo } from '../repo.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'dax-atomic-'));

describe('writeFileAtomic', () => {
  it('creates and replaces a file, durable or not, with the mode asked for, and leaves only the file', () => {
    const d = dir();
    const f = join(d, 'out.txt');
    expect(writeFileAtomic(f, 'one\n').ok).toBe(true);
    expect(writeFileAtomic(f, Buffer.from('two\n'), { durable: true, mode: 0o600 }).ok).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('two\n');
    expect(readdirSync(d)).toEqual(['out.txt']);
    const g = join(d, 'private');
    expect(writeFileAtomic(g, 'x', { mode: 0o600 }).ok).toBe(true);
    expect(statSync(g).mode & 0o777).toBe(0o600);
  });

  it('fails with the code and the target path, leaving the target untouched and no temp', () => {
    const d = dir();
    const missing = join(d, 'no-such-dir', 'out.txt');
    const r = writeFileAtomic(missing, 'x');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ path: missing, code: 'ENOENT' });
    expect(r.error.message).toBe(`cannot write ${missing}: ENOENT: no such file or directory`);

    // The rename fails: the target is a non-empty directory.
    const target = join(d, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'k');
    const r2 = writeFileAtomic(target, 'x', { durable: true });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.path).toBe(target);
    expect(readdirSync(d)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('temps are hidden, name pid and host, and stay within 255 bytes for the longest names', () => {
    const d = dir();
    const t = tempPathFor(join(d, 'catalog.db'));
    expect(t.startsWith(join(d, '.dax-tmp.'))).toBe(true);
    expect(t.endsWith(`.${process.pid}.catalog.db`)).toBe(true);
    const long = 'é'.repeat(127); // 254 bytes: the longest name most file systems take
    const f = join(d, long);
    expect(Buffer.byteLength(tempPathFor(f).slice(d.length + 1))).toBeLessThanOrEqual(255);
    expect(writeFileAtomic(f, 'long').ok).toBe(true);
    expect(readdirSync(d)).toEqual([long]);
  });

  it('openAtomic: abort leaves the target as it was; commit replaces it', () => {
    const d = dir();
    const f = join(d, 'stream.txt');
    writeFileSync(f, 'old');
    const a = openAtomic(f);
    if (!a.ok) throw new Error(a.error.message);
    writeFileSync(a.value.fd, 'half');
    a.value.abort();
    expect(readFileSync(f, 'utf8')).toBe('old');
    const b = openAtomic(f, { durable: true });
    if (!b.ok) throw new Error(b.error.message);
    writeFileSync(b.value.fd, 'new');
    expect(b.value.commit().ok).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['stream.txt']);
  });

  it('a program killed by SIGTERM mid-write removes its temp and exits 143', async () => {
    const d = dir();
    const f = join(d, 'out.txt');
    // Built dist/, as the example tools use it: open a temp, write part, then wait to be killed.
    const script = `
      import { openAtomic, cleanUpTempsOnSignals } from 'dax-pipeline';
      import { writeSync } from 'node:fs';
      cleanUpTempsOnSignals();
      const o = openAtomic(${JSON.stringify(f)});
      if (!o.ok) process.exit(9);
      writeSync(o.value.fd, 'partial');
      process.stdout.write(o.value.temp + '\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    const temp = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim())));
    expect(readdirSync(d)).toEqual([temp.slice(d.length + 1)]);
    const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    expect(await code).toBe(143);
    expect(readdirSync(d)).toEqual([]);
  });
});
