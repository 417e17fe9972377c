import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatConfigError } from '../../src/config/load.js';
import { failure, load, loaded, project } from './helpers.js';

const rule = (body: string): string => `version: 1\nrules:\n  gen:\n    output: out/{x}.txt\n${body}`;

describe('YAML and schema errors point at file:line:col', () => {
  test('YAML syntax error', () => {
    const e = failure({ 'Daxfile.yaml': 'version: 1\nrules:\n  gen:\n    output: "unclosed\n' });
    // yaml reports an unclosed quote where the input ends.
    expect(e.at).toBe('Daxfile.yaml:5:1');
    expect(e.message).toMatch(/^YAML syntax error/);
  });

  test('placeholder in a flow list gets a quoting hint', () => {
    const e = failure({ 'Daxfile.yaml': 'version: 1\nrules:\n  gen:\n    output: [out/{x}.txt]\n' });
    expect(e.at).toMatch(/^Daxfile\.yaml:4:/);
    expect(e.hint).toContain('quote');
  });

  test('duplicate keys', () => {
    const e = failure({ 'Daxfile.yaml': 'version: 1\nrules:\n  gen:\n    output: a\n    output: b\n' });
    expect(e.at).toMatch(/^Daxfile\.yaml:5:/);
  });

  test('unknown key in a rule', () => {
    const e = failure({ 'Daxfile.yaml': rule('    timout: 10\n') });
    expect(e.at).toBe('Daxfile.yaml:5:5');
    expect(e.key).toBe('rules.gen.timout');
    expect(e.message).toBe("unknown key 'timout' in rules.gen — did you mean 'timeout'?");
    expect(e.hint).toBe('expected one of: output, input, run, task, resources, retries, timeout, cwd, env, check, workers, outputs, description, supersedes, slurm');
  });

  test('unknown top-level key and unknown wildcard key', () => {
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\ntarget: []\n' })).toMatchObject({
      at: 'Daxfile.yaml:3:1',
      message: "unknown key 'target' at the top level — did you mean 'targets'?",
    });
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  c:\n    patern: x\n' })).toMatchObject({
      at: 'Daxfile.yaml:5:5',
      key: 'wildcards.c.patern',
      message: "unknown key 'patern' in wildcards.c — did you mean 'pattern'?",
      hint: 'expected one of: pattern, values, file, glob, chunks, ids, allow_empty, acquisitions',
    });
  });

  test('bad timeout, with the formatted message', () => {
    const dir = project({ 'Daxfile.yaml': rule('    timeout: ten\n') });
    const r = load(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatConfigError(r.error, dir)).toBe(
      'Daxfile.yaml:5:5: rules.gen.timeout: expected a number of seconds or a duration like 10m, 30s or 2h, got "ten"\n' +
        '  hint: write e.g. timeout: 600, timeout: 10m or timeout: 1h30m',
    );
    // Relative to the cwd it is given.
    expect(formatConfigError(r.error, path.dirname(dir))).toMatch(new RegExp(`^${path.basename(dir)}/Daxfile\\.yaml:5:5: `));
  });

  test('type errors say what was expected', () => {
    expect(failure({ 'Daxfile.yaml': rule('    retries: -1\n') })).toMatchObject({ at: 'Daxfile.yaml:5:5', key: 'rules.gen.retries', message: 'expected an integer >= 0, got -1' });
    expect(failure({ 'Daxfile.yaml': rule('    run: [ls, 3]\n') })).toMatchObject({ at: 'Daxfile.yaml:5:15', key: 'rules.gen.run[1]', message: 'expected a string, got 3' });
    expect(failure({ 'Daxfile.yaml': rule('    run: {a: 1}\n') })).toMatchObject({ key: 'rules.gen.run', message: 'expected a command string or a non-empty list of argv strings, got a mapping' });
    expect(failure({ 'Daxfile.yaml': rule('    resources: { jobs: 0 }\n') })).toMatchObject({ at: 'Daxfile.yaml:5:18', key: 'rules.gen.resources.jobs', message: 'expected an integer >= 1, got 0' });
    expect(failure({ 'Daxfile.yaml': 'version: 1\nlimits: { jobs: 1.5 }\nrules: {}\n' })).toMatchObject({ at: 'Daxfile.yaml:2:11', message: 'expected an integer >= 0 (0 means unlimited), got 1.5' });
    expect(failure({ 'Daxfile.yaml': 'version: 1\nvars: { v: }\nrules: {}\n' })).toMatchObject({ key: 'vars.v', message: 'expected a scalar (string, number, boolean) or a list of scalars, got nothing' });
    // Check names are checked against the registered checks when the pipeline is compiled (test/graph).
    expect(failure({ 'Daxfile.yaml': rule('    check: 3\n') })).toMatchObject({ key: 'rules.gen.check', message: 'expected a string, got 3' });
  });

  test('version and required keys', () => {
    expect(failure({ 'Daxfile.yaml': 'version: 2\nrules: {}\n' })).toMatchObject({ at: 'Daxfile.yaml:1:1', key: 'version', message: 'expected version 1, got 2' });
    expect(failure({ 'Daxfile.yaml': 'version: 1\n' })).toMatchObject({ at: 'Daxfile.yaml:1:1', message: "missing required key 'rules'" });
    expect(failure({ 'Daxfile.yaml': rule('    input: x\n').replace('    output: out/{x}.txt\n', '') })).toMatchObject({
      at: 'Daxfile.yaml:3:3',
      key: 'rules.gen',
      message: "missing required key 'output' in rules.gen",
    });
    expect(failure({ 'Daxfile.yaml': '' })).toMatchObject({ message: 'expected a mapping, got nothing' });
  });

  test('invalid names', () => {
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  input: { values: [a] }\n' })).toMatchObject({
      at: 'Daxfile.yaml:4:3',
      key: 'wildcards.input',
      message: expect.stringContaining("invalid name 'input' in wildcards"),
    });
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nvars:\n  9x: 1\n' })).toMatchObject({ at: 'Daxfile.yaml:4:3', key: 'vars.9x' });
  });

  test('a wildcard with two domains', () => {
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  c:\n    values: [1]\n    file: c.txt\n' })).toMatchObject({
      at: 'Daxfile.yaml:6:5',
      key: 'wildcards.c.file',
      message: expect.stringContaining('more than one domain'),
    });
  });

  test('chunk set domain is validated', () => {
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  c:\n    chunks: { stripes: 0, substripes: 5 }\n' })).toMatchObject({
      key: 'wildcards.c.chunks.stripes',
      message: 'expected a number >= 1, got 0',
    });
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  c:\n    ids: [1, 2.5]\n' })).toMatchObject({ key: 'wildcards.c.ids[1]' });
    expect(failure({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  c:\n    ids: 7\n' })).toMatchObject({
      key: 'wildcards.c.ids',
      message: 'expected a list of chunk ids or a:b ranges, or { file: PATH }, got 7',
    });
    const c = loaded(project({ 'Daxfile.yaml': 'version: 1\nrules: {}\nwildcards:\n  c:\n    ids: { file: ids.txt }\n' }));
    expect(c.wildcards.c!.domain).toMatchObject({ kind: 'plugin', name: 'ids', spec: { file: 'ids.txt' } });
  });
});

describe('includes', () => {
  test('an included file may not have version or targets', () => {
    const e = failure({
      'Daxfile.yaml': 'version: 1\ninclude: [lib.yaml]\nrules: {}\n',
      'lib.yaml': 'rules: {}\ntargets: [a]\n',
    });
    expect(e.at).toBe('lib.yaml:2:1');
    expect(e.key).toBe('targets');
    expect(e.message).toContain("key 'targets' is not allowed in an included file");
    const v = failure({ 'Daxfile.yaml': 'version: 1\ninclude: lib.yaml\nrules: {}\n', 'lib.yaml': 'version: 1\n' });
    expect(v.at).toBe('lib.yaml:1:1');
  });

  test('errors in an included file point into it', () => {
    const e = failure({
      'Daxfile.yaml': 'version: 1\ninclude: [rules/lib.yaml]\nrules: {}\n',
      'rules/lib.yaml': 'rules:\n  r:\n    output: x\n    retries: many\n',
    });
    expect(e).toMatchObject({ at: 'rules/lib.yaml:4:5', key: 'rules.r.retries' });
  });

  test('a missing include', () => {
    const e = failure({ 'Daxfile.yaml': 'version: 1\ninclude:\n  - nope.yaml\nrules: {}\n' });
    expect(e).toMatchObject({ at: 'Daxfile.yaml:3:5', key: 'include[0]', message: expect.stringContaining('no such file') });
  });

  test('an include cycle', () => {
    const e = failure({
      'Daxfile.yaml': 'version: 1\ninclude: [a.yaml]\nrules: {}\n',
      'a.yaml': 'include: [b.yaml]\n',
      'b.yaml': 'rules: {}\ninclude: [a.yaml]\n',
    });
    expect(e).toMatchObject({ at: 'b.yaml:2:11', key: 'include[0]', message: 'include cycle: a.yaml -> b.yaml -> a.yaml' });
    expect(failure({ 'Daxfile.yaml': 'version: 1\ninclude: [Daxfile.yaml]\nrules: {}\n' }).message).toBe('include cycle: Daxfile.yaml -> Daxfile.yaml');
  });

  test('a rule defined twice names both places', () => {
    const e = failure({
      'Daxfile.yaml': 'version: 1\ninclude: [lib.yaml]\nrules:\n  gen:\n    output: b\n',
      'lib.yaml': 'rules:\n  gen:\n    output: a\n',
    });
    expect(e).toMatchObject({ at: 'Daxfile.yaml:4:3', key: 'rules.gen' });
    expect(e.message).toMatch(/^rule 'gen' is defined twice: here and at .*lib\.yaml:2:3$/);
  });
});
