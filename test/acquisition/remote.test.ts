// host:path sources and a remote receiver, by rsync over the system's OpenSSH to real sshd
// hosts on loopback ports (test/ssh/hosts.ts), host keys checked against their known_hosts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daxEnv, removeProjects } from '../engine/helpers.js';
import { fitsverify, imageExt, kv, primaryImage, writeFits } from '../fits/helpers.js';
import { startHosts, TEST_USER, type Hosts } from '../ssh/hosts.js';
import { acqProject, ID, list, queue, sourcesJson, spec, status, writeJson } from './helpers.js';

let hosts: Hosts;
beforeAll(async () => {
  hosts = await startHosts(['fcs-host', 'olas-host']);
}, 30_000);
afterAll(async () => {
  await hosts?.stop();
  removeProjects();
});

const PRODUCT = `${ID}.PROD.fits`;

describe('remote sources and receivers over ssh', () => {
  test('a host:path source is fetched by rsync; a missing one is an Error alert until it appears and dax resume ID', () => {
    const fcsHome = hosts.hosts.get('fcs-host')!.dir;
    const olasHome = hosts.hosts.get('olas-host')!.dir;
    const dir = acqProject();
    mkdirSync(join(dir, 'data'));
    writeFits(join(dir, 'data/dcs.fits'), primaryImage(16, 16, [kv('DETNAME', 'DCS')], 5), imageExt(8, 8, 'DCS'));
    const remote = join(fcsHome, 'fcs.fits');
    writeFits(join(dir, 'fcs.later'), primaryImage(4, 4, [kv('INSTRUME', 'FCS')]), imageExt(32, 32, 'FCS'));
    const inbox = join(olasHome, 'incoming');
    mkdirSync(inbox);
    spawnSync('chown', [`${TEST_USER}:`, inbox]);
    const s = spec(ID, { receivers: [{ type: 'olasReceiver', host: 'olas-host', path: inbox }] });
    (s['sources'] as Array<Record<string, unknown>>)[1]!['location'] = `fcs-host:${remote}`;
    const env = { DAX_SSH_CONFIG: hosts.config };
    expect(daxEnv(dir, env, 'queue', writeJson(dir, 'spec.json', s)).code).toBe(0);
    const failed = daxEnv(dir, env, 'run');
    expect(failed.code).toBe(1);
    const st = status(dir);
    expect(st.state).toBe('Collecting');
    expect(st.alerts).toEqual([expect.objectContaining({ severity: 'Error', description: expect.stringMatching(/fcs-host:.*fcs\.fits.*rsync/) })]);
    expect(list(join(dir, 'workspace/in-progress', ID, 'sources'))).toEqual(['target_dcs_dcs.fits']);
    const loc = `fcs-host:${remote}`;
    expect(sourcesJson(dir)[loc]).toEqual({ local: 'sources/1_fcs_fcs.fits', state: 'failed', attempts: 1, error: expect.stringMatching(/rsync/) });
    expect(daxEnv(dir, env, 'status', ID).stdout).toMatch(/^ {4}failed {7}fcs-host:\S+ -> sources\/1_fcs_fcs\.fits \(1 attempt\)\n {6}last error: .*rsync/m);
    copyFileSync(join(dir, 'fcs.later'), join(fcsHome, 'fcs.tmp'));
    renameSync(join(fcsHome, 'fcs.tmp'), remote);
    const r = daxEnv(dir, env, 'resume', ID);
    expect(r.stderr).toMatch(/resuming acquisition/);
    expect(r.code).toBe(0);
    const done = status(dir, ID, 'archive');
    expect(done.state).toBe('Completed');
    expect(done.sources.find((x) => x.local.includes('fcs'))!.method).toBe('rsync');
    expect(statSync(join(dir, 'workspace/archive', ID, 'sources/1_fcs_fcs.fits')).size).toBe(statSync(remote).size);
    const fetched = sourcesJson(dir, ID, 'archive')[loc]!;
    expect(fetched).toEqual(expect.objectContaining({ state: 'collected', method: 'rsync', attempts: 2, bytes: statSync(remote).size }));
    expect(fetched.error).toBeUndefined();
    // rsync --times: the origin's mtime, to the second at least.
    expect(Math.abs(fetched.originMtimeMs! - statSync(remote).mtimeMs)).toBeLessThan(1000);
    expect(queue(dir)).toEqual([]);
    // Delivered to the remote receiver whole, under its name only.
    expect(list(inbox)).toEqual([PRODUCT]);
    expect(fitsverify(join(inbox, PRODUCT)).ok).toBe(true);
    expect(done.receivers).toEqual([expect.objectContaining({ state: 'delivered', method: 'rsync' })]);
  });

  test('an unknown host key is refused: Error alert, nothing fetched', () => {
    const dir = acqProject();
    mkdirSync(join(dir, 'data'));
    writeFits(join(dir, 'data/dcs.fits'), primaryImage(16, 16, [], 5));
    writeFits(join(hosts.hosts.get('fcs-host')!.dir, 'x.fits'), primaryImage(4, 4, []));
    // The host's entry, but a known_hosts without its key.
    const cfg = readFileSync(hosts.config, 'utf8').replace(/UserKnownHostsFile \S+/g, `UserKnownHostsFile ${join(dir, 'empty_known_hosts')}`);
    writeFileSync(join(dir, 'empty_known_hosts'), '');
    writeFileSync(join(dir, 'ssh_config'), cfg);
    const s = spec(ID);
    (s['sources'] as Array<Record<string, unknown>>)[1]!['location'] = `fcs-host:${join(hosts.hosts.get('fcs-host')!.dir, 'x.fits')}`;
    const env = { DAX_SSH_CONFIG: join(dir, 'ssh_config') };
    expect(daxEnv(dir, env, 'queue', writeJson(dir, 'spec.json', s)).code).toBe(0);
    expect(daxEnv(dir, env, 'run').code).toBe(1);
    expect(status(dir).alerts).toEqual([expect.objectContaining({ severity: 'Error', description: expect.stringMatching(/Host key verification failed/) })]);
    expect(list(join(dir, 'workspace/in-progress', ID, 'sources'))).toEqual(['target_dcs_dcs.fits']);
  });
});
