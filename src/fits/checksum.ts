// The FITS checksum convention (Seaman, Pence & Rots; FITS 4.0 appendix J): the 32-bit ones'
// complement sum of an HDU's big-endian words, DATASUM as its decimal string and CHECKSUM as a
// 16-character ASCII encoding of the complement that makes the whole HDU sum to -0.

const TWO32 = 4294967296;

/** Ones' complement addition of two 32-bit sums (end-around carry). */
export function onesAdd(a: number, b: number): number {
  return fold(a + b);
}

/** Folds a non-negative integer below 2^53 into 32 bits with end-around carries. */
function fold(s: number): number {
  while (s > 0xffffffff) s = (s % TWO32) + Math.floor(s / TWO32);
  return s;
}

// Each of the four accumulators below takes one word in four; 2^21 words of at most 2^32 keep a
// double exact, so a slice of 32 MiB is the most summed before folding.
const SLICE = 32 * 1024 * 1024;

/**
 * Adds the words of `buf[start, end)` to `sum`. The length must be a multiple of 4: FITS records
 * are 2880 bytes, so every caller hands whole words.
 */
export function sum32(buf: Uint8Array, sum = 0, start = 0, end = buf.length): number {
  if ((end - start) % 4 !== 0) throw new Error(`checksum over ${end - start} bytes: not whole 32-bit words`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let total = sum;
  const whole = start + Math.floor((end - start) / 16) * 16;
  for (let s = start; s < whole; s += SLICE) total = fold(total + sumSlice(dv, s, Math.min(whole, s + SLICE)));
  for (let i = whole; i < end; i += 4) total = fold(total + dv.getUint32(i, false));
  return total;
}

/**
 * The hot loop, kept apart so that V8 optimizes it once with stable types: a DataView read
 * compiles to a load and a byte swap; four accumulators keep the additions independent.
 * `end - start` is a multiple of 16 and at most SLICE.
 */
function sumSlice(dv: DataView, start: number, end: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let i = start; i < end; i += 16) {
    a0 += dv.getUint32(i, false);
    a1 += dv.getUint32(i + 4, false);
    a2 += dv.getUint32(i + 8, false);
    a3 += dv.getUint32(i + 12, false);
  }
  return fold(fold(a0 + a1) + fold(a2 + a3));
}

// ASCII punctuation between the digits and the letters, which the encoding avoids.
const EXCLUDE = new Set([0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]);

/**
 * The 16-character encoding of a 32-bit value: each byte is split into four quarters offset by
 * ASCII '0' (the remainder going to the first), punctuation is avoided by moving pairs up and
 * down (keeping the sum), and the string is rotated one place right to align it with the
 * header's 4-byte words (the value starts at column 12 of its card).
 */
export function encodeChecksum(value: number): string {
  const ch = new Array<number>(16).fill(0);
  for (let i = 0; i < 4; i++) {
    const byte = (value >>> (24 - 8 * i)) & 0xff;
    const quotient = (byte >> 2) + 0x30;
    const remainder = byte & 3;
    // The two pairs are adjusted independently; each move keeps the pair's sum.
    let [q0, q1, q2, q3] = [quotient + remainder, quotient, quotient, quotient];
    while (EXCLUDE.has(q0) || EXCLUDE.has(q1)) {
      q0++;
      q1--;
    }
    while (EXCLUDE.has(q2) || EXCLUDE.has(q3)) {
      q2++;
      q3--;
    }
    ch[i] = q0;
    ch[4 + i] = q1;
    ch[8 + i] = q2;
    ch[12 + i] = q3;
  }
  const rotated = [...ch.slice(15), ...ch.slice(0, 15)];
  return String.fromCharCode(...rotated);
}

/** The CHECKSUM value for an HDU whose sum (with CHECKSUM = '0000000000000000') is `hduSum`. */
export function checksumValue(hduSum: number): string {
  return encodeChecksum(~hduSum >>> 0);
}

/** The placeholder CHECKSUM value the sum is computed with. */
export const CHECKSUM_ZERO = '0000000000000000';
