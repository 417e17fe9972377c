import { describe, expect, test } from 'vitest';
import { type Card, valueFromJson } from '../../src/fits/card.js';
import { applyRules, compilePattern, compileRules, globToRegExp, isSelected, classify } from '../../src/fits/rules.js';
import type { KeywordRule } from '../../src/fits/dpspec.types.js';

const v = (name: string, value: string | number = 1): Card => ({ kind: 'value', name, value: valueFromJson(value), comment: undefined });
const e = (name: string, value: string | number = 1): Card => ({ kind: 'hierarch', name: `ESO ${name}`, value: valueFromJson(value), comment: undefined });
const c = (name: string, text: string): Card => ({ kind: 'commentary', name, text });
const names = (cards: Card[]): string[] => cards.map((k) => (k.kind === 'hierarch' ? `HIERARCH ${k.name}` : k.kind === 'end' ? 'END' : k.name));

function rules(r: KeywordRule[]) {
  const x = compileRules(r);
  if (!x.ok) throw new Error(x.error.message);
  return x.value;
}

describe('selection patterns', () => {
  test('globs: *, ?, [..], [!..] over the whole logical name', () => {
    const g = (glob: string) => {
      const r = globToRegExp(glob);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    expect(g('INS TEMP[12] *').test('INS TEMP1 VAL')).toBe(true);
    expect(g('INS TEMP[12] *').test('INS TEMP3 VAL')).toBe(false);
    expect(g('DET?').test('DET1')).toBe(true);
    expect(g('DET?').test('DET12')).toBe(false);
    expect(g('[!A]*').test('BX')).toBe(true);
    expect(g('[!A]*').test('AX')).toBe(false);
    expect(g('A.B').test('AxB')).toBe(false);
    expect(globToRegExp('INS [12').ok).toBe(false);
  });

  test('classes v, e, c and the last matching pattern decides', () => {
    const ps = ['+e INS *', '-e INS TEMP[12] *', '+v OBJECT', '+c COMMENT'].map((p) => {
      const r = compilePattern(p);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    });
    const sel = (card: Card) => isSelected(ps, classify(card)!);
    expect(sel(e('INS FILT1 NAME'))).toBe(true);
    expect(sel(e('INS TEMP1 VAL'))).toBe(false);
    expect(sel(e('INS TEMP3 VAL'))).toBe(true);
    expect(sel(v('OBJECT'))).toBe(true);
    expect(sel(e('OBJECT'))).toBe(false); // class e is not v
    expect(sel(v('INS'))).toBe(false);
    expect(sel(c('COMMENT', 'x'))).toBe(true);
    expect(sel(c('HISTORY', 'x'))).toBe(false);
    expect(compilePattern('*e INS').ok).toBe(false);
  });
});

describe('keyword rules', () => {
  const input = [v('OBJECT', 'M31'), v('EXPTIME', 2), e('INS TEMP1 VAL'), e('INS FILT1 NAME', 'R'), e('DET DIT'), c('COMMENT', 'hello'), c('HISTORY', 'made')];

  test("the specification's example: filter, then transform INS -> INS2", () => {
    const out = applyRules(
      input,
      rules([
        { type: 'filter', selectionPatterns: ['+e INS *', '-e INS TEMP[12] *', '+v OBJECT'] },
        { type: 'transform', selectionPatterns: ['+e INS *'], regex: '^INS ', format: 'INS2 ' },
      ]),
      () => undefined,
    );
    expect(names(out)).toEqual(['OBJECT', 'HIERARCH ESO INS2 FILT1 NAME']);
    expect(out[1]).toMatchObject({ value: { type: 'string', value: 'R' } });
  });

  test('rules are a pipeline: a transform before a filter changes what the filter sees', () => {
    const out = applyRules(
      input,
      rules([
        { type: 'transform', selectionPatterns: ['+e INS *'], regex: '^INS (.*)$', format: 'OLD $1' },
        { type: 'filter', selectionPatterns: ['+e INS *', '+e OLD *'] },
      ]),
      () => undefined,
    );
    expect(names(out)).toEqual(['HIERARCH ESO OLD TEMP1 VAL', 'HIERARCH ESO OLD FILT1 NAME']);
  });

  test('an empty rule list copies nothing; a filter keeps commentary only when selected', () => {
    expect(applyRules(input, [], () => undefined)).toEqual([]);
    expect(names(applyRules(input, rules([{ type: 'filter', selectionPatterns: ['+c *'] }]), () => undefined))).toEqual(['COMMENT', 'HISTORY']);
  });

  test('a transform giving an invalid name keeps the keyword and warns', () => {
    const warnings: string[] = [];
    const out = applyRules([v('EXPTIME')], rules([{ type: 'transform', selectionPatterns: ['+v *'], regex: 'EXP', format: 'EXPOSURE_' }]), (m) => warnings.push(m));
    expect(names(out)).toEqual(['EXPTIME']);
    expect(warnings[0]).toContain('EXPOSURE_TIME');
  });

  test('compile errors point into the rule list', () => {
    expect(compileRules([{ type: 'filter', selectionPatterns: ['+v A', '+v [x'] }])).toMatchObject({ ok: false, error: { path: '/0/selectionPatterns/1' } });
    expect(compileRules([{ type: 'transform', selectionPatterns: [], regex: '(', format: '' }])).toMatchObject({ ok: false, error: { path: '/0/regex' } });
  });
});
