// limits.min_free on the workspace's own file system (a small tmpfs, linked into the project):
// collections wait with a Warning alert and go on by themselves once space is back.
import { afterAll, describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dax, removeProjects, start, waitFor } from '../engine/helpers.js';
import { acqProject, ID, sources, spec, writeJson } from './helpers.js';

const mnt = mkdtempSync(join(tmpdir(), 'dax-acq-space-'));
const mounts = [mnt];
afterAll(() => {
  for (const m of mounts) {
    spawnSync('umount', ['-l', m]);
    rmSync(m, { recursive: true, force: true });
  }
  removeProjects();
});

describe('limits.min_free and the workspace', () => {
  test('below min_free a collection waits with a Warning; it completes when space is back', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a small tmpfs and needs root (as CI and the README test command run)');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    const dir = acqProject('workspace: ws\nlimits: { min_free: 16M }\n');
    symlinkSync(mnt, join(dir, 'ws'));
    sources(dir);
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec())).code).toBe(0);
    const status = (): { state: string; alerts: Array<{ id: string; severity: string; description: string }> } =>
      JSON.parse(readFileSync(join(mnt, 'in-progress', ID, 'status.json'), 'utf8'));
    const run = start(dir, 'run');
    await waitFor(() => status().alerts.some((a) => a.id === 'disk'), 'the Warning alert');
    expect(status().alerts).toEqual([expect.objectContaining({ id: 'disk', severity: 'Warning', description: expect.stringMatching(/less than limits\.min_free 16M: waiting/) })]);
    expect(status().state).toBe('Scheduled'); // nothing collected while it waits
    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    const r = await run.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const done = JSON.parse(readFileSync(join(mnt, 'archive', ID, 'status.json'), 'utf8')) as { state: string; alerts: unknown[] };
    expect(done.state).toBe('Completed');
    expect(done.alerts).toEqual([]);
    expect(existsSync(join(mnt, 'result', `${ID}.PROD.fits`))).toBe(true);
  });

  test('dax abort while a step of the acquisition runs (waiting for space): the step stops, the run ends, state Aborted', async () => {
    const small = mkdtempSync(join(tmpdir(), 'dax-acq-space-'));
    mounts.push(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', small]);
    const dir = acqProject('workspace: ws\nlimits: { min_free: 16M }\n');
    symlinkSync(small, join(dir, 'ws'));
    sources(dir);
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec())).code).toBe(0);
    const status = (): { state: string; alerts: Array<{ id: string }> } => JSON.parse(readFileSync(join(small, 'in-progress', ID, 'status.json'), 'utf8'));
    const run = start(dir, 'run');
    await waitFor(() => status().alerts.some((a) => a.id === 'disk'), 'the collection to wait for space');
    const a = dax(dir, 'abort', ID);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^aborted TEST\S+: a step of it that is running stops within a second/);
    const r = await run.done;
    expect(r.code).toBe(1); // the collection that was stopped failed
    expect(r.stderr).toMatch(/FAILED acq_collect/);
    expect(status().state).toBe('Aborted');
    expect(readdirSync(join(small, 'in-progress', ID, 'sources'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(small, 'queue.json'), 'utf8'))).toEqual([]);
    expect(dax(dir, 'run').code).toBe(0); // aborted: nothing of it is planned again
  });
});
