import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checksumValue, encodeChecksum, onesAdd, sum32 } from '../../src/fits/checksum.js';
import { FitsWriter } from '../../src/fits/writer.js';
import { parseHeader } from '../../src/fits/header.js';
import { copyAndSum } from '../../src/fits/copy.js';
import { addon } from '../../src/util/addon.js';
import { card, fitsverify, kv, pattern, tempDir } from './helpers.js';

/** The convention's own algorithm (16-bit halves, carries folded at the end), as a reference. */
function reference(buf: Buffer): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < buf.length; i += 4) {
    hi += buf.readUInt16BE(i);
    lo += buf.readUInt16BE(i + 2);
  }
  let hicarry = Math.floor(hi / 65536);
  let locarry = Math.floor(lo / 65536);
  while (hicarry || locarry) {
    hi = (hi % 65536) + locarry;
    lo = (lo % 65536) + hicarry;
    hicarry = Math.floor(hi / 65536);
    locarry = Math.floor(lo / 65536);
  }
  return hi * 65536 + lo;
}

const words = (...w: number[]): Buffer => {
  const b = Buffer.alloc(4 * w.length);
  w.forEach((x, i) => b.writeUInt32BE(x, 4 * i));
  return b;
};

describe('ones-complement sum', () => {
  test('end-around carry', () => {
    expect(sum32(words(0xffffffff, 1))).toBe(1);
    expect(sum32(words(0x80000000, 0x80000000))).toBe(1);
    expect(sum32(words(0, 0, 0))).toBe(0);
    expect(sum32(words(0x12345678))).toBe(0x12345678);
    expect(onesAdd(0xffffffff, 0xffffffff)).toBe(0xffffffff);
  });

  test('agrees with the convention reference on data of many sizes, in one piece or in chunks', () => {
    for (const n of [4, 2880, 1 << 20, 3 * 2880 * 7]) {
      const b = pattern(n, n);
      expect(sum32(b)).toBe(reference(b));
      let s = 0;
      for (let i = 0; i < n; i += 2880 * 3) s = sum32(b, s, i, Math.min(n, i + 2880 * 3));
      expect(s).toBe(reference(b));
    }
  });

  test('a buffer larger than one accumulation slice (32 MiB) sums right', () => {
    const b = Buffer.alloc(40 * 1024 * 1024, 0xff);
    expect(sum32(b)).toBe(reference(b));
  });

  test('a length that is not whole words is a bug', () => {
    expect(() => sum32(Buffer.alloc(6))).toThrow(/32-bit words/);
  });
});

describe('CHECKSUM encoding', () => {
  test("the convention's example: sum 868229149 gives hcHjjc9ghcEghc9g", () => {
    expect(encodeChecksum(3426738146)).toBe('hcHjjc9ghcEghc9g');
    expect(checksumValue(868229149)).toBe('hcHjjc9ghcEghc9g');
  });

  test('encodings are alphanumeric and keep the sum', () => {
    for (const v of [0, 1, 0xffffffff, 0x3a3a3a3a, 0x5b5b5b5b, 0xdeadbeef]) {
      const s = encodeChecksum(v);
      expect(s).toMatch(/^[0-9A-Za-z]{16}$/);
      // Un-rotate, subtract the '0' offsets and add up the four quarters of each byte.
      const rotated = s.slice(1) + s.slice(0, 1);
      const c = (k: number): number => rotated.charCodeAt(k) - 0x30; // NaN past the end: the sum fails
      let total = 0;
      for (let i = 0; i < 4; i++) total += (c(i) + c(4 + i) + c(8 + i) + c(12 + i)) * 2 ** (24 - 8 * i);
      expect(total).toBe(v);
    }
  });
});

describe('written HDUs', () => {
  test('each HDU sums to -0, DATASUM is the data sum and fitsverify accepts them; a changed byte is caught', async () => {
    const dir = tempDir();
    const src = join(dir, 'data.bin');
    const data = pattern(2880 * 5, 7);
    await writeFile(src, data);
    const out = join(dir, 'w.fits');
    const fh = await open(out, 'w');
    const sfh = await open(src, 'r');
    const cards = (images: string[]) => {
      const r = parseHeader(images.map(card));
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    const w = new FitsWriter(fh, { chunk: 2880 * 2 }); // several chunks per data unit
    const p = await w.writeHdu(cards([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0), kv('EXTEND', true)]), null, '2024-01-01T00:00:00');
    const e = await w.writeHdu(
      cards([kv('XTENSION', 'IMAGE'), kv('BITPIX', 16), kv('NAXIS', 1), kv('NAXIS1', 7200), kv('PCOUNT', 0), kv('GCOUNT', 1)]),
      { fh: sfh, offset: 0, length: data.length },
      '2024-01-01T00:00:00',
    );
    await fh.close();
    await sfh.close();
    expect(p.ok && e.ok).toBe(true);
    if (!p.ok || !e.ok) return;
    const bytes = await readFile(out);
    expect(sum32(bytes.subarray(0, 2880))).toBe(0xffffffff);
    expect(sum32(bytes.subarray(2880))).toBe(0xffffffff);
    expect(e.value.datasum).toBe(reference(data));
    expect(bytes.toString('latin1', 2880, 2880 * 2)).toContain(`DATASUM = '${reference(data)}'`);
    expect(bytes.subarray(2880 * 2).equals(data)).toBe(true);
    const v = fitsverify(out);
    expect(v.ok, v.report).toBe(true);

    bytes.writeUInt8(bytes.readUInt8(2880 * 3) ^ 0x40, 2880 * 3);
    await writeFile(out, bytes);
    const bad = fitsverify(out);
    expect(bad.ok).toBe(false);
    expect(bad.report).toMatch(/checksum/i);
  });

  // With kernel: true and the addon built, the kernel copies (copy_file_range) and dax only
  // sums; without it, or with kernel: false (the default), the bytes go through dax's buffers. Both must give the same bytes and sum.
  const kernelPath = typeof addon()?.['copyRange'] === 'function' ? 'kernel' : 'buffers';
  for (const kernel of [true, false]) {
    const path = kernel ? kernelPath : 'buffers';
    test(`copyAndSum copies byte for byte and sums like the reference (${path})`, async () => {
      const dir = tempDir();
      const data = pattern(2880 * 33, 11);
      await writeFile(join(dir, 'in'), Buffer.concat([Buffer.alloc(2880), data]));
      const src = await open(join(dir, 'in'), 'r');
      const dst = await open(join(dir, 'out'), 'w');
      const written: number[] = [];
      const r = await copyAndSum(src, 2880, data.length, dst, 100, { chunk: 4096, kernel, onWritten: (n) => written.push(n) });
      await src.close();
      await dst.close();
      expect(r).toEqual({ ok: true, value: { sum: reference(data), path } });
      expect((await readFile(join(dir, 'out'))).subarray(100).equals(data)).toBe(true);
      expect(written.reduce((a, b) => a + b, 0)).toBe(data.length);
    });

    test(`a source shorter than its data unit is reported, not padded (${path})`, async () => {
      const dir = tempDir();
      await writeFile(join(dir, 'in'), Buffer.alloc(1000 * 9));
      const src = await open(join(dir, 'in'), 'r');
      const dst = await open(join(dir, 'out'), 'w');
      const r = await copyAndSum(src, 0, 2880 * 4, dst, 0, { chunk: 2880, kernel });
      await src.close();
      await dst.close();
      expect(r).toEqual({ ok: false, error: { kind: 'truncated', message: expect.stringMatching(/ends 2520 bytes early/) } });
    });
  }

  // Linux refuses copy_file_range across file system types (EXDEV since 5.19): the bytes
  // then go through the buffers, decided on the first piece, with nothing lost.
  const shm = '/dev/shm';
  const otherFs = kernelPath === 'kernel' && existsSync(shm) && statSync(shm).dev !== statSync(tempDir()).dev;
  test.skipIf(!otherFs)('copyAndSum between file systems the kernel cannot copy across falls back to the buffers', async () => {
    const data = pattern(2880 * 400, 5);
    const inFile = join(mkdtempSync(join(shm, 'dax-test-')), 'in');
    await writeFile(inFile, data);
    const out = join(tempDir(), 'out');
    const src = await open(inFile, 'r');
    const dst = await open(out, 'w');
    const r = await copyAndSum(src, 0, data.length, dst, 0, { chunk: 2880 * 16, kernel: true });
    await src.close();
    await dst.close();
    rmSync(dirname(inFile), { recursive: true, force: true });
    expect(r).toEqual({ ok: true, value: { sum: reference(data), path: 'buffers' } });
    expect((await readFile(out)).equals(data)).toBe(true);
  });
});
