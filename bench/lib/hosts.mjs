// Fake worker hosts for the SSH tests: one real sshd per host on a loopback port, each with its
// own host key, all sharing a user key, a known_hosts file and an ssh_config that names them, all
// under one short temp directory. Logins are as a test user with /bin/sh (root's login shell on
// CI images is slow and racy). Daemons are children of the test process, waited on by their pid
// files, and stopped by pid. Shared by test/ssh and bench/ssh.mjs (hosts.d.mts has the types).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, freePort } from './proc.mjs';

export const TEST_USER = 'daxtest';

/** The test user exists with /bin/sh, unlocked for key logins; /run/sshd exists (idempotent). */
function provision() {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  if (spawnSync('id', [TEST_USER]).status !== 0) {
    const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', TEST_USER], { encoding: 'utf8' });
    if (r.status !== 0 && spawnSync('id', [TEST_USER]).status !== 0) throw new Error(`useradd ${TEST_USER}: ${r.stderr}`);
  }
  // useradd leaves the account locked ('!'); with UsePAM no, sshd refuses keys for it.
  spawnSync('usermod', ['-p', '*', TEST_USER]);
}

function keygen(file, comment) {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  chmodSync(file, 0o600);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

const own = (p) => void spawnSync('chown', ['-R', `${TEST_USER}:${TEST_USER}`, p]);

/** Waits for `ready()`, polling every 20 ms; past the deadline throws with `why()`. */
export async function until(ready, ms, why) {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Processes whose parent chain leads to `root` (root included). */
function descendants(root) {
  const parent = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

/** Processes whose working directory is under `dir`: remote jobs the tests left running. */
function workingUnder(dir) {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${e}/cwd`).startsWith(dir)) out.push(Number(e));
    } catch {
      /* gone or not ours to read */
    }
  }
  return out;
}

async function killAll(pids) {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  try {
    await until(() => pids.every((p) => !alive(p)), 3000, () => 'still alive');
  } catch {
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** A directory of links to every command in /usr/bin and /usr/sbin but perl's: the PATH of a
 * host without perl (perl itself stays installed; only its sessions cannot find it). */
function pathWithoutPerl(dir) {
  mkdirSync(dir);
  for (const d of ['/usr/sbin', '/usr/bin']) {
    for (const e of readdirSync(d)) if (!/^perl/.test(e) && !existsSync(join(dir, e))) symlinkSync(join(d, e), join(dir, e));
  }
  return dir;
}

/** @param {string[]} names @param {{ withoutPerl?: string[] }} [opts] */
export async function startHosts(names, opts = {}) {
  for (const [tool, pkg] of [['ssh', 'openssh-client'], ['rsync', 'rsync']]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} not found: install the Debian package ${pkg} (bash scripts/install-test-deps)`);
  }
  if (!existsSync('/usr/sbin/sshd')) throw new Error('/usr/sbin/sshd not found: install the Debian package openssh-server (bash scripts/install-test-deps)');
  provision();
  // Short: ssh's socket paths (ControlPath) must stay under ~100 bytes.
  const dir = mkdtempSync('/tmp/dax-t-');
  chmodSync(dir, 0o755);
  const userPub = keygen(join(dir, 'id'), 'dax-test-user');
  writeFileSync(join(dir, 'authorized_keys'), userPub + '\n', { mode: 0o644 });
  const hosts = new Map();
  const known = [];
  const config = [];
  for (const name of names) {
    const hdir = join(dir, name);
    mkdirSync(join(hdir, 'sshd'), { recursive: true });
    const hostPub = keygen(join(hdir, 'sshd', 'host_key'), name);
    const port = await freePort();
    known.push(`[127.0.0.1]:${port} ${hostPub.split(' ').slice(0, 2).join(' ')}`);
    config.push(
      `Host ${name}`, '  HostName 127.0.0.1', `  Port ${port}`, `  User ${TEST_USER}`, `  IdentityFile ${dir}/id`, '  IdentitiesOnly yes', '  BatchMode yes', `  UserKnownHostsFile ${dir}/known_hosts`, '',
    );
    writeFileSync(
      join(hdir, 'sshd', 'sshd_config'),
      [
        `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hdir}/sshd/host_key`, `PidFile ${hdir}/sshd/pid`, `AuthorizedKeysFile ${dir}/authorized_keys`,
        'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'MaxSessions 20', 'MaxStartups 100',
        `AllowUsers ${TEST_USER}`, 'LogLevel ERROR',
        ...(opts.withoutPerl?.includes(name) ? [`SetEnv PATH=${pathWithoutPerl(join(hdir, 'bin'))}`] : []), '',
      ].join('\n'),
    );
    mkdirSync(join(hdir, 'home'));
    own(join(hdir, 'home'));
    const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(hdir, 'sshd', 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sshd.stderr.on('data', (d) => (log += d.toString()));
    hosts.set(name, { name, port, dir: join(hdir, 'home'), sshd });
    await until(() => existsSync(join(hdir, 'sshd', 'pid')) || sshd.exitCode !== null, 5000, () => `sshd for ${name} did not start: ${log}`);
    if (sshd.exitCode !== null) throw new Error(`sshd for ${name} exited ${sshd.exitCode}: ${log}`);
  }
  writeFileSync(join(dir, 'known_hosts'), known.join('\n') + '\n');
  writeFileSync(join(dir, 'ssh_config'), config.join('\n'));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    const pids = [...hosts.values()].flatMap((h) => (h.sshd.pid ? descendants(h.sshd.pid) : []));
    await killAll([...pids, ...workingUnder(dir)]);
    if (!process.env['DAX_TEST_KEEP']) rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => {
    for (const p of [...hosts.values()].flatMap((h) => (h.sshd.pid ? descendants(h.sshd.pid) : [])).concat(workingUnder(dir))) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.on('exit', onExit);
  return {
    dir,
    config: join(dir, 'ssh_config'),
    knownHosts: join(dir, 'known_hosts'),
    hosts,
    async kill(name) {
      // A host that is gone takes its jobs with it.
      const h = hosts.get(name);
      await killAll([...(h.sshd.pid ? descendants(h.sshd.pid) : []), ...workingUnder(h.dir)]);
    },
    stop,
  };
}
