// Input sets: `any` alternatives and `each` expansion, and `supersedes` — checked at load time.
import { describe, expect, test } from 'vitest';
import { failure, loaded, project } from './helpers.js';

const daxfile = (input: string, extra = ''): Record<string, string> => ({
  'Daxfile.yaml': `version: 1
wildcards:
  chunk: { values: ['1', '2'] }
rules:
  part:
    output: out/part/{chunk}.txt
    input:
${input}
${extra}`,
});

describe('input sets', () => {
  test('any + each load into the model; {n} is usable in the paths', () => {
    const dir = project(daxfile(`      - out/ct/{chunk}.csv
      - any: ['out/ct/{n}.csv', 'out/eo/{n}.csv']
        build: 1
        each: { n: [domain, chunk] }`));
    const rule = loaded(dir).rules.find((r) => r.name === 'part')!;
    expect(rule.inputs[0]).toMatchObject({ kind: 'path', template: { text: 'out/ct/{chunk}.csv' } });
    expect(rule.inputs[1]).toMatchObject({ kind: 'any', build: 1, templates: [{ text: 'out/ct/{n}.csv' }, { text: 'out/eo/{n}.csv' }] });
    expect(rule.inputs[1]!.each).toMatchObject([{ name: 'n', fn: 'domain', args: [{ text: 'chunk' }] }]);
  });

  test('build must index into any', () => {
    const e = failure(daxfile(`      - any: ['out/a/{chunk}', 'out/b/{chunk}']\n        build: 2`));
    expect(e).toMatchObject({ at: 'Daxfile.yaml:9:16', key: 'rules.part.input[0].build' });
    expect(e.message).toContain('not an index into any (0..1)');
  });

  test('an each name may not shadow a wildcard of the outputs', () => {
    const e = failure(daxfile(`      - path: 'out/a/{chunk}'\n        each: { chunk: [domain, chunk] }`));
    expect(e.key).toBe('rules.part.input[0].each.chunk');
    expect(e.message).toContain('already a wildcard');
  });

  test('a name not bound by each is still an unknown wildcard', () => {
    const e = failure(daxfile(`      - path: 'out/a/{m}'\n        each: { n: [domain, chunk] }`));
    expect(e.key).toBe('rules.part.input[0].path');
    expect(e.message).toContain('wildcard {m} is not in the rule');
  });

  test('[domain, NAME] needs a wildcard with a domain', () => {
    const e = failure(daxfile(`      - path: 'out/a/{n}'\n        each: { n: [domain, nosuch] }`));
    expect(e.message).toContain('has none');
  });

  test('an input set has path or any, not both', () => {
    const e = failure(daxfile(`      - { path: 'out/a/{chunk}', any: ['out/b/{chunk}', 'out/c/{chunk}'] }`));
    expect(e).toMatchObject({ at: 'Daxfile.yaml:8:9', key: 'rules.part.input[0]' });
    expect(e.message).toContain('exactly one of path');
  });

  test('supersedes uses the rule\'s wildcards', () => {
    const e = failure(daxfile(`      - out/ct/{chunk}.csv`, `    supersedes: 'out/eo/{table}.csv'\n`));
    expect(e.key).toBe('rules.part.supersedes');
    expect(e.message).toContain('wildcard {table} is not in the rule');
  });
});
