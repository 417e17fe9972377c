// Streams a byte range from one file to another while summing it for DATASUM: one pass over the
// data, a few fixed-size buffers whatever the size. Reads run one chunk ahead and writes one
// chunk behind the summing, so disk and CPU overlap.
import type { FileHandle } from 'node:fs/promises';
import { sum32 } from './checksum.js';
import { type Result, ok, err } from '../util/result.js';

export const DEFAULT_CHUNK = 8 * 1024 * 1024;

export interface CopyOptions {
  /** Bytes per read and write; a multiple of 4. */
  chunk?: number;
  signal?: AbortSignal;
}

export type CopyError = { kind: 'truncated'; message: string } | { kind: 'aborted'; message: string };

/** Copies `length` bytes from `src` at `srcOffset` to `dst` at `dstOffset`; resolves to their sum. */
export async function copyAndSum(
  src: FileHandle,
  srcOffset: number,
  length: number,
  dst: FileHandle,
  dstOffset: number,
  opts: CopyOptions = {},
): Promise<Result<number, CopyError>> {
  const chunk = Math.min(opts.chunk ?? DEFAULT_CHUNK, Math.max(length, 4));
  if (chunk % 4 !== 0) throw new Error(`copy chunk ${chunk} is not a multiple of 4`);
  const n = Math.ceil(length / chunk);
  if (n === 0) return ok(0);
  // Three buffers: one being read, one being summed, one being written.
  const bufs = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
  const len = (i: number): number => Math.min(chunk, length - i * chunk);
  let sum = 0;
  let readP = readFully(src, bufs[0], len(0), srcOffset);
  let writeP: Promise<void> | null = null;
  try {
    for (let i = 0; i < n; i++) {
      const got = await readP;
      if (got < len(i)) {
        return err({ kind: 'truncated', message: `the file ends ${length - i * chunk - got} bytes early (did it change while merging?)` });
      }
      if (opts.signal?.aborted) return err({ kind: 'aborted', message: 'interrupted' });
      if (i + 1 < n) readP = readFully(src, bufs[(i + 1) % 3], len(i + 1), srcOffset + (i + 1) * chunk);
      const b = bufs[i % 3];
      sum = sum32(b, sum, 0, len(i));
      if (writeP) await writeP;
      writeP = writeFully(dst, b, len(i), dstOffset + i * chunk);
    }
    if (writeP) await writeP;
    writeP = null;
  } finally {
    // Let no read or write still use a buffer, nor fail unobserved, after we return.
    await Promise.allSettled([readP, writeP ?? Promise.resolve()]);
  }
  return ok(sum);
}

async function readFully(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

export async function writeFully(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await fh.write(buf, done, length - done, position + done);
    done += bytesWritten;
  }
}
