import { describe, expect, test } from 'vitest';
import { parseTemplate, wildcardNames } from '../../src/config/template.js';
import { parseDuration } from '../../src/config/duration.js';

describe('parseTemplate', () => {
  test('tokens', () => {
    expect(parseTemplate('out/{chunk}_{table}.csv')).toEqual({
      ok: true,
      value: [
        { kind: 'text', text: 'out/' },
        { kind: 'wildcard', name: 'chunk' },
        { kind: 'text', text: '_' },
        { kind: 'wildcard', name: 'table' },
        { kind: 'text', text: '.csv' },
      ],
    });
    expect(parseTemplate('{vars.n}{input}{output}{input[0]}{output[12]}')).toEqual({
      ok: true,
      value: [{ kind: 'var', name: 'n' }, { kind: 'input' }, { kind: 'output' }, { kind: 'input', index: 0 }, { kind: 'output', index: 12 }],
    });
    expect(parseTemplate("awk '{{print $1}}' x")).toEqual({ ok: true, value: [{ kind: 'text', text: "awk '{print $1}' x" }] });
    expect(parseTemplate('')).toEqual({ ok: true, value: [] });
  });

  test('errors', () => {
    for (const bad of ['{', '}', 'a{b', 'a}b', '{}', '{a b}', '{vars}', '{vars.}', '{input[x]}', '{input[01]}', '{1a}', '{a{b}}', '{x}}']) {
      expect(parseTemplate(bad).ok, bad).toBe(false);
    }
  });

  test('cached and frozen', () => {
    const a = parseTemplate('x/{y}');
    expect(parseTemplate('x/{y}')).toBe(a);
    if (a.ok) {
      expect(Object.isFrozen(a.value)).toBe(true);
      expect(wildcardNames(a.value)).toEqual(['y']);
    }
  });
});

describe('parseDuration', () => {
  test('numbers and units', () => {
    expect(parseDuration(30)).toEqual({ ok: true, value: 30 });
    expect(parseDuration('30')).toEqual({ ok: true, value: 30 });
    expect(parseDuration('30s')).toEqual({ ok: true, value: 30 });
    expect(parseDuration('10m')).toEqual({ ok: true, value: 600 });
    expect(parseDuration('2h')).toEqual({ ok: true, value: 7200 });
    expect(parseDuration('1h30m')).toEqual({ ok: true, value: 5400 });
    expect(parseDuration('1.5h')).toEqual({ ok: true, value: 5400 });
  });
  test('bad values', () => {
    for (const bad of ['ten', '10x', '', 'm', '0', '0s', '10 minutes']) expect(parseDuration(bad).ok, bad).toBe(false);
    expect(parseDuration(0).ok).toBe(false);
    expect(parseDuration(-1).ok).toBe(false);
  });
});
