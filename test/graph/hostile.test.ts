// Hostile or absurd input is refused with exit 2 and a message naming the limit; nothing is
// written, not even into an existing .dax/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dax, files, project, removeProjects, write } from '../engine/helpers.js';
import { refused } from './cli.js';

afterAll(() => removeProjects());

const daxfile = `version: 1
wildcards:
  n: { file: values.txt }
rules:
  gen:
    output: out/{n}.txt
    run: touch {output}
targets: ['out/{n}.txt']
`;

/** A project that has run once (so .dax/ holds a journal), and the contents of its .dax/. */
function ranOnce(extra: Record<string, string> = {}): { dir: string; state: () => Record<string, string> } {
  const dir = project({ 'Daxfile.yaml': daxfile, 'values.txt': '1\n', ...extra });
  expect(dax(dir, 'run').code).toBe(0);
  // The config cache (of the valid Daxfile, whatever the targets) is written into an existing
  // .dax/ by the next command that loads it: let that happen before the comparison.
  expect(dax(dir, 'runs').code).toBe(0);
  const state = (): Record<string, string> => Object.fromEntries(files(dir, '.dax').map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  return { dir, state };
}

describe('hostile input', () => {
  it('a YAML alias bomb is a config error at file:line:col, exit 2', () => {
    const lines = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const e = refused({ 'Daxfile.yaml': lines.join('\n') + '\n' }, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:8: YAML aliases expand to more than 1000 nodes: refused, as a "billion laughs" document would exhaust memory\n {2}hint: /);
  });

  it('a 5,000-character target is refused naming the limit; .dax/ is untouched', () => {
    const { dir, state } = ranOnce();
    const before = state();
    expect(Object.keys(before).length).toBeGreaterThan(0);
    for (const args of [['run'], ['run', '-n']]) {
      const e = refused(dir, ...args, `out/${'x'.repeat(5000)}.txt`);
      expect(e).toMatch(/^dax: target 'out\/x+…\(5008 characters\)' is 5008 bytes long; the limit is 4096 bytes per path\n/);
      expect(state()).toEqual(before);
    }
    const part = refused(dir, 'run', `out/${'y'.repeat(300)}.txt`);
    expect(part).toMatch(/has a 304-byte path component; the limit is 255 bytes per path component/);
    expect(state()).toEqual(before);
  });

  it('a wildcard value longer than a path component may be is refused at its domain', () => {
    const { dir, state } = ranOnce();
    const before = state();
    write(dir, 'values.txt', `1\n${'z'.repeat(300)}\n`);
    const e = refused(dir, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:8: wildcards\.n: target 'out\/\{n\}\.txt': value 'z+…\(300 characters\)' of wildcard \{n\} has a 300-byte path component; the limit is 255 bytes per path component\n/);
    expect(state()).toEqual(before);
  });
});
