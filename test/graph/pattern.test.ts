// Path patterns: matching paths to wildcard values and back, normalization, escaping the project.
import { describe, expect, test } from 'vitest';
import { isSafeValue, PathPattern, type Part } from '../../src/graph/pattern.js';

const any = (): string => '[^/]+';
function pattern(parts: Part[], base = '', constraints: (n: string) => string = any): PathPattern {
  const p = PathPattern.create(parts, base, constraints);
  if (!(p instanceof PathPattern)) throw new Error(p.message);
  return p;
}

describe('PathPattern', () => {
  test('matches and renders named wildcards', () => {
    const p = pattern(['out/gen/', { wildcard: 'chunk' }, '_', { wildcard: 'table' }, '.csv'], '', (n) => (n === 'chunk' ? '[0-9]+' : '[^/]+'));
    expect(p.wildcards).toEqual(['chunk', 'table']);
    // A table name with underscores: the chunk constraint decides where the split is.
    expect(p.match('out/gen/12_Forced_Source.csv')).toEqual({ chunk: '12', table: 'Forced_Source' });
    expect(p.match('out/gen/x_Object.csv')).toBeUndefined();
    expect(p.match('out/gen/12_Object.csvx')).toBeUndefined();
    expect(p.render({ chunk: '7', table: 'Object' })).toBe('out/gen/7_Object.csv');
  });

  test('regex characters in the static text are literal', () => {
    const p = pattern(['out/a+b.(', { wildcard: 'x' }, ')[1].txt']);
    expect(p.match('out/a+b.(v)[1].txt')).toEqual({ x: 'v' });
    expect(p.match('out/aab.(v)[1].txt')).toBeUndefined();
  });

  test('a wildcard used twice must have the same value', () => {
    const p = pattern(['d/', { wildcard: 'c' }, '/', { wildcard: 'c' }, '.txt']);
    expect(p.match('d/5/5.txt')).toEqual({ c: '5' });
    expect(p.match('d/5/6.txt')).toBeUndefined();
  });

  test('the default constraint is one path segment', () => {
    const p = pattern(['out/', { wildcard: 'x' }, '.txt']);
    expect(p.match('out/a/b.txt')).toBeUndefined();
  });

  test('paths are normalized relative to their base, and may not escape the project', () => {
    expect(pattern(['../out/', { wildcard: 'x' }], 'rules').text).toBe('out/{x}');
    expect(pattern(['./a//b/', { wildcard: 'x' }]).render({ x: '1' })).toBe('a/b/1');
    const escape = PathPattern.create(['../../etc/', { wildcard: 'x' }], 'rules', any);
    expect(escape).toMatchObject({ message: expect.stringContaining('outside the project') });
    expect(PathPattern.create(['/etc/passwd'], '', any)).toMatchObject({ message: expect.stringContaining('outside the project') });
  });

  test('values that would make a path escape are not safe', () => {
    for (const v of ['', '.', '..', '/etc', 'a/../..', 'a//b']) expect(isSafeValue(v), v).toBe(false);
    for (const v of ['a b;touch x', '12', 'x.y', 'a/b']) expect(isSafeValue(v), v).toBe(true);
  });
});

import { plainArgv } from '../../src/graph/rule.js';

describe('plainArgv: shell commands run without a shell when nothing in them needs one', () => {
  test('plain words are an argv', () => {
    expect(plainArgv('cp out/gen/1.csv out/ing/.dax-tmp.r.1.1.done')).toEqual(['cp', 'out/gen/1.csv', 'out/ing/.dax-tmp.r.1.1.done']);
    expect(plainArgv('node  tools/gen.mjs --rows 10')).toEqual(['node', 'tools/gen.mjs', '--rows', '10']);
  });
  test('anything the shell would interpret keeps the shell', () => {
    for (const cmd of ['echo 1 > x', "cp 'a b' c", 'a | b', 'a; b', 'a && b', 'x=1 cmd', 'ls *.csv', 'echo $HOME', 'cd dir', 'exit 3', 'true', 'a\nb', 'cmd ~/x'])
      expect(plainArgv(cmd), cmd).toBeUndefined();
  });
});
