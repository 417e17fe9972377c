import { describe, expect, test } from 'vitest';
import { type Card, formatCard, parseCard, valueFromJson } from '../../src/fits/card.js';
import { parseHeader, serializeHeader } from '../../src/fits/header.js';
import { card } from './helpers.js';

const parse = (text: string): Card => {
  const r = parseCard(card(text));
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const images = (c: Card): string[] => {
  const r = formatCard(c);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('reading cards', () => {
  test('strings: doubled quotes, trailing blanks, comments with slashes', () => {
    expect(parse("OBSERVER= 'O''Hara  '           / who / when")).toMatchObject({
      kind: 'value',
      name: 'OBSERVER',
      value: { type: 'string', value: "O'Hara" },
      comment: 'who / when',
    });
    expect(parse("EMPTY   = ''")).toMatchObject({ value: { type: 'string', value: '' } });
    expect(parse("BLANK   = '    '")).toMatchObject({ value: { type: 'string', value: ' ' } });
    expect(parse("SLASH   = 'a/b' / c")).toMatchObject({ value: { type: 'string', value: 'a/b' }, comment: 'c' });
  });

  test('logical, integer, floating, complex and undefined values', () => {
    expect(parse('SIMPLE  =                    T / std')).toMatchObject({ value: { type: 'logical', value: true }, comment: 'std' });
    expect(parse('FLAG    =                    F')).toMatchObject({ value: { type: 'logical', value: false } });
    expect(parse('BIG     = 9223372036854775807')).toMatchObject({ value: { type: 'integer', value: 9223372036854775807n } });
    expect(parse('NEG     =                  -42')).toMatchObject({ value: { type: 'integer', value: -42n } });
    expect(parse('EXPTIME =             1.5D+03 / s')).toMatchObject({ value: { type: 'float', value: 1500, text: '1.5D+03' }, comment: 's' });
    expect(parse('CPLX    = (1.0, -2)')).toMatchObject({ value: { type: 'complex', text: '(1.0, -2)' } });
    expect(parse('NOVAL   =                      / unknown')).toMatchObject({ value: { type: 'undefined' }, comment: 'unknown' });
  });

  test('commentary cards: COMMENT, HISTORY, blank', () => {
    expect(parse('COMMENT   two leading blanks kept')).toEqual({ kind: 'commentary', name: 'COMMENT', text: '  two leading blanks kept', raw: [card('COMMENT   two leading blanks kept')] });
    expect(parse('HISTORY done = yes')).toMatchObject({ kind: 'commentary', name: 'HISTORY', text: 'done = yes' });
    expect(parse('        blank keyword text')).toMatchObject({ kind: 'commentary', name: '', text: 'blank keyword text' });
    expect(parse('END')).toEqual({ kind: 'end' });
  });

  test('HIERARCH ESO keywords: the name is everything up to =', () => {
    expect(parse("HIERARCH ESO DET EXP ID = 'abc' / exposure")).toMatchObject({
      kind: 'hierarch',
      name: 'ESO DET EXP ID',
      value: { type: 'string', value: 'abc' },
      comment: 'exposure',
    });
    expect(parse('HIERARCH ESO INS TEMP1 VAL=12.5')).toMatchObject({ kind: 'hierarch', name: 'ESO INS TEMP1 VAL', value: { type: 'float', value: 12.5 } });
  });

  test('invalid cards are errors with a reason', () => {
    const bad = parseCard(card("OBJECT  = 'unterminated"));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('closing quote');
    expect(parseCard(card('X       = 1.2.3')).ok).toBe(false);
    expect(parseCard(card('X       = 1') .replace('1', '\u00e9')).ok).toBe(false);
    expect(parseCard(card('date-obs= 1'))).toMatchObject({ ok: false, error: expect.stringContaining('invalid keyword name') });
  });

  test('long strings: CONTINUE cards join into one value with the comments', () => {
    const r = parseHeader([
      card("LONGSTRN= 'OGIP 1.0'"),
      card("PROGRAM = 'first part, &' / c1"),
      card("CONTINUE  'it''s the second &'"),
      card("CONTINUE  'and the end' / c2"),
      card('COMMENT after'),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toHaveLength(3);
    expect(r.value[1]).toMatchObject({ name: 'PROGRAM', value: { type: 'string', value: "first part, it's the second and the end" }, comment: 'c1 c2' });
    expect(r.value[2]).toMatchObject({ kind: 'commentary', name: 'COMMENT' });
  });
});

describe('writing cards', () => {
  test('fixed format: numbers right-justified to column 30, strings from column 11', () => {
    expect(images({ kind: 'value', name: 'NAXIS1', value: valueFromJson(1024), comment: 'width' })).toEqual([card('NAXIS1  =                 1024 / width')]);
    expect(images({ kind: 'value', name: 'OBJECT', value: valueFromJson("O'Hara"), comment: undefined })).toEqual([card("OBJECT  = 'O''Hara '")]);
    expect(images({ kind: 'value', name: 'FLAG', value: valueFromJson(true), comment: undefined })).toEqual([card('FLAG    =                    T')]);
    expect(images({ kind: 'value', name: 'TINY', value: valueFromJson(1e-7), comment: undefined })).toEqual([card('TINY    =                 1E-7')]);
    expect(images({ kind: 'value', name: 'X', value: valueFromJson(2.5), comment: undefined }).at(0)?.slice(10, 30)).toBe('2.5'.padStart(20));
  });

  test('HIERARCH cards, and a comment cut to fit', () => {
    const long = 'c'.repeat(100);
    const img = images({ kind: 'hierarch', name: 'ESO OCS TEMPL ID', value: valueFromJson('template-id'), comment: long });
    expect(img).toHaveLength(1);
    expect(img[0]).toBe(`HIERARCH ESO OCS TEMPL ID = 'template-id' / ${'c'.repeat(80 - 44)}`);
  });

  test('long strings go over CONTINUE cards and read back equal', () => {
    const value = "It's a value of more than sixty-eight characters, with 'quotes' that must not split.".repeat(2);
    const c: Card = { kind: 'value', name: 'NOTE', value: valueFromJson(value), comment: 'the comment' };
    const img = images(c);
    expect(img.length).toBeGreaterThan(2);
    for (const i of img) expect(i).toHaveLength(80);
    expect(img[1]).toMatch(/^CONTINUE  '/);
    const back = parseHeader(img);
    expect(back.ok && back.value).toEqual([{ ...c, raw: img }]);
  });

  test('a long commentary text becomes several cards of the same keyword', () => {
    const img = images({ kind: 'commentary', name: 'HISTORY', text: 'h'.repeat(100) });
    expect(img).toEqual([card(`HISTORY ${'h'.repeat(72)}`), card(`HISTORY ${'h'.repeat(28)}`)]);
  });

  test('cards read from a file are written back unchanged', () => {
    const text = card("OBJECT='odd spacing'   /   kept as it was");
    const r = parseHeader([card('SIMPLE  =                    T'), text.replace('OBJECT=', 'OBJECT  =').slice(0, 80)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = serializeHeader(r.value);
    expect(s.ok && s.value.bytes.toString('latin1', 80, 160)).toBe(text.replace('OBJECT=', 'OBJECT  =').slice(0, 80));
    expect(s.ok && s.value.bytes.length).toBe(2880);
    expect(s.ok && s.value.bytes.toString('latin1', 160, 240)).toBe(card('END'));
  });

  test('names that are not FITS keywords are refused', () => {
    expect(formatCard({ kind: 'value', name: 'TOOLONGNAME', value: valueFromJson(1), comment: undefined }).ok).toBe(false);
    expect(formatCard({ kind: 'value', name: 'lower', value: valueFromJson(1), comment: undefined }).ok).toBe(false);
  });
});
