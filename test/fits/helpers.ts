// Fixtures for the FITS tests: hand-made HDUs from card text (so the writer is not only checked
// against itself), the real CLI, and fitsverify.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFits, type FitsFile } from '../../src/fits/reader.js';

import { repo } from '../repo.js';
import { requireTool } from '../tools.js';

export { repo };
export const dax = join(repo, 'bin/dax.js');

export function tempDir(prefix = 'dax-fits-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** One card image: the text padded to 80 characters. */
export function card(text: string): string {
  if (text.length > 80) throw new Error(`card longer than 80: ${text}`);
  return text.padEnd(80);
}

/** `NAME    = value` with the value right-justified to column 30 (strings as given). */
export function kv(name: string, value: string | number | boolean, comment?: string): string {
  const v = typeof value === 'string' ? `'${value.replace(/'/g, "''").padEnd(8)}'` : typeof value === 'boolean' ? (value ? 'T' : 'F').padStart(20) : String(value).padStart(20);
  return card(`${name.padEnd(8)}= ${v}${comment ? ` / ${comment}` : ''}`);
}

/** An HDU's bytes from card texts and data: END added, header blank-padded, data padded with `fill`. */
export function hdu(cards: string[], data: Buffer = Buffer.alloc(0), fill = 0): Buffer {
  const text = [...cards.map(card), card('END')].join('');
  const header = Buffer.alloc(Math.ceil(text.length / 2880) * 2880, 0x20);
  header.write(text, 'latin1');
  const padded = Buffer.alloc(Math.ceil(data.length / 2880) * 2880, fill);
  data.copy(padded);
  return Buffer.concat([header, padded]);
}

/** Deterministic bytes: a data unit whose content shows if a byte moves. */
export function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export const primaryEmpty = (...extra: string[]): Buffer =>
  hdu([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0), kv('EXTEND', true), ...extra]);

/** A 16-bit image primary HDU of w x h pixels. */
export function primaryImage(w: number, h: number, extra: string[] = [], seed = 1): Buffer {
  return hdu([kv('SIMPLE', true), kv('BITPIX', 16), kv('NAXIS', 2), kv('NAXIS1', w), kv('NAXIS2', h), kv('EXTEND', true), ...extra], pattern(2 * w * h, seed));
}

/** A binary table of `rows` rows (one 32-bit integer column, one double), big-endian values. */
export function binTable(rows: number, extname: string, extra: string[] = []): Buffer {
  const data = Buffer.alloc(rows * 12);
  for (let r = 0; r < rows; r++) {
    data.writeInt32BE(r * 7 - 3, r * 12);
    data.writeDoubleBE(r / 3, r * 12 + 4);
  }
  return hdu(
    [
      kv('XTENSION', 'BINTABLE'),
      kv('BITPIX', 8),
      kv('NAXIS', 2),
      kv('NAXIS1', 12),
      kv('NAXIS2', rows),
      kv('PCOUNT', 0),
      kv('GCOUNT', 1),
      kv('TFIELDS', 2),
      kv('TTYPE1', 'ID'),
      kv('TFORM1', '1J'),
      kv('TTYPE2', 'FLUX'),
      kv('TFORM2', '1D'),
      kv('EXTNAME', extname),
      ...extra,
    ],
    data,
  );
}

/** An IMAGE extension with 32-bit integers. */
export function imageExt(w: number, h: number, extname: string, seed = 3): Buffer {
  const data = Buffer.alloc(4 * w * h);
  for (let i = 0; i < w * h; i++) data.writeInt32BE(((i * 2654435761) >>> 8) - (seed << 20), 4 * i);
  return hdu(
    [kv('XTENSION', 'IMAGE'), kv('BITPIX', 32), kv('NAXIS', 2), kv('NAXIS1', w), kv('NAXIS2', h), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('EXTNAME', extname)],
    data,
  );
}

/** An ASCII table: one I10 column; its fill is blanks, as the standard says. */
export function asciiTable(values: number[], extname: string): Buffer {
  const data = Buffer.from(values.map((v) => String(v).padStart(10)).join(''), 'latin1');
  return hdu(
    [
      kv('XTENSION', 'TABLE'),
      kv('BITPIX', 8),
      kv('NAXIS', 2),
      kv('NAXIS1', 10),
      kv('NAXIS2', values.length),
      kv('PCOUNT', 0),
      kv('GCOUNT', 1),
      kv('TFIELDS', 1),
      kv('TTYPE1', 'N'),
      kv('TBCOL1', 1),
      kv('TFORM1', 'I10'),
      kv('EXTNAME', extname),
    ],
    data,
    0x20,
  );
}

export function writeFits(path: string, ...hdus: Buffer[]): string {
  writeFileSync(path, Buffer.concat(hdus));
  return path;
}

export function writeSpec(dir: string, spec: unknown, name = 'spec.json'): string {
  const p = join(dir, name);
  writeFileSync(p, typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2));
  return p;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/dax.js <args>`; `input` goes to stdin. */
export function daxRun(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Run {
  const env = opts.env ? { ...process.env, ...opts.env } : undefined;
  const r = spawnSync(process.execPath, [dax, ...args], { cwd: opts.cwd, input: opts.input ?? '', encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `dax` without waiting, for tests that signal it. */
export function daxSpawn(args: string[], cwd?: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, [dax, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** fitsverify's verdict: ok only with 0 errors and 0 warnings (an inconsistent checksum is a warning). */
export function fitsverify(path: string): { ok: boolean; report: string } {
  const r = spawnSync(requireTool('fitsverify', 'fitsverify'), [path], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const report = r.stdout + r.stderr;
  return { ok: /Verification found 0 warning\(s\) and 0 error\(s\)/.test(report), report };
}

export async function scan(path: string): Promise<FitsFile> {
  const r = await scanFits(path);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** HDU i of f (0 is the primary); fails the test, naming the file, when f has fewer. */
export function hduAt(f: FitsFile, i: number): FitsFile['hdus'][number] {
  const h = f.hdus[i];
  if (h === undefined) throw new Error(`${f.path} has ${f.hdus.length} HDUs, no HDU ${i}`);
  return h;
}

/** The card images of an HDU, without CHECKSUM and DATASUM. */
export function imagesWithoutSums(images: string[]): string[] {
  return images.filter((i) => !i.startsWith('CHECKSUM=') && !i.startsWith('DATASUM ='));
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}


// Debian's astropy (package python3-astropy), not whatever `python3` a pyenv shim resolves to.
const PYTHON = '/usr/bin/python3';
const ASTROPY_CHECK = `
import sys, warnings
warnings.simplefilter('error')  # any warning (a checksum that fails, a card it must fix) fails
from astropy.io import fits
with fits.open(sys.argv[1], checksum=True) as hdul:
    hdul.verify('exception')
    for h in hdul:
        h.data
print('ok', len(hdul))
`;

/** Whether Debian's astropy can be imported; the reason when not. */
export function astropyMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import astropy.io.fits'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return `astropy is not importable by ${PYTHON} (install Debian's python3-astropy: apt-get install -y python3-astropy): ${(r.error?.message ?? r.stderr).trim()}`;
}

/** astropy's verdict on a file opened with checksum verification, warnings as errors. */
export function astropyVerify(path: string): { ok: boolean; report: string } {
  const r = spawnSync(PYTHON, ['-c', ASTROPY_CHECK, path], { encoding: 'utf8' });
  if (r.error) throw new Error(`${PYTHON} cannot run (apt-get install -y python3-astropy): ${r.error.message}`);
  const report = r.stdout + r.stderr;
  return { ok: r.status === 0 && r.stderr === '' && r.stdout.startsWith('ok '), report };
}
