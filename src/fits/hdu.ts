// The size of an HDU's data unit from its header (FITS 4.0 §4.4.1, §7, §6): images, random
// groups, ASCII and binary tables and any conforming extension.
import type { Card } from './card.js';
import { getInteger, getValue, padded } from './header.js';
import { type Result, ok, err } from '../util/result.js';

export type HduKind = 'image' | 'groups' | 'table' | 'bintable' | 'extension';

export interface DataUnit {
  kind: HduKind;
  /** XTENSION's value for extensions. */
  xtension?: string;
  bitpix: number;
  axes: number[];
  pcount: number;
  gcount: number;
  /** Bytes of data, without the padding to whole blocks. */
  bytes: number;
  /** Bytes the data unit takes in the file: `bytes` rounded up to whole 2880-byte blocks. */
  padded: number;
}

const BITPIX = new Set([8, 16, 32, 64, -32, -64]);

/**
 * Extension types a FITS file may carry (FITS 4.0 appendix F): the standard IMAGE, TABLE and
 * BINTABLE (F.1) and the registered conforming IUEIMAGE, A3DTABLE, FOREIGN and DUMP (F.2).
 * Names merely suggested (F.3: COMPRESS, FILEMARK, ...) or unknown make a file fitsverify rejects.
 */
export const REGISTERED_XTENSIONS: ReadonlySet<string> = new Set(['IMAGE', 'TABLE', 'BINTABLE', 'IUEIMAGE', 'A3DTABLE', 'FOREIGN', 'DUMP']);

function smallInt(cards: readonly Card[], name: string, required: boolean, dflt: number): Result<number, string> {
  const v = getInteger(cards, name);
  if (!v.ok) return v;
  if (v.value === undefined) return required ? err(`${name} is missing`) : ok(dflt);
  if (v.value < 0n || v.value > BigInt(Number.MAX_SAFE_INTEGER)) return err(`${name} = ${v.value} is out of range`);
  return ok(Number(v.value));
}

/** Reads the mandatory keywords of a primary (`primary`) or extension header; sizes its data. */
export function dataUnit(cards: readonly Card[], primary: boolean): Result<DataUnit, string> {
  const first = cards[0];
  let kind: HduKind = 'image';
  let xtension: string | undefined;
  if (primary) {
    if (!first || first.kind !== 'value' || first.name !== 'SIMPLE') return err('the primary header does not start with SIMPLE');
    if (first.value.type !== 'logical' || !first.value.value) return err('SIMPLE is not T: the file does not conform to FITS');
  } else {
    if (!first || first.kind !== 'value' || first.name !== 'XTENSION') return err('the extension header does not start with XTENSION');
    if (first.value.type !== 'string') return err('XTENSION is not a string');
    xtension = first.value.value.trim();
    kind = xtension === 'IMAGE' ? 'image' : xtension === 'TABLE' ? 'table' : xtension === 'BINTABLE' ? 'bintable' : 'extension';
  }
  const bitpixV = getInteger(cards, 'BITPIX');
  if (!bitpixV.ok) return bitpixV;
  if (bitpixV.value === undefined) return err('BITPIX is missing');
  const bitpix = Number(bitpixV.value);
  if (!BITPIX.has(bitpix)) return err(`BITPIX = ${bitpix} is not one of 8, 16, 32, 64, -32, -64`);
  const naxis = smallInt(cards, 'NAXIS', true, 0);
  if (!naxis.ok) return naxis;
  if (naxis.value > 999) return err(`NAXIS = ${naxis.value} is more than 999`);
  const axes: number[] = [];
  for (let n = 1; n <= naxis.value; n++) {
    const a = smallInt(cards, `NAXIS${n}`, true, 0);
    if (!a.ok) return a;
    axes.push(a.value);
  }
  // Extensions must say PCOUNT and GCOUNT; a primary HDU has them only for random groups.
  const groupsV = getValue(cards, 'GROUPS');
  const groups = primary && axes.length > 0 && axes[0] === 0 && groupsV?.type === 'logical' && groupsV.value;
  if (groups) kind = 'groups';
  const pcount = smallInt(cards, 'PCOUNT', !primary, 0);
  if (!pcount.ok) return pcount;
  const gcount = smallInt(cards, 'GCOUNT', !primary, 1);
  if (!gcount.ok) return gcount;
  if (kind === 'table' && bitpix !== 8) return err(`an ASCII table needs BITPIX = 8, not ${bitpix}`);
  if (kind === 'bintable' && bitpix !== 8) return err(`a binary table needs BITPIX = 8, not ${bitpix}`);

  let bytes: number;
  if (axes.length === 0) {
    bytes = 0;
  } else {
    // Random groups: NAXIS1 = 0 is not a dimension; otherwise all axes multiply.
    const dims = groups ? axes.slice(1) : axes;
    let product = 1;
    for (const d of dims) product *= d;
    bytes = (Math.abs(bitpix) / 8) * gcount.value * (pcount.value + product);
    if (primary && !groups) bytes = (Math.abs(bitpix) / 8) * product; // PCOUNT/GCOUNT do not apply
  }
  if (!Number.isSafeInteger(bytes)) return err('the data unit is too large');
  return ok({ kind, xtension, bitpix, axes, pcount: pcount.value, gcount: gcount.value, bytes, padded: padded(bytes) });
}
