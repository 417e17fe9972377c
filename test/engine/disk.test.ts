// A full disk, on a small tmpfs the test mounts (as root: CI and the README's test command run
// as root; elsewhere the test says how to run it). A job's lost log is said, a disk too full for
// dax's own lock is a clear exit 2, and limits.min_free holds new jobs back until space is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dax, exists, read, start, waitFor, write } from './helpers.js';

let mnt = '';

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the full-disk tests mount a small tmpfs and need root (run them as root, as CI and the README test command do)');
  mnt = mkdtempSync(join(tmpdir(), 'dax-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
});

afterAll(() => {
  if (!mnt) return;
  spawnSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

/** A fresh project directory on the small file system (which is emptied first). */
function project(files: Record<string, string>): string {
  for (const e of ['p']) rmSync(join(mnt, e), { recursive: true, force: true });
  const dir = join(mnt, 'p');
  for (const [rel, text] of Object.entries(files)) write(dir, rel, text);
  return dir;
}

/** Fills the file system but for about `leave` bytes. */
function fill(dir: string, leave: number): string {
  const f = join(dir, 'filler');
  const free = Number(execFileSync('df', ['-B1', '--output=avail', mnt], { encoding: 'utf8' }).trim().split('\n')[1]);
  writeFileSync(f, Buffer.alloc(Math.max(0, free - leave)));
  return f;
}

describe('a full disk', () => {
  it("a job that fails because the disk is full says its log was lost, and the run ends cleanly (exit 1)", () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  big:
    output: big.bin
    run: head -c 8000000 /dev/zero > {output}
targets: [big.bin]
`,
    });
    // Leave room for dax's own state, not for the job.
    fill(dir, 600_000);
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(1);
    // Why, either way: the job's own message (in the page the log's header line took), or that
    // its log was lost.
    expect(r.stderr).toMatch(/FAILED big .*(could not write the job's log \.dax\/logs\/big\/_\.log: no space left on device|exit code 1)/);
    expect(r.stderr).toMatch(/could not write the job's log .*no space left on device|^ +\| .*No space left on device$/m);
    expect(r.stdout + r.stderr).not.toMatch(/internal error|\n\s+at /);
    // The failed job's temporary output is gone again, and no lock is left behind.
    expect(exists(dir, 'big.bin')).toBe(false);
    expect(exists(dir, '.dax/lock')).toBe(false);
  });

  it('a disk too full for dax to take its lock is a clear exit 2, nothing run', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  a:
    output: a.txt
    run: echo a > {output}
targets: [a.txt]
`,
    });
    fill(dir, 0);
    const r = dax(dir, 'run');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot write dax's state .*\.dax\/lock.*ENOSPC.*nothing was run/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(exists(dir, 'a.txt')).toBe(false);
  });

  it('limits.min_free: no new job starts while less is free; the run goes on by itself when space is back', async () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
limits: { min_free: 1M }
wildcards:
  n: { values: ['1', '2', '3'] }
rules:
  gen:
    output: out/{n}.txt
    run: echo {n} > {output}
targets: ['out/{n}.txt']
`,
    });
    const filler = fill(dir, 300_000);
    const run = start(dir, 'run');
    await waitFor(() => /below limits\.min_free \(1\.0M\): starting no new job until space is back/.test(run.out.stderr), 'the low-space warning', 15_000);
    expect(exists(dir, 'out/1.txt')).toBe(false);
    rmSync(filler);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/free space is back above limits\.min_free/);
    for (const n of ['1', '2', '3']) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
  });

  it('limits.min_free that is not a size is a config error naming the key', () => {
    const dir = project({ 'Daxfile.yaml': `version: 1\nlimits: { min_free: lots }\nrules:\n  a: { output: a.txt, run: 'true' }\n` });
    const r = dax(dir, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Daxfile\.yaml:2:\d+: limits\.min_free: expected a size/);
  });
});
