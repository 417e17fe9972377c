import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { failure, load, loaded, project } from './helpers.js';

const minimal = `version: 1
rules:
  gen:
    output: out/{x}.txt
`;

describe('loadConfig', () => {
  test('defaults of a minimal rule', () => {
    const dir = project({ 'Daxfile.yaml': minimal });
    const c = loaded(dir);
    expect(c.projectDir).toBe(dir);
    expect(c.daxfile).toBe(path.join(dir, 'Daxfile.yaml'));
    expect(c.files).toEqual([c.daxfile]);
    expect(c.targets).toEqual([]);
    expect(c.limits).toEqual({});
    const r = c.rules[0]!;
    expect(r).toMatchObject({ name: 'gen', dir, inputs: [], resources: { jobs: 1 }, retries: 0, env: {}, extra: {} });
    expect(r.run).toBeUndefined();
    expect(r.timeout).toBeUndefined();
    expect(r.cwd).toBeUndefined();
    expect(r.outputs).toEqual([{ text: 'out/{x}.txt', loc: { file: c.daxfile, line: 4, col: 13 } }]);
    expect(r.loc).toEqual({ file: c.daxfile, line: 3, col: 3 });
  });

  test('the contract example loads into the model', () => {
    const dir = project({
      'Daxfile.yaml': `# yaml-language-server: $schema=./schemas/daxfile.schema.json
version: 1
vars:
  objects: 1000
  tables: [a, b]
limits:
  jobs: 8
  merge: 2
wildcards:
  table:
    values: [Object, Forced_Source]
  chunk:
    pattern: '[0-9]+'
    file: chunks.txt
  sky:
    chunks: { stripes: 50, substripes: 5, region: { ra: [0, 10], dec: [-5, 5] } }
rules:
  gen:
    output: out/gen/{chunk}_{table}.csv
    input: [spec.yaml]
    run: gen --chunk {chunk} --table {table} -n {vars.objects} > {output}
    resources: { merge: 1 }
    retries: 2
    timeout: 10m
    cwd: .
    env: { KEY: value, N: 3, CHUNK: '{chunk}' }
    check: csv
    description: generate
  argv:
    output: ['a/{sky}.x', 'b/{sky}.y']
    run: [tool, '{output[1]}', '{{literal}}']
    timeout: 90
targets:
  - out/ing/{chunk}.done
`,
    });
    const c = loaded(dir);
    const f = c.daxfile;
    expect(c.vars.objects).toEqual({ value: 1000, baseDir: dir, loc: { file: f, line: 4, col: 3 } });
    expect(c.vars.tables!.value).toEqual(['a', 'b']);
    expect(c.limits).toEqual({ jobs: 8, merge: 2 });
    expect(c.limitLocs.merge).toEqual({ file: f, line: 8, col: 3 });
    expect(c.wildcards.table!.domain).toEqual({ kind: 'values', values: ['Object', 'Forced_Source'], loc: { file: f, line: 11, col: 5 } });
    expect(c.wildcards.chunk!.pattern).toBe('[0-9]+');
    expect(c.wildcards.chunk!.domain).toMatchObject({ kind: 'file', path: path.join(dir, 'chunks.txt') });
    expect(c.wildcards.sky!.domain).toMatchObject({ kind: 'plugin', name: 'chunks', baseDir: dir, spec: { stripes: 50, substripes: 5 } });
    const gen = c.rules.find((r) => r.name === 'gen')!;
    expect(gen.inputs).toEqual([{ kind: 'path', template: { text: 'spec.yaml', loc: { file: f, line: 20, col: 13 } }, each: [] }]);
    expect(gen.run).toMatchObject({ kind: 'shell', loc: { line: 21, col: 10 } });
    expect(gen.resources).toEqual({ jobs: 1, merge: 1 });
    expect(gen.retries).toBe(2);
    expect(gen.timeout).toBe(600);
    expect(gen.cwd).toMatchObject({ text: '.' });
    expect(gen.env).toEqual({ KEY: 'value', N: '3', CHUNK: '{chunk}' });
    expect(gen.check).toEqual({ name: 'csv', loc: { file: f, line: 27, col: 12 } });
    expect(gen.description).toBe('generate');
    expect(gen.extra).toEqual({});
    const argv = c.rules.find((r) => r.name === 'argv')!;
    expect(argv.run).toMatchObject({ kind: 'argv', args: ['tool', '{output[1]}', '{{literal}}'] });
    expect(argv.timeout).toBe(90);
    expect(argv.outputs.map((o) => o.loc.line)).toEqual([30, 30]);
    expect(c.targets).toEqual([{ text: 'out/ing/{chunk}.done', loc: { file: f, line: 34, col: 5 } }]);
    expect(c.locate(f, ['rules', 'gen', 'timeout'])).toEqual({ file: f, line: 24, col: 5 });
    expect(c.locate(f, ['rules', 'argv', 'output', 1])).toEqual({ file: f, line: 30, col: 27 });
    // A missing key falls back to the nearest ancestor that exists.
    expect(c.locate(f, ['rules', 'gen', 'nope'])).toEqual({ file: f, line: 18, col: 3 });
  });

  test('-C DIR and -f FILE', () => {
    const dir = project({ 'sub/Daxfile.yaml': minimal, 'other.yaml': minimal });
    expect(loaded(dir, { directory: 'sub' }).projectDir).toBe(path.join(dir, 'sub'));
    expect(loaded(dir, { file: 'other.yaml' }).daxfile).toBe(path.join(dir, 'other.yaml'));
    const e = load(dir);
    expect(e.ok).toBe(false);
    if (!e.ok) {
      expect(e.error.loc).toBeUndefined();
      expect(e.error.message).toContain('Daxfile.yaml');
      expect(e.error.hint).toContain('-C');
    }
  });

  test('includes merge in order; the including file wins for vars, limits and wildcards', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
include: [rules/a.yaml, rules/b.yaml]
vars: { v: root }
limits: { merge: 1 }
wildcards:
  w: { values: [root] }
rules:
  own:
    output: own/{w}
`,
      'rules/a.yaml': `include: [common.yaml]
vars: { v: a, onlyA: a }
limits: { merge: 5, net: 3 }
wildcards:
  w: { values: [a] }
rules:
  ra:
    output: ra/{w}
`,
      'rules/b.yaml': `include: common.yaml
vars: { onlyA: b }
rules:
  rb:
    output: rb/{w}
`,
      'rules/common.yaml': `vars: { c: 1 }
rules:
  common:
    output: common/x
`,
    });
    const c = loaded(dir);
    // Depth first, each file after its includes; common.yaml is read once (a diamond).
    expect(c.files.map((f) => path.relative(dir, f))).toEqual(['rules/common.yaml', 'rules/a.yaml', 'rules/b.yaml', 'Daxfile.yaml']);
    expect(c.rules.map((r) => r.name)).toEqual(['common', 'ra', 'rb', 'own']);
    expect(c.rules.find((r) => r.name === 'ra')!.dir).toBe(path.join(dir, 'rules'));
    expect(c.vars.v!.value).toBe('root');
    expect(c.vars.onlyA).toMatchObject({ value: 'b', baseDir: path.join(dir, 'rules') });
    expect(c.vars.c!.value).toBe(1);
    expect(c.limits).toEqual({ merge: 1, net: 3 });
    expect(c.wildcards.w!.domain).toMatchObject({ kind: 'values', values: ['root'] });
  });

  test('an empty included file is fine', () => {
    const dir = project({ 'Daxfile.yaml': 'version: 1\ninclude: [empty.yaml]\nrules: {}\n', 'empty.yaml': '# nothing yet\n' });
    expect(loaded(dir).files).toHaveLength(2);
  });

  test('vars precedence: --set > Daxfile > DAX_VAR_NAME', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
vars: { a: file, b: file }
rules:
  r:
    output: 'x/{vars.a}{vars.b}{vars.c}'
`,
    });
    const c = loaded(dir, { sets: { a: 'set' }, env: { DAX_VAR_a: 'env', DAX_VAR_b: 'env', DAX_VAR_c: 'env', OTHER: 'x' } });
    expect(c.vars.a).toEqual({ value: 'set', baseDir: dir });
    expect(c.vars.b!.value).toBe('file');
    expect(c.vars.c).toEqual({ value: 'env', baseDir: dir });
    expect(Object.keys(c.vars).sort()).toEqual(['a', 'b', 'c', 'min_free', 'workspace']);
    // --set may override a var the environment defines.
    expect(loaded(dir, { sets: { c: 'set' }, env: { DAX_VAR_c: 'env' } }).vars.c!.value).toBe('set');
  });

  test('--set of an unknown var is an error', () => {
    const e = failure({ 'Daxfile.yaml': 'version: 1\nvars: { objects: 1 }\nrules: {}\n' }, { sets: { objcts: '5' } });
    expect(e.key).toBe('--set');
    expect(e.message).toContain("unknown variable 'objcts'");
    expect(e.hint).toBe("did you mean 'objects'?");
  });
});
