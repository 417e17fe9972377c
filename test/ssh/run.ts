// Running dax against the fake hosts: the real CLI, with the hosts' ssh_config, under umask 0
// (jobs on a shared-file-system worker run as the test user and write where dax made dirs).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DAX, env, type Result, type Started } from '../engine/helpers.js';
import type { Hosts } from './hosts.js';

export function startDax(hosts: Hosts, dir: string, ...args: string[]): Started {
  const t0 = performance.now();
  const child = spawn('sh', ['-c', 'umask 0; exec "$0" "$@"', process.execPath, DAX, ...args], {
    cwd: dir, env: env({ DAX_SSH_CONFIG: hosts.config }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const done = new Promise<Result>((res) => {
    child.on('close', (code, signal) => res({ code, signal, stdout: out.stdout, stderr: out.stderr, ms: performance.now() - t0 }));
  });
  return { child, pid: child.pid!, out, done };
}

export function runDax(hosts: Hosts, dir: string, ...args: string[]): Promise<Result> {
  return startDax(hosts, dir, ...args).done;
}

/** A project under the hosts' directory, readable (and, for shared_fs, writable) by the test user. */
export function hostProject(hosts: Hosts, files: Record<string, string>): string {
  const dir = mkdtempSync(join(hosts.dir, 'p-'));
  chmodSync(dir, 0o777);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true, mode: 0o777 });
    writeFileSync(join(dir, rel), text, { mode: 0o666 });
  }
  return dir;
}
