// The SSH worker's host scripts, run by this machine's /bin/sh (dash on Debian, as on the hosts):
// a signal that reaches the host before the launch has recorded the job's process group.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { killScript, launchScript, probeScript } from '../../src/exec/ssh/scripts.js';
import { PERL_AGENT, perlLaunchLine } from '../../src/exec/ssh/agent-perl.js';
import { groupGone } from '../engine/helpers.js';

const sh = (script: string): string => spawnSync('sh', ['-c', script], { encoding: 'utf8', timeout: 20_000 }).stdout;
/** The perl agent given `lines`, its input then closed: what it printed. */
const perlAgent = (lines: string[]): string => spawnSync('perl', ['-e', PERL_AGENT], { input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 20_000 }).stdout;

/** An attempt stopped by a kill that came before its launch: recorded killed (143) by a
 * recorder, its group gone, its log only the header, and a probe says so. */
async function expectStoppedEarly(dir: string, log: string): Promise<void> {
  const [pgid, recorder, status] = readFileSync(`${dir}.pid`, 'utf8').split(/[ \n]/);
  expect(Number(recorder)).toBeGreaterThan(0);
  expect(status).toBe('143');
  await groupGone(Number(pgid));
  expect(readFileSync(log, 'utf8')).toBe('=== header\n');
  expect(sh(probeScript(dir))).toBe('status 143\n');
}

describe('the SSH launch on the host', () => {
  it('stops a job whose kill arrived before its launch recorded the process group', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'dax-launch-'));
    try {
      const dir = join(root, 'jobs', 'run', 'slow-0123456789.1');
      mkdirSync(join(root, 'work'));
      // The run's directory does not exist yet either: the kill makes it for its mark.
      expect(sh(killScript(dir, 'SIGTERM'))).toBe('');
      const t0 = Date.now();
      const out = sh(launchScript({
        dir, cwd: join(root, 'work'), argv: ['sh', '-c', 'sleep 30 & sleep 30'], env: {}, log: join(root, 'work', 'log'), appendLog: false,
        mkdirs: [], links: [], outputs: [], hash: false, header: '=== header',
      }));
      expect(out).toBe('status 143\n');
      expect(Date.now() - t0).toBeLessThan(10_000);
      await expectStoppedEarly(dir, join(root, 'work', 'log'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 30_000);

  it('the perl agent: the same, and a retried launch of a finished attempt reports its status without running it again', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'dax-launch-'));
    try {
      const dir = join(root, 'jobs', 'run', 'slow-0123456789.1');
      mkdirSync(join(root, 'work'));
      expect(sh(killScript(dir, 'SIGTERM'))).toBe('');
      const spec = {
        dir, cwd: join(root, 'work'), argv: ['sh', '-c', 'echo ran >> ran; sleep 30 & sleep 30'], env: {}, log: join(root, 'work', 'log'), appendLog: false,
        mkdirs: [], links: [], outputs: [], hash: false, header: '=== header',
      };
      const t0 = Date.now();
      expect(perlAgent([`j1 ${perlLaunchLine(spec)}`])).toBe('- agent perl\nj1 status 143\n');
      expect(Date.now() - t0).toBeLessThan(10_000);
      await expectStoppedEarly(dir, join(root, 'work', 'log'));
      // Launched again (a retry after a dropped connection): the record answers, the log stays.
      expect(perlAgent([`j2 ${perlLaunchLine(spec)}`])).toBe('- agent perl\nj2 status 143\n');
      expect(sh(launchScript(spec))).toBe('status 143\n');
      expect(readFileSync(join(root, 'work', 'log'), 'utf8')).toBe('=== header\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 30_000);
});
