// An empty domain behind a target is a mistake unless the wildcard says allow_empty: true.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, project, read, removeProjects } from '../engine/helpers.js';
import { refused } from './cli.js';

afterAll(() => removeProjects());

const daxfile = (domain: string, extra = ''): string => `version: 1
wildcards:
  n: { ${domain}${extra} }
rules:
  gen:
    output: out/{n}.txt
    run: touch {output}
  all:
    output: all.txt
    input: [{ path: 'out/{m}.txt', each: { m: [domain, n] } }]
    run: echo "inputs:{input}" > {output}
targets: ['out/{n}.txt', all.txt]
`;

describe('empty domains', () => {
  it('values: [] is an error naming the wildcard and the key', () => {
    const e = refused({ 'Daxfile.yaml': daxfile('values: []') }, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:8: wildcards\.n\.values: target 'out\/\{n\}\.txt': wildcard \{n\} has no values: its values list is empty\n {2}hint: .*allow_empty: true under wildcards\.n/);
  });

  it('an empty values file is an error naming the file', () => {
    const e = refused({ 'Daxfile.yaml': daxfile('file: chunks.txt'), 'chunks.txt': '# none yet\n\n' }, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:8: wildcards\.n\.file: target 'out\/\{n\}\.txt': wildcard \{n\} has no values: chunks\.txt holds none\n/);
    expect(refused({ 'Daxfile.yaml': daxfile('ids: { file: chunks.txt }'), 'chunks.txt': '' }, 'run')).toMatch(/wildcard \{n\} has no values: its ids domain is empty/);
  });

  it('a glob that matches nothing is an error naming the glob', () => {
    const e = refused({ 'Daxfile.yaml': daxfile("glob: 'raw/{n}.fits'"), 'raw/readme.txt': '' }, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:8: wildcards\.n\.glob: target 'out\/\{n\}\.txt': wildcard \{n\} has no values: no file matches raw\/\{n\}\.fits\n/);
  });

  it('with allow_empty: true, targets expand to nothing and an aggregate has no inputs', () => {
    const dir = project({ 'Daxfile.yaml': daxfile('values: []', ', allow_empty: true') });
    const n = dax(dir, 'run', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/^all\b/m);
    expect(n.stdout).not.toMatch(/gen\[/);
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir, 'all.txt')).toBe('inputs:\n');
  });
});
