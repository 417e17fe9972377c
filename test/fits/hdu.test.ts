import { describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataUnit } from '../../src/fits/hdu.js';
import { parseHeader } from '../../src/fits/header.js';
import { scanFits } from '../../src/fits/reader.js';
import { asciiTable, binTable, card, hdu, kv, primaryImage, tempDir, writeFits } from './helpers.js';

function size(primary: boolean, ...cards: string[]) {
  const h = parseHeader(cards.map(card));
  if (!h.ok) throw new Error(h.error);
  return dataUnit(h.value, primary);
}

const ext = (xt: string, bitpix: number, axes: number[], pcount: number, gcount: number, ...more: string[]) =>
  size(false, kv('XTENSION', xt), kv('BITPIX', bitpix), kv('NAXIS', axes.length), ...axes.map((a, i) => kv(`NAXIS${i + 1}`, a)), kv('PCOUNT', pcount), kv('GCOUNT', gcount), ...more);

describe('data-unit sizes', () => {
  test('primary arrays: |BITPIX|/8 times the axes; none when NAXIS = 0', () => {
    expect(size(true, kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0))).toMatchObject({ ok: true, value: { kind: 'image', bytes: 0, padded: 0 } });
    expect(size(true, kv('SIMPLE', true), kv('BITPIX', -64), kv('NAXIS', 3), kv('NAXIS1', 10), kv('NAXIS2', 5), kv('NAXIS3', 2))).toMatchObject({
      ok: true,
      value: { bytes: 800, padded: 2880, axes: [10, 5, 2] },
    });
    expect(size(true, kv('SIMPLE', true), kv('BITPIX', 16), kv('NAXIS', 2), kv('NAXIS1', 1440), kv('NAXIS2', 2))).toMatchObject({ value: { bytes: 5760, padded: 5760 } });
  });

  test('random groups: NAXIS1 = 0, GCOUNT groups of PCOUNT parameters plus the array', () => {
    const r = size(true, kv('SIMPLE', true), kv('BITPIX', -32), kv('NAXIS', 3), kv('NAXIS1', 0), kv('NAXIS2', 2), kv('NAXIS3', 2), kv('GROUPS', true), kv('PCOUNT', 1), kv('GCOUNT', 3));
    expect(r).toMatchObject({ ok: true, value: { kind: 'groups', bytes: 4 * 3 * (1 + 4), padded: 2880 } });
  });

  test('binary tables count the heap (PCOUNT); ASCII tables and images', () => {
    expect(ext('BINTABLE', 8, [12, 3], 100, 1, kv('TFIELDS', 0))).toMatchObject({ ok: true, value: { kind: 'bintable', bytes: 136 } });
    expect(ext('TABLE', 8, [10, 2], 0, 1)).toMatchObject({ ok: true, value: { kind: 'table', bytes: 20 } });
    expect(ext('IMAGE', 32, [100, 100], 0, 1)).toMatchObject({ ok: true, value: { kind: 'image', bytes: 40000, padded: 40320 } });
    expect(ext('A3DTABLE', 8, [4, 4], 0, 2)).toMatchObject({ ok: true, value: { kind: 'extension', xtension: 'A3DTABLE', bytes: 32 } });
  });

  test('headers that do not describe a data unit are errors with the reason', () => {
    expect(size(true, kv('SIMPLE', true), kv('BITPIX', 12), kv('NAXIS', 0))).toMatchObject({ ok: false, error: expect.stringContaining('BITPIX = 12') });
    expect(size(true, kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 3))).toMatchObject({ ok: false, error: 'NAXIS2 is missing' });
    expect(size(true, kv('SIMPLE', false), kv('BITPIX', 8), kv('NAXIS', 0))).toMatchObject({ ok: false });
    expect(size(false, kv('XTENSION', 'IMAGE'), kv('BITPIX', 8), kv('NAXIS', 0), kv('GCOUNT', 1))).toMatchObject({ ok: false, error: 'PCOUNT is missing' });
    expect(ext('BINTABLE', 16, [2], 0, 1)).toMatchObject({ ok: false });
  });
});

describe('scanning files', () => {
  test('HDU offsets and sizes of a hand-made multi-HDU file, with a two-block header', async () => {
    const dir = tempDir();
    const many = Array.from({ length: 40 }, (_, i) => kv(`KEY${i}`, i));
    const file = writeFits(join(dir, 'a.fits'), primaryImage(30, 20, many), binTable(5, 'T'), asciiTable([1, 2, 3], 'A'));
    const r = await scanFits(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [p, b, a] = r.value.hdus;
    expect(p).toMatchObject({ headerOffset: 0, headerBytes: 5760, dataOffset: 5760, data: { bytes: 1200, padded: 2880 } });
    expect(b).toMatchObject({ headerOffset: 8640, headerBytes: 2880, dataOffset: 11520, data: { kind: 'bintable', bytes: 60 } });
    expect(a).toMatchObject({ headerOffset: 14400, dataOffset: 17280, data: { kind: 'table', bytes: 30 } });
    expect(r.value.size).toBe(20160);
    expect(p.cards).toHaveLength(46);
  });

  test('a truncated file, trailing bytes and a file that is not FITS are invalid, with the reason', async () => {
    const dir = tempDir();
    const whole = Buffer.concat([primaryImage(30, 20), binTable(5, 'T')]);
    writeFileSync(join(dir, 'trunc.fits'), whole.subarray(0, whole.length - 2880));
    writeFileSync(join(dir, 'trail.fits'), Buffer.concat([whole, Buffer.alloc(2880)]));
    writeFileSync(join(dir, 'text.fits'), 'hello world\n');
    writeFileSync(join(dir, 'noend.fits'), hdu([kv('SIMPLE', true)]).subarray(0, 2880).fill(0x20, 80));
    const msg = async (f: string) => {
      const r = await scanFits(join(dir, f));
      return r.ok ? 'ok' : `${r.error.kind}: ${r.error.message}`;
    };
    expect(await msg('trunc.fits')).toMatch(/^invalid: .*truncated/);
    expect(await msg('trail.fits')).toMatch(/^invalid: .*not an extension/);
    expect(await msg('text.fits')).toMatch(/^invalid: .*not a FITS file/);
    expect(await msg('noend.fits')).toMatch(/^invalid: .*no END/);
    expect(await msg('missing.fits')).toMatch(/^notFound/);
  });
});
