// The README's Install section, done as written: `npm pack`, then `npm install -g` of the tarball
// into a prefix of its own, and the installed `dax` run by its absolute path from a directory that
// is not the clone (as cron would).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { env, repo } from '../engine/helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'dax-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env: env(), encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

it('installs from a tarball into a prefix and runs a Daxfile from another directory', () => {
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
  expect(pkg.name).toBe('dax-pipeline');
  // dist/ is already built by the test setup: --ignore-scripts skips the second build `prepare` would do.
  const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], repo);
  expect(pack.code, pack.out).toBe(0);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBe(`dax-pipeline-${pkg.version}.tgz`);

  const prefix = path.join(tmp, 'prefix');
  const args = ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', path.join(tmp, tarball!)];
  // The dependencies come from npm's cache; only a cache without them fetches from the registry.
  let install = sh('npm', [...args, '--offline'], tmp);
  if (install.code !== 0 && /ENOTCACHED/.test(install.out)) install = sh('npm', [...args, '--prefer-offline'], tmp);
  expect(install.code, install.out).toBe(0);

  const dax = path.join(prefix, 'bin', 'dax');
  expect(existsSync(dax)).toBe(true);
  const project = mkdtempSync(path.join(tmp, 'project-'));
  const version = sh(dax, ['--version'], project);
  expect(version).toEqual({ code: 0, out: `${pkg.version}\n` });

  writeFileSync(
    path.join(project, 'Daxfile.yaml'),
    'version: 1\nwildcards:\n  n: { values: [1, 2] }\nrules:\n  gen:\n    output: out/{n}.txt\n    run: echo {n} > {output}\n  sum:\n    input: [out/1.txt, out/2.txt]\n    output: sum.txt\n    run: cat {input} > {output}\ntargets: [sum.txt]\n',
  );
  const run = sh(dax, ['run', '--log-level', 'warn'], project);
  expect(run.code, run.out).toBe(0);
  expect(readFileSync(path.join(project, 'sum.txt'), 'utf8')).toBe('1\n2\n');
  // The installed copy is what ran, not the clone: its files are under the prefix.
  expect(existsSync(path.join(prefix, 'lib', 'node_modules', 'dax-pipeline', 'dist', 'cli', 'main.js'))).toBe(true);
}, 300_000);
