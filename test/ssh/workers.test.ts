// SSH workers end to end: real sshd hosts on loopback ports, the real CLI, real rsync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { events } from '../engine/helpers.js';
import { startHosts, type Hosts } from './hosts.js';
import { hostProject, runDax } from './run.js';

let hosts: Hosts;
beforeAll(async () => {
  hosts = await startHosts(['h1', 'h2']);
}, 30_000);
afterAll(async () => {
  await hosts?.stop();
});

const wd = (h: string, sub: string): string => join(hosts.hosts.get(h)!.dir, sub);

describe('ssh workers', () => {
  it('runs jobs on a shared-file-system worker, each attempt in a directory of its own', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 2, workdir: ${wd('h1', 'shared')}, shared_fs: true }
wildcards:
  n: { values: [a, b, c] }
rules:
  make:
    output: out/{n}.txt
    run: 'echo "$DAX_WORKER $(id -un) {n}" > {output}'
targets: ['out/{n}.txt']
`,
    });
    const r = await runDax(hosts, dir, 'run', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['a', 'b', 'c']) expect(readFileSync(join(dir, `out/${n}.txt`), 'utf8')).toBe(`h1 daxtest ${n}\n`);
    const starts = events(r.stdout).filter((e) => e.type === 'job-start');
    expect(starts.map((e) => e.worker)).toEqual(['h1', 'h1', 'h1']);
    expect(starts.every((e) => typeof e.handle === 'string' && /^h1:\d+:\//.test(e.handle))).toBe(true);
    const runDirs = readdirSync(join(wd('h1', 'shared'), 'jobs'));
    expect(runDirs).toHaveLength(1);
    expect(readdirSync(join(wd('h1', 'shared'), 'jobs', runDirs[0]!))).toHaveLength(3);
  }, 60_000);

  it('refuses a host whose key is not in known_hosts, naming it and what to do', async () => {
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  stranger: { ssh: 'daxtest@127.0.0.1:${hosts.hosts.get('h2')!.port}', workdir: ${wd('h2', 'x')} }
rules:
  make:
    output: out.txt
    run: 'echo hi > {output}'
targets: [out.txt]
`,
    });
    const r = await runDax(hosts, dir, 'run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/worker stranger is down: the host key of daxtest@127\.0\.0\.1:\d+ is not known .*`ssh -p \d+ daxtest@127\.0\.0\.1`.*known_hosts/);
    expect(r.stderr).toMatch(/no worker is up: 1 ready jobs cannot run/);
  }, 60_000);
});
