// Symlinks that take a path outside the project are refused at planning (exit 2, nothing run,
// nothing written there), unless the Daxfile lists the place under allow_outside.
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dax, exists, project, removeProjects } from '../engine/helpers.js';
import { refused } from './cli.js';

const elsewhere: string[] = [];
afterAll(() => {
  removeProjects();
  for (const d of elsewhere) rmSync(d, { recursive: true, force: true });
});

function outsideDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'dax-elsewhere-')));
  elsewhere.push(d);
  return d;
}

const daxfile = (extra = ''): string => `version: 1
${extra}rules:
  gen:
    output: out/a.txt
    input: data/in.txt
    run: cp {input} {output}
targets: [out/a.txt]
`;

describe('symlinks out of the project', () => {
  it('an output directory linked elsewhere is refused, naming the link and where it points', () => {
    const away = outsideDir();
    const dir = project({ 'Daxfile.yaml': daxfile(), 'data/in.txt': 'x\n' });
    symlinkSync(away, join(dir, 'out'));
    for (const args of [['run'], ['run', '-n']]) {
      const e = refused(dir, ...args);
      expect(e).toContain(`dax: Daxfile.yaml:3:3: rules.gen.output: output out/a.txt of job gen is outside the project: out is a symbolic link to ${away}, outside the project directory ${realpathSync(dir)}\n`);
      expect(e).toMatch(/hint: .*allow_outside/);
    }
    expect(readdirSync(away)).toEqual([]);
    expect(exists(dir, '.dax')).toBe(false);
  });

  it('an input read through a link elsewhere is refused too, also deeper down and relative links', () => {
    const away = outsideDir();
    mkdirSync(join(away, 'deep'));
    writeFileSync(join(away, 'deep', 'in.txt'), 'x\n');
    const dir = project({ 'Daxfile.yaml': daxfile().replace('data/in.txt', 'data/sub/deep/in.txt') });
    mkdirSync(join(dir, 'data'));
    symlinkSync(join('..', '..', '..', away), join(dir, 'data', 'sub'));
    const e = refused(dir, 'run');
    expect(e).toContain(`rules.gen.input: input data/sub/deep/in.txt of job gen is outside the project: data/sub is a symbolic link to ../../..${away} (${away}), outside the project directory`);
  });

  it('a link that stays inside the project is fine', () => {
    const dir = project({ 'Daxfile.yaml': daxfile(), 'data/in.txt': 'x\n' });
    mkdirSync(join(dir, 'build'));
    symlinkSync('build', join(dir, 'out'));
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(exists(dir, 'build/a.txt')).toBe(true);
  });

  it('allow_outside lists places a link may reach: absolute, or relative to the Daxfile', () => {
    const away = outsideDir();
    const dir = project({ 'Daxfile.yaml': daxfile(`allow_outside: [${away}]\n`), 'data/in.txt': 'x\n' });
    symlinkSync(away, join(dir, 'out'));
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(away)).toEqual(['a.txt']);

    const rel = project({ 'Daxfile.yaml': daxfile(`allow_outside: [../${basename(away)}]\n`), 'data/in.txt': 'x\n' });
    const moved = join(realpathSync(join(rel, '..')), basename(away));
    expect(moved).toBe(away); // both temp dirs live side by side in tmpdir()
    symlinkSync(away, join(rel, 'out'));
    rmSync(join(away, 'a.txt'));
    expect(dax(rel, 'run').code).toBe(0);
    expect(readdirSync(away)).toEqual(['a.txt']);
  });

  it('allow_outside belongs to the root Daxfile', () => {
    const e = refused({ 'Daxfile.yaml': daxfile('include: lib.yaml\n'), 'lib.yaml': 'allow_outside: [/data]\n', 'data/in.txt': '' }, 'run');
    expect(e).toMatch(/^dax: lib\.yaml:1:1: allow_outside: key 'allow_outside' is not allowed in an included file/);
  });
});
