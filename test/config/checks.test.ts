import { describe, expect, test } from 'vitest';
import { parseSets } from '../../src/config/load.js';
import { failure, loaded, project } from './helpers.js';

const daxfile = (rules: string, head = ''): Record<string, string> => ({ 'Daxfile.yaml': `version: 1\n${head}rules:\n${rules}` });

describe('static checks', () => {
  test('an input wildcard absent from the outputs', () => {
    const e = failure(
      daxfile(`  ingest:
    output: out/ing/{chunk}.done
    input:
      - out/gen/{chunk}_{table}.csv
`),
    );
    expect(e).toMatchObject({
      at: 'Daxfile.yaml:6:9',
      key: 'rules.ingest.input[0]',
      message: "wildcard {table} is not in the rule's outputs (out/ing/{chunk}.done)",
    });
  });

  test('outputs with different wildcard sets', () => {
    const e = failure(daxfile(`  r:\n    output: ['out/a_{x}', 'out/b_{x}_{y}']\n`));
    expect(e).toMatchObject({ at: 'Daxfile.yaml:4:27', key: 'rules.r.output[1]' });
    expect(e.message).toContain('all outputs of a rule carry the same wildcards');
  });

  test('an undefined var', () => {
    const e = failure(daxfile(`  r:\n    output: out/{x}\n    run: echo {vars.objets}\n`, 'vars: { objects: 3 }\n'));
    expect(e).toMatchObject({ at: 'Daxfile.yaml:6:10', key: 'rules.r.run', message: '{vars.objets} is not defined', hint: "did you mean 'objects'?" });
    // A var from the environment is defined.
    const dir = project(daxfile(`  r:\n    output: out/{x}\n    run: echo {vars.n}\n`));
    expect(loaded(dir, { env: { DAX_VAR_n: '1' } }).vars.n!.value).toBe('1');
  });

  test('placeholders in run, env and cwd', () => {
    const r = (extra: string): Record<string, string> => daxfile(`  r:\n    output: ['out/{x}.a', 'out/{x}.b']\n    input: in.txt\n${extra}`);
    expect(failure(r('    run: cat {y}\n'))).toMatchObject({
      at: 'Daxfile.yaml:6:10',
      key: 'rules.r.run',
      message: "placeholder {y} is not a wildcard of the rule's outputs (out/{x}.a, out/{x}.b)",
    });
    expect(failure(r('    run: [cat, "{input[1]}"]\n'))).toMatchObject({
      at: 'Daxfile.yaml:6:16',
      key: 'rules.r.run[1]',
      message: '{input[1]} is out of range: the rule has 1 input ({input[0]}..{input[0]})',
    });
    expect(failure(r('    env: { A: "{output[2]}" }\n'))).toMatchObject({ key: 'rules.r.env.A', message: expect.stringContaining('{output[2]} is out of range') });
    expect(failure(r('    cwd: "work/{z}"\n'))).toMatchObject({ key: 'rules.r.cwd', message: expect.stringContaining('placeholder {z}') });
    expect(failure(r('    run: echo {x y}\n'))).toMatchObject({ key: 'rules.r.run', message: expect.stringContaining('invalid placeholder {x y}') });
    // All the allowed forms, and literal braces.
    const c = loaded(project(r('    run: "cat {input} {input[0]} > {output[1]} {output} {x} {{lit}}"\n    env: { A: "{x}" }\n    cwd: "w/{x}"\n')));
    expect(c.rules[0]!.cwd!.text).toBe('w/{x}');
  });

  test('{input} and {output} are not allowed in paths', () => {
    expect(failure(daxfile(`  r:\n    output: out/{x}\n    input: '{output}.in'\n`))).toMatchObject({
      key: 'rules.r.input',
      message: '{output} cannot be used in an input; it is allowed only in run, env and cwd',
    });
  });

  test('unbalanced braces', () => {
    expect(failure(daxfile(`  r:\n    output: out/{x\n`))).toMatchObject({ at: 'Daxfile.yaml:4:13', key: 'rules.r.output', message: expect.stringContaining("unbalanced '{'") });
    expect(failure(daxfile(`  r:\n    output: out/x}\n`))).toMatchObject({ message: expect.stringContaining("unbalanced '}'") });
    expect(failure(daxfile(`  r:\n    output: out/x\n    run: echo } {{\n`))).toMatchObject({ key: 'rules.r.run', message: expect.stringContaining("unbalanced '}'") });
    const dir = project(daxfile(`  r:\n    output: out/x\n    run: "awk '{{print}}' {output}"\n`));
    expect(loaded(dir).rules[0]!.run).toMatchObject({ kind: 'shell' });
  });

  test('an invalid wildcard pattern, and a value outside it', () => {
    expect(failure(daxfile('  r: { output: "o/{c}" }\n', 'wildcards:\n  c:\n    pattern: "[0-9"\n'))).toMatchObject({
      at: 'Daxfile.yaml:4:14',
      key: 'wildcards.c.pattern',
      message: expect.stringContaining('invalid regular expression "[0-9"'),
    });
    expect(failure(daxfile('  r: { output: "o/{c}" }\n', "wildcards:\n  c:\n    pattern: '[0-9]+'\n    values: [1, x2]\n"))).toMatchObject({
      at: 'Daxfile.yaml:5:17',
      key: 'wildcards.c.values[1]',
      message: 'value "x2" does not match the wildcard\'s pattern [0-9]+',
    });
  });

  test('resources against limits', () => {
    const head = 'limits: { jobs: 4, merge: 2, net: 0 }\n';
    expect(failure(daxfile('  r:\n    output: o\n    resources: { merge: 3 }\n', head))).toMatchObject({
      at: 'Daxfile.yaml:6:25',
      key: 'rules.r.resources.merge',
      message: expect.stringContaining("asks for 3 of 'merge' but the pool's limit is 2"),
    });
    expect(failure(daxfile('  r:\n    output: o\n    resources: { jobs: 5 }\n', head))).toMatchObject({ key: 'rules.r.resources.jobs' });
    expect(failure(daxfile('  r:\n    output: o\n    resources: { merg: 1 }\n', head))).toMatchObject({
      key: 'rules.r.resources.merg',
      message: "resource 'merg' is not a pool in limits (pools: jobs, merge, net)",
      hint: "did you mean 'merge'?",
    });
    // 0 = unlimited; jobs needs no pool entry.
    expect(loaded(project(daxfile('  r:\n    output: o\n    resources: { net: 100 }\n', head))).rules[0]!.resources).toEqual({ jobs: 1, net: 100 });
    expect(loaded(project(daxfile('  r:\n    output: o\n    resources: { jobs: 16 }\n'))).rules[0]!.resources).toEqual({ jobs: 16 });
  });

  test('a rule with no outputs', () => {
    expect(failure(daxfile('  r:\n    output: []\n'))).toMatchObject({ at: 'Daxfile.yaml:4:13', key: 'rules.r.output', message: expect.stringContaining('at least one output') });
  });

  test('targets: any wildcard, but vars must exist', () => {
    expect(loaded(project({ 'Daxfile.yaml': 'version: 1\nrules: {}\ntargets: ["out/{anything}.x"]\n' })).targets).toHaveLength(1);
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\ntargets:\n  - out/{vars.nope}\n' })).toMatchObject({ at: 'Daxfile.yaml:4:5', key: 'targets[0]' });
  });

  test('errors in an included file come first, in file order', () => {
    const e = failure({
      'Daxfile.yaml': 'version: 1\ninclude: [lib.yaml]\nrules:\n  a:\n    output: "{x"\n',
      'lib.yaml': 'rules:\n  b:\n    output: o/{x}\n    run: "{y}"\n  c:\n    output: "}"\n',
    });
    expect(e).toMatchObject({ at: 'lib.yaml:4:10', key: 'rules.b.run' });
  });
});

describe('parseSets', () => {
  test('splits at the first =', () => {
    expect(parseSets(['a=1', 'b=x=y', 'c='])).toEqual({ ok: true, value: { a: '1', b: 'x=y', c: '' } });
  });
  test('no = is an error', () => {
    const r = parseSets(['objects']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ key: '--set', message: 'expected NAME=VALUE, got "objects"' });
  });
  test('a bad name is an error', () => {
    expect(parseSets(['1x=2']).ok).toBe(false);
  });
});
