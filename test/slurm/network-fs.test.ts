// The Slurm worker where the project's file system is not one dax knows to pass every write
// through this kernel (on a cluster: NFS, Lustre, GPFS, where the nodes' writes raise no
// inotify event here). There it reads its tasks' records in turn instead of waiting for events,
// and must still see every start and end. Staged with ramfs, which dax does not count as local.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, read, startEnv, waitFor } from '../engine/helpers.js';
import { fileCluster } from './cluster.js';

const theCluster = fileCluster();
let base = '';
let mounted = '';

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'dax-netfs-'));
  const r = spawnSync('mount', ['-t', 'ramfs', 'ramfs', base], { encoding: 'utf8' });
  mounted = r.status === 0 ? base : '';
  if (!mounted) throw new Error(`cannot mount a ramfs on ${base} (needs root): ${r.stderr.trim()}`);
});
afterAll(async () => {
  // A task's slurmstepd may still be tearing down in the project (its cwd) after dax has read
  // the last status: the file system is busy until it leaves, lazily unmounted if it never does.
  if (mounted) {
    const umounted = (): boolean => spawnSync('umount', [mounted]).status === 0;
    await waitFor(umounted, `${mounted} to be unmounted`, 15_000).catch(() => spawnSync('umount', ['-l', mounted]));
  }
  rmSync(base, { recursive: true, force: true });
});

describe('Slurm worker on a file system without inotify for the nodes', () => {
  it('reads the records in turn: every job of the bundles ends with its own status', async () => {
    expect(spawnSync('stat', ['-f', '-c', '%T', base], { encoding: 'utf8' }).stdout.trim()).toBe('ramfs');
    const dir = join(base, 'p');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'Daxfile.yaml'),
      `version: 1
local: false
workers:
  cluster:
    slurm: { partition: ${theCluster().partition} }
    bundle: 4
    slots: 100
    poll: 0.3
    grace: 3
wildcards:
  n: { values: [${Array.from({ length: 12 }, (_, i) => i + 1).join(', ')}] }
rules:
  gen:
    output: out/{n}.txt
    retries: 0
    run: if [ {n} = 5 ]; then echo boom >&2; exit 3; fi; echo {n} > {output}
targets: ['out/{n}.txt']
`,
    );
    const r = await startEnv(dir, theCluster().env, 'run', '--json', '--keep-going').done;
    expect(r.code, r.stderr).toBe(1);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends.filter((e) => e.status === 'failed').map((e) => [e.job, e.exit])).toEqual([['gen[n=5]', 3]]);
    expect(ends.filter((e) => e.status === 'ok')).toHaveLength(11);
    for (const n of [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]) expect(read(dir, `out/${n}.txt`)).toBe(`${n}\n`);
  }, 90_000);
});
