// Glob inputs and glob domains, through the real CLI: what a glob matches is part of the plan,
// and a change in it reruns the job.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, project, read, removeProjects, write } from '../engine/helpers.js';
import { refused } from './cli.js';

afterAll(() => removeProjects());

describe('glob inputs', () => {
  const daxfile = `version: 1
rules:
  all:
    output: all.txt
    input: [{ glob: 'raw/*.fits' }]
    run: cat {input} > {output}
targets: [all.txt]
`;

  it('a file that starts matching reruns the job: inputs changed: added ...', () => {
    const dir = project({ 'Daxfile.yaml': daxfile, 'raw/b.fits': 'b\n', 'raw/a.fits': 'a\n', 'raw/notes.txt': 'no\n' });
    const first = dax(dir, 'run');
    expect(first.code, first.stderr).toBe(0);
    const before = dax(dir, 'run', '-n');
    expect(before.code).toBe(0);
    expect(before.stdout).not.toMatch(/\ball\b/);
    write(dir, 'raw/c.fits', 'c\n');
    const n = dax(dir, 'run', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/all.*inputs changed: added raw\/c\.fits/);
    expect(dax(dir, 'run').code).toBe(0);
    // Matches are inputs in sorted order.
    expect(dax(dir, 'run', '-n').stdout).not.toMatch(/\ball\b/);
    write(dir, 'raw/sub/d.fits', 'not matched: * stays in one directory\n');
    expect(dax(dir, 'run', '-n').stdout).not.toMatch(/\ball\b/);
  });

  it('renders placeholders per job, then globs', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  set: { values: [x, y] }
rules:
  sum:
    output: sum/{set}.txt
    input: [{ glob: 'raw/{set}/*.fits' }]
    run: cat {input} > {output}
targets: ['sum/{set}.txt']
`,
      'raw/x/2.fits': 'x2\n',
      'raw/x/1.fits': 'x1\n',
      'raw/y/1.fits': 'y1\n',
    });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(dax(dir, 'run', '-n').stdout).toBe('0 of 2 jobs would run\n');
    expect(read(dir, 'sum/x.txt')).toBe('x1\nx2\n');
    expect(read(dir, 'sum/y.txt')).toBe('y1\n');
  });

  it('a glob may not leave the project', () => {
    const e = refused({ 'Daxfile.yaml': daxfile.replace("raw/*.fits", "../*.fits") }, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:5:21: rules\.all\.input\[0\]: path '\.\.\/\*\.fits' resolves outside the project directory/);
  });
});

describe('glob domains', () => {
  it('take the values of the files that exist, respecting the pattern, sorted', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  sample: { glob: 'data/raw/{sample}.fastq', pattern: 's[0-9]+' }
rules:
  count:
    output: out/{sample}.txt
    input: data/raw/{sample}.fastq
    run: wc -l < {input} > {output}
targets: ['out/{sample}.txt']
`,
      'data/raw/s2.fastq': '1\n',
      'data/raw/s1.fastq': '1\n',
      'data/raw/control.fastq': 'not a sample: the pattern says s[0-9]+\n',
      'data/raw/s3.txt': 'not a .fastq\n',
    });
    const n = dax(dir, 'run', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout.match(/count\[sample=[^\]]+\]/g)).toEqual(['count[sample=s1]', 'count[sample=s2]']);
    write(dir, 'data/raw/s3.fastq', '1\n');
    expect(dax(dir, 'run').code).toBe(0);
    write(dir, 'data/raw/s4.fastq', '1\n');
    // The no-op snapshot watches the directory: the new sample is planned.
    expect(dax(dir, 'run', '-n').stdout.match(/count\[sample=[^\]]+\]/g)).toEqual(['count[sample=s4]']);
  });

  it('are relative to the file that declares them', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
include: lib/rules.yaml
rules:
  count:
    output: out/{sample}.txt
    run: touch {output}
targets: ['out/{sample}.txt']
`,
      'lib/rules.yaml': `wildcards:
  sample: { glob: 'raw/{sample}.fastq' }
`,
      'lib/raw/a.fastq': '',
      'raw/b.fastq': 'not this one: the glob is relative to lib/\n',
    });
    const n = dax(dir, 'run', '-n');
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout.match(/count\[sample=[^\]]+\]/g)).toEqual(['count[sample=a]']);
  });

  it('name only their own wildcard', () => {
    const e = refused({ 'Daxfile.yaml': "version: 1\nwildcards:\n  s: { glob: 'raw/{t}/{s}.fq' }\nrules:\n  a:\n    output: '{s}.x'\n    run: touch {output}\n" }, 'run');
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:14: wildcards\.s\.glob: a glob domain may use only its own wildcard \{s\}, not \{t\}/);
  });
});
