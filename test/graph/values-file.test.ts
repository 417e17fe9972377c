// One reader for the value-list format: `file:` domains and `ids: {file:}` chunk lists accept
// the same lines (values, a:b ranges, blank lines, # comments) and report bad lines the same way.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dax, project, removeProjects } from '../engine/helpers.js';
import { refused } from './cli.js';

afterAll(() => removeProjects());

/** A project whose wildcard n takes its domain from list.txt, through `file:` or `ids: {file:}`. */
function daxfile(kind: 'file' | 'ids'): string {
  const domain = kind === 'file' ? 'file: list.txt' : 'ids: { file: list.txt }';
  return `version: 1
wildcards:
  n: { ${domain} }
rules:
  gen:
    output: out/{n}.txt
    run: touch {output}
targets: ['out/{n}.txt']
`;
}

describe.each(['file', 'ids'] as const)('%s: domains read value lists', (kind) => {
  it('accepts ranges, blank lines and # comments', () => {
    const dir = project({ 'Daxfile.yaml': daxfile(kind), 'list.txt': '# the chunks of tonight\n3\n\n5:6   \n# done\n' });
    const r = dax(dir, 'run', '-n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/gen\[n=\d+\]/g)).toEqual(['gen[n=3]', 'gen[n=5]', 'gen[n=6]']);
  });

  it('reports every bad line as file:LINE with what was expected, exit 2', () => {
    const e = refused({ 'Daxfile.yaml': daxfile(kind), 'list.txt': '1\n9:3\n2\n5:x:y\n' }, 'run', '-n');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:8: wildcards\.n\.(file|ids): .*list\.txt:2: expected .*\(got "9:3"\): range 9:3 runs backwards \(write 3:9\)\n/);
    if (kind === 'ids') expect(e).toMatch(/list\.txt:4: expected a chunk id \(an integer >= 0\) or an inclusive range a:b \(got "5:x:y"\)\n/);
    expect(e).toMatch(/fix or remove these lines: one value or range a:b per line/);
  });

  it('a missing file or a directory is a clean message, exit 2', () => {
    const missing = refused({ 'Daxfile.yaml': daxfile(kind) }, 'run', '-n');
    expect(missing).toMatch(/cannot read list\.txt: no such file\n/);
    expect(missing).not.toMatch(/ENOENT|    at /);
    const dir = project({ 'Daxfile.yaml': daxfile(kind) });
    mkdirSync(join(dir, 'list.txt'));
    const isDir = refused(dir, 'run', '-n');
    expect(isDir).toMatch(/cannot read list\.txt: is a directory, not a file\n/);
    expect(isDir).not.toMatch(/EISDIR/);
  });
});
