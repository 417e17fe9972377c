// Scans a FITS file: every HDU's header (parsed) and the place and size of its data unit.
// Data units are never read here; the writer streams them.
import { open, type FileHandle } from 'node:fs/promises';
import type { Card } from './card.js';
import { BLOCK, CARDS_PER_BLOCK, parseHeader } from './header.js';
import { type DataUnit, dataUnit } from './hdu.js';
import { CARD_LENGTH } from './card.js';
import { type Result, ok, err } from '../util/result.js';

export interface Hdu {
  index: number;
  headerOffset: number;
  headerBytes: number;
  /** The header's card images, END excluded. */
  images: string[];
  cards: Card[];
  dataOffset: number;
  data: DataUnit;
}

export interface FitsFile {
  path: string;
  size: number;
  /** Never empty: a FITS file has a primary HDU. */
  hdus: [Hdu, ...Hdu[]];
}

export type ReadError =
  | { kind: 'notFound'; path: string; message: string }
  /** `hdu`: the 1-based number of the HDU at fault, when one is. */
  | { kind: 'invalid'; path: string; message: string; hdu?: number }
  | { kind: 'io'; path: string; message: string };

// Headers are read a few blocks at a time: most fit in one read.
const HEADER_READ_BLOCKS = 8;

/** Opens `path` read-only and scans its HDUs. */
export async function scanFits(path: string): Promise<Result<FitsFile, ReadError>> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    return err(ioError(path, e));
  }
  try {
    return await scanHandle(fh, path);
  } catch (e) {
    return err(ioError(path, e));
  } finally {
    await fh.close();
  }
}

function ioError(path: string, e: unknown): ReadError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'ENOENT') return { kind: 'notFound', path, message: `${path}: no such file` };
  if (code === 'EISDIR') return { kind: 'invalid', path, message: `${path}: is a directory, not a FITS file` };
  return { kind: 'io', path, message: msg };
}

export async function scanHandle(fh: FileHandle, path: string): Promise<Result<FitsFile, ReadError>> {
  const st = await fh.stat();
  const size = st.size;
  const invalid = (message: string, hdu?: number): Result<FitsFile, ReadError> => err({ kind: 'invalid', path, message: `${path}: ${message}`, hdu });
  if (st.isDirectory()) return invalid('is a directory, not a FITS file');
  // Offsets and sizes come from the header, so the file must be one we can seek in.
  if (!st.isFile()) return invalid('not a regular file');
  if (size === 0) return invalid('empty file, not FITS');
  const hdus: Hdu[] = [];
  let offset = 0;
  const buf = Buffer.alloc(BLOCK * HEADER_READ_BLOCKS);
  while (offset < size) {
    const primary = hdus.length === 0;
    const where = primary ? 'primary header' : `HDU ${hdus.length + 1} at byte ${offset}`;
    const images: string[] = [];
    let headerBytes = 0;
    let ended = false;
    while (!ended) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset + headerBytes);
      const blocks = Math.floor(bytesRead / BLOCK);
      if (blocks === 0) {
        if (primary && headerBytes === 0 && buf.toString('latin1', 0, Math.min(9, bytesRead)) !== 'SIMPLE  ='.slice(0, Math.min(9, bytesRead))) {
          return invalid('not a FITS file (it does not start with SIMPLE)');
        }
        return invalid(`${where}: the file ends inside the header (no END card)`, hdus.length + 1);
      }
      for (let b = 0; b < blocks && !ended; b++) {
        const block = buf.subarray(b * BLOCK, (b + 1) * BLOCK);
        if (headerBytes === 0 && block.toString('latin1', 0, 9) !== (primary ? 'SIMPLE  =' : 'XTENSION=')) {
          if (primary) return invalid('not a FITS file (it does not start with SIMPLE)');
          return invalid(`${where}: ${size - offset} bytes after the last HDU that are not an extension`);
        }
        const bad = block.findIndex((c) => c < 0x20 || c > 0x7e);
        if (bad >= 0) return invalid(`${where}: byte ${offset + headerBytes + bad} in the header is not printable ASCII`, hdus.length + 1);
        const text = block.toString('latin1');
        headerBytes += BLOCK;
        for (let k = 0; k < CARDS_PER_BLOCK; k++) {
          const image = text.slice(k * CARD_LENGTH, (k + 1) * CARD_LENGTH);
          if (image.startsWith('END     ') && image.slice(8).trim() === '') {
            ended = true;
            break;
          }
          images.push(image);
        }
      }
    }
    const cards = parseHeader(images);
    if (!cards.ok) return invalid(`${where}: ${cards.error}`, hdus.length + 1);
    const data = dataUnit(cards.value, primary);
    if (!data.ok) return invalid(`${where}: ${data.error}`, hdus.length + 1);
    const dataOffset = offset + headerBytes;
    if (dataOffset + data.value.padded > size) {
      return invalid(`${where}: truncated: the data unit needs ${data.value.padded} bytes, the file has ${size - dataOffset} left`, hdus.length + 1);
    }
    hdus.push({ index: hdus.length, headerOffset: offset, headerBytes, images, cards: cards.value, dataOffset, data: data.value });
    offset = dataOffset + data.value.padded;
  }
  // size > 0, so the loop above scanned the primary HDU at least.
  const [primary, ...extensions] = hdus;
  if (primary === undefined) throw new Error(`${path}: scanned no HDU`);
  return ok({ path, size, hdus: [primary, ...extensions] });
}
