// Configuration errors: exit 2, a message naming file:line:col and the key, and nothing written
// (no .dax/, no outputs, no job run).
import { afterAll, describe, expect, it } from 'vitest';
import { dax, removeProjects, files, project } from './helpers.js';

afterAll(() => removeProjects());

/** Runs `dax run ARGS` on a project holding `daxfile` (and `extra` files) and expects exit 2
 * with nothing written; returns stderr. */
function configError(daxfile: string, args: string[] = [], extra: Record<string, string> = {}): string {
  const dir = project({ 'Daxfile.yaml': daxfile, ...extra });
  const before = files(dir);
  const r = dax(dir, 'run', ...args);
  expect(r.code, r.stderr + r.stdout).toBe(2);
  expect(r.stdout).toBe('');
  // Nothing was written: no .dax/, no output, no marker of a job that ran.
  expect(files(dir)).toEqual(before);
  // A dry run and dax status say the same and write nothing either.
  const n = dax(dir, 'run', '-n', ...args);
  expect(n.code).toBe(2);
  expect(n.stderr).toBe(r.stderr);
  expect(files(dir)).toEqual(before);
  return r.stderr;
}

describe('config errors exit 2, say where, and write nothing', () => {
  it('an unknown key', () => {
    const e = configError(`version: 1
rules:
  a:
    output: a.txt
    run: touch {output} ran
    colour: red
targets: [a.txt]
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:6:5: rules\.a\.colour: unknown key 'colour'/);
  });

  it('two rules matching one path, naming both', () => {
    const e = configError(`version: 1
rules:
  first:
    output: out/{x}.txt
    run: touch {output} ran
  second:
    output: out/{y}.txt
    run: touch {output} ran
targets:
  - out/q.txt
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:6:3: rules\.second\.output: two rules make out\/q\.txt/);
    expect(e).toMatch(/'first' \(.*Daxfile\.yaml:3\)/);
    expect(e).toMatch(/'second' \(.*Daxfile\.yaml:6\)/);
  });

  it('an input wildcard absent from the output', () => {
    const e = configError(`version: 1
rules:
  a:
    output: out/{x}.txt
    input: in/{y}.txt
    run: touch {output} ran
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:5:12: rules\.a\.input: wildcard \{y\} is not in the rule's outputs/);
  });

  it('a dependency cycle, printed', () => {
    const e = configError(`version: 1
rules:
  a:
    output: a.txt
    input: b.txt
    run: cp {input} {output}; touch ran
  b:
    output: b.txt
    input: a.txt
    run: cp {input} {output}; touch ran
targets:
  - a.txt
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:3: dependency cycle: a -> b -> a/);
  });

  it('a value failing its wildcard pattern, from a list or from a file', () => {
    const listed = configError(`version: 1
wildcards:
  n:
    pattern: '[0-9]+'
    values: [1, 2, x3]
rules:
  a:
    output: out/{n}.txt
    run: touch {output} ran
targets:
  - out/{n}.txt
`);
    expect(listed).toMatch(/^dax: Daxfile\.yaml:5:20: wildcards\.n\.values\[2\]: value "x3" does not match/);

    const filed = configError(
      `version: 1
wildcards:
  n:
    pattern: '[0-9]+'
    file: ids.txt
rules:
  a:
    output: out/{n}.txt
    run: touch {output} ran
targets:
  - out/{n}.txt
`,
      [],
      { 'ids.txt': '1\n2\nx3\n' },
    );
    expect(filed).toMatch(/^dax: Daxfile\.yaml:5:5: wildcards\.n: .*value 'x3' of wildcard \{n\} does not match its pattern \[0-9\]\+/);
  });

  it('a path escaping the project', () => {
    const out = configError(`version: 1
rules:
  a:
    output: ../x.txt
    run: touch {output} ran
targets:
  - a
`);
    expect(out).toMatch(/^dax: Daxfile\.yaml:4:13: rules\.a\.output\[0\]: path '\.\.\/x\.txt' .*outside the project/);
    const inp = configError(`version: 1
rules:
  a:
    output: a.txt
    input: [ok.txt, sub/../../etc.txt]
    run: touch {output} ran
targets:
  - a
`, [], { 'ok.txt': '' });
    expect(inp).toMatch(/^dax: Daxfile\.yaml:5:21: rules\.a\.input\[1\]: .*outside the project/);
    const abs = configError(`version: 1
rules:
  a:
    output: a.txt
    input: /etc/hostname
    run: touch {output} ran
targets:
  - a
`);
    expect(abs).toMatch(/^dax: Daxfile\.yaml:5:12: rules\.a\.input\[0\]: .*outside the project/);
  });

  it('a target nothing makes', () => {
    const e = configError(`version: 1
rules:
  a:
    output: a.txt
    run: touch {output} ran
targets:
  - b.txt
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:7:5: nothing makes target b\.txt/);
    // Named on the command line instead: the same error, no position in the Daxfile.
    const cli = configError(`version: 1
rules:
  a:
    output: a.txt
    run: touch {output} ran
`, ['nope.txt']);
    expect(cli).toMatch(/nothing makes target nope\.txt/);
  });

  it('a missing input no rule makes, naming the path and the job', () => {
    const e = configError(`version: 1
wildcards:
  n:
    values: [one]
rules:
  a:
    output: out/{n}.txt
    input: in/{n}.csv
    run: touch {output} ran
targets:
  - out/{n}.txt
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:6:3: rules\.a\.input: input in\/one\.csv of job a\[n=one\] does not exist and no rule makes it/);
  });

  it('a resource request larger than its pool', () => {
    const e = configError(`version: 1
limits:
  merge: 2
rules:
  a:
    output: a.txt
    resources:
      merge: 3
    run: touch {output} ran
targets:
  - a.txt
`);
    expect(e).toMatch(/^dax: Daxfile\.yaml:8:14: rules\.a\.resources\.merge: the rule asks for 3 of 'merge' but the pool's limit is 2/);
  });

  it("--jobs smaller than a rule's jobs: request", () => {
    const daxfile = `version: 1
rules:
  a:
    output: a.txt
    resources:
      jobs: 2
    run: touch {output} ran
targets:
  - a.txt
`;
    const e = configError(daxfile, ['--jobs', '1']);
    expect(e).toMatch(/^dax: Daxfile\.yaml:3:3: rules\.a\.resources: rule 'a' needs 2 slots \(resources\.jobs\), and no worker has more than 1 \(--jobs\)/);
    // With room for it, the same Daxfile runs.
    const dir = project({ 'Daxfile.yaml': daxfile });
    expect(dax(dir, 'run', '--jobs', '2').code).toBe(0);
    expect(files(dir)).toContain('ran');
  });

  it('bad usage exits 2 too', () => {
    const daxfile = `version: 1
rules:
  a:
    output: a.txt
    run: touch {output} ran
targets:
  - a.txt
`;
    expect(configError(daxfile, ['--jobs', 'many'])).toMatch(/--jobs expects a whole number/);
    expect(configError(daxfile, ['--set', 'novalue'])).toMatch(/novalue/);
    expect(configError(daxfile, ['--no-such-option'])).toMatch(/unknown option/);
  });
});
