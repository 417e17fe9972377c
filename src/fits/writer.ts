// Writes FITS HDUs one after the other to an open file, each with CHECKSUM and DATASUM as its
// last cards. The header goes out first with placeholder sums, the data is streamed and summed,
// then the two final cards are written over the placeholders at their known offset.
import type { FileHandle } from 'node:fs/promises';
import type { Card } from './card.js';
import { formatCard } from './card.js';
import { serializeHeader } from './header.js';
import { CHECKSUM_ZERO, checksumValue, onesAdd, sum32 } from './checksum.js';
import { type CopyError, type CopyOptions, type CopyPath, copyAndSum, copyBuffers, writeFully } from './copy.js';
import { type Result, ok, err } from '../util/result.js';

/** Where an HDU's data unit comes from: a byte range of an open file, already padded. */
export interface DataSource {
  fh: FileHandle;
  offset: number;
  length: number;
}

export interface WrittenHdu {
  offset: number;
  headerBytes: number;
  dataBytes: number;
  datasum: number;
  checksum: string;
  /** How the data unit was copied (null: it had none). */
  copied: CopyPath | null;
}

export function checksumCards(checksum: string, datasum: number, stamp: string): [Card, Card] {
  return [
    { kind: 'value', name: 'CHECKSUM', value: { type: 'string', value: checksum }, comment: `HDU checksum updated ${stamp}` },
    { kind: 'value', name: 'DATASUM', value: { type: 'string', value: String(datasum) }, comment: `data unit checksum updated ${stamp}` },
  ];
}

/** The header bytes of an HDU: its cards plus CHECKSUM and DATASUM placeholders, and END. */
export function headerWithSums(cards: readonly Card[], stamp: string): Result<{ bytes: Buffer; sumsAt: number }, string> {
  const all = [...cards, ...checksumCards(CHECKSUM_ZERO, 0, stamp)];
  const s = serializeHeader(all);
  if (!s.ok) return s;
  const sumsImage = s.value.firstImage[cards.length]; // CHECKSUM's: `all` has cards.length + 2 cards
  if (sumsImage === undefined) throw new Error('the CHECKSUM card has no image');
  return ok({ bytes: s.value.bytes, sumsAt: sumsImage * 80 });
}

// Bytes written between two background flushes.
const FLUSH_EVERY = 128 * 1024 * 1024;

export class FitsWriter {
  /** Bytes written so far: the offset of the next HDU. */
  offset = 0;
  private readonly copy: CopyOptions;
  private unflushed = 0;
  private flushing: Promise<void> | null = null;
  private flushError: Error | undefined = undefined;

  constructor(
    private readonly fh: FileHandle,
    opts: { chunk?: number; signal?: AbortSignal } = {},
  ) {
    // One set of buffers for every data unit: memory stays flat whatever the number of HDUs.
    this.copy = { ...opts, buffers: copyBuffers(opts.chunk), onWritten: (n) => this.written(n) };
  }

  /**
   * The disk writes while the copy goes on: every FLUSH_EVERY bytes an fdatasync starts in the
   * background (one at a time), so the final sync waits for the last stretch only instead of the
   * whole file, and dirty pages never pile up in the page cache.
   */
  private written(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < FLUSH_EVERY || this.flushing) return;
    this.unflushed = 0;
    this.flushing = this.fh.datasync().then(
      () => void (this.flushing = null),
      (e: unknown) => {
        // fdatasync rejects with an Error; anything else is wrapped so sync() throws an Error.
        this.flushError ??= e instanceof Error ? e : new Error(`background fdatasync failed: ${String(e)}`);
        this.flushing = null;
      },
    );
  }

  /** Everything written is on disk (fsync); a failed background flush fails here. */
  async sync(): Promise<void> {
    await this.flushing;
    if (this.flushError !== undefined) throw this.flushError;
    await this.fh.sync();
  }

  /**
   * Appends one HDU. `cards` must not hold END, CHECKSUM or DATASUM; `data.length` must be the
   * padded data-unit size (a multiple of 2880).
   */
  async writeHdu(cards: readonly Card[], data: DataSource | null, stamp: string): Promise<Result<WrittenHdu, CopyError | { kind: 'header'; message: string }>> {
    const h = headerWithSums(cards, stamp);
    if (!h.ok) return err({ kind: 'header', message: h.error });
    const { bytes, sumsAt } = h.value;
    const start = this.offset;
    await writeFully(this.fh, bytes, bytes.length, start);
    let datasum = 0;
    let path: CopyPath | null = null;
    const dataBytes = data ? data.length : 0;
    if (data && data.length > 0) {
      const copied = await copyAndSum(data.fh, data.offset, data.length, this.fh, start + bytes.length, this.copy);
      if (!copied.ok) return copied;
      ({ sum: datasum, path } = copied.value);
    }
    // The final cards: DATASUM's value, then CHECKSUM computed over the header with it in place.
    const finalCards = (checksum: string): Buffer => {
      const [ck, ds] = checksumCards(checksum, datasum, stamp);
      const images = [formatCard(ck), formatCard(ds)];
      const text = images.map((r) => (r.ok && r.value.length === 1 ? r.value[0] : bug('CHECKSUM/DATASUM card'))).join('');
      return Buffer.from(text, 'latin1');
    };
    finalCards(CHECKSUM_ZERO).copy(bytes, sumsAt);
    const checksum = checksumValue(onesAdd(sum32(bytes), datasum));
    const sums = finalCards(checksum);
    await writeFully(this.fh, sums, sums.length, start + sumsAt);
    this.offset = start + bytes.length + dataBytes;
    return ok({ offset: start, headerBytes: bytes.length, dataBytes, datasum, checksum, copied: path });
  }
}

function bug(what: string): never {
  throw new Error(`${what} did not format as one card`);
}
