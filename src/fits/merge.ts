// The merger behind `dax merge`: builds one FITS data product from a prepared specification
// by the rules of acquisitions.md. Sources are opened read-only; the product is written to a
// temporary name beside the output and renamed into place only when complete.
import { open, rename, unlink, stat, access, constants, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Card } from './card.js';
import { cardName, formatCard } from './card.js';
import type { PreparedSpec } from './spec.js';
import { type FitsFile, type Hdu, type ReadError, scanHandle } from './reader.js';
import { applyRules } from './rules.js';
import { REGISTERED_XTENSIONS } from './hdu.js';
import { claimTemp, removeStaleTemps, tempPath } from '../util/temp.js';
import type { SourcesMap } from './sources.js';
import { FitsWriter, headerWithSums, type DataSource } from './writer.js';
import { type MergeError, mergeError } from './errors.js';
import { type Result, ok, err, assertNever } from '../util/result.js';

export type MergeEvent =
  | { type: 'step'; step: 'resolve' | 'scan' | 'keywords' | 'cleanup' | 'write' | 'rename' | 'dry-run'; message: string }
  | {
      type: 'source';
      index: number | 'target';
      sourceName: string;
      sourceType: 'fitsKeywords' | 'fitsFile';
      path?: string;
      /** Keywords this source put into the primary header. */
      keywords: number;
      /** Extension HDUs appended from it. */
      extensions: number;
    }
  | { type: 'warning'; message: string; sourceName?: string }
  | { type: 'debug'; message: string }
  | { type: 'trace'; message: string }
  | { type: 'result'; path: string; hdus: number; bytes: number; dryRun: boolean };

export interface MergeOptions {
  /** Relative source locations resolve against it. */
  root: string;
  /** The output file; default `<root>/<fileId>.fits`. */
  outfile?: string;
  /** Where each fitsFile location is read; without it, locations resolve against `root`. */
  sources?: SourcesMap;
  dryRun: boolean;
  emit: (e: MergeEvent) => void;
  signal?: AbortSignal;
  /** Copy chunk size in bytes. */
  chunk?: number;
  /** The clock, for DATE. */
  now?: () => Date;
}

export interface MergeResult {
  path: string;
  hdus: number;
  bytes: number;
}

/** A spec location: `host:path` is remote, anything else a local path. */
export interface Location {
  /** Where the file is read on this machine. */
  local: string;
  host?: string;
}

/**
 * `host:path` (as scp writes it: a colon before any slash) names a file on another host. Used by
 * hand, `dax merge` reads it at the same path on this machine (`host:/abs` -> `/abs`, as on a
 * shared file system; `host:rel` -> `<root>/rel`). Write `./a:b.fits` for a local name with a colon.
 */
export function resolveLocation(location: string, root: string): Location {
  const m = /^(?<host>[^/:]+):(?<path>.+)$/.exec(location)?.groups;
  if (m?.host && m.path) return { host: m.host, local: path.resolve(root, m.path) };
  return { local: path.resolve(root, location) };
}

// Structure keywords: never copied into the primary header (CHECKSUM/DATASUM are recomputed).
const STRUCTURE = new Set(['SIMPLE', 'BITPIX', 'NAXIS', 'EXTEND', 'XTENSION', 'PCOUNT', 'GCOUNT', 'GROUPS', 'TFIELDS', 'END', 'CHECKSUM', 'DATASUM']);
const STRUCTURE_INDEXED = /^(NAXIS|TFORM|TBCOL)\d+$/;
// Written by the merger whatever the sources say.
const RESERVED = new Set(['ARCFILE', 'ORIGFILE', 'DATE']);
// The leading mandatory block of a primary header, after which the merger inserts its keywords.
const PRIMARY_MANDATORY = /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|GROUPS|PCOUNT|GCOUNT)$/;

export function isStructure(name: string): boolean {
  return STRUCTURE.has(name) || STRUCTURE_INDEXED.test(name);
}

/** Collision key: value and HIERARCH keywords collide by name; commentary never collides. */
function keyOf(card: Card): string | null {
  switch (card.kind) {
    case 'value':
      return `v:${card.name}`;
    case 'hierarch':
      return `h:${card.name}`;
    case 'commentary':
    case 'end':
      return null;
    default:
      return assertNever(card);
  }
}

function describe(card: Card): string {
  const f = formatCard(card);
  return f.ok ? f.value.map((s) => s.trimEnd()).join(' | ') : cardName(card);
}

interface OpenSource {
  name: string;
  /** Index in `sources`, or 'target'. */
  index: number | 'target';
  location: string;
  fh: FileHandle;
  file: FitsFile;
}

/** Output HDU: its cards (no CHECKSUM, DATASUM, END) and where its data unit comes from. */
interface PlannedHdu {
  cards: Card[];
  data: DataSource | null;
  from: string;
  /** The source file and 1-based HDU number it is copied from (none for a new primary). */
  file?: string;
  hdu?: number;
}

export async function merge(prepared: PreparedSpec, opts: MergeOptions): Promise<Result<MergeResult, MergeError>> {
  const opened: OpenSource[] = [];
  try {
    return await mergeOpened(prepared, opts, opened);
  } finally {
    await Promise.allSettled(opened.map((o) => o.fh.close()));
  }
}

async function openSource(
  name: string,
  index: number | 'target',
  location: string,
  opts: MergeOptions,
): Promise<Result<OpenSource, MergeError>> {
  const label = `source ${JSON.stringify(name)}`;
  let loc: Location;
  const map = opts.sources;
  if (map) {
    const mapped = map.files.get(location);
    if (mapped === undefined) {
      return err(mergeError('source-not-found', `${label}: location ${location} is not in the sources map ${map.origin}`, { file: map.origin }));
    }
    loc = { local: mapped };
    opts.emit({ type: 'debug', message: `${label}: location ${location} read from ${mapped} (sources map ${map.origin})` });
  } else {
    loc = resolveLocation(location, opts.root);
    if (loc.host !== undefined) opts.emit({ type: 'debug', message: `${label}: remote location ${location} read locally as ${loc.local}` });
  }
  let fh: FileHandle;
  try {
    fh = await open(loc.local, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const message =
        loc.host !== undefined
          ? `${label}: ${location} is on host ${loc.host}; dax merge reads local files only and ${loc.local} does not exist here ` +
            '(collect the file first, or give a local location)'
          : map
            ? `${label}: ${loc.local} not found (the local file of ${location} in the sources map ${map.origin})`
            : `${label}: ${loc.local} not found`;
      return err(mergeError('source-not-found', message, { file: loc.local }));
    }
    if (code === 'EISDIR') return err(mergeError('invalid-fits', `${label}: ${loc.local} is a directory, not a FITS file`, { file: loc.local }));
    return err(mergeError('source-unreadable', `${label}: cannot open ${loc.local}: ${(e as Error).message}`, { file: loc.local }));
  }
  let scanned: Result<FitsFile, ReadError>;
  try {
    scanned = await scanHandle(fh, loc.local);
  } catch (e) {
    await fh.close();
    return err(mergeError('source-unreadable', `${label}: cannot read ${loc.local}: ${(e as Error).message}`, { file: loc.local }));
  }
  if (!scanned.ok) {
    await fh.close();
    const e = scanned.error;
    switch (e.kind) {
      case 'notFound':
        return err(mergeError('source-not-found', `${label}: ${e.message}`, { file: e.path }));
      case 'invalid':
        return err(mergeError('invalid-fits', `${label}: not valid FITS: ${e.message}`, { file: e.path, hdu: e.hdu }));
      case 'io':
        return err(mergeError('source-unreadable', `${label}: cannot read: ${e.message}`, { file: e.path }));
      default:
        return assertNever(e);
    }
  }
  const file = scanned.value;
  // Its extensions are copied unchanged: one of a type no reader knows would spoil the product.
  for (const h of file.hdus.slice(1)) {
    const x = h.data.xtension ?? '';
    if (!REGISTERED_XTENSIONS.has(x)) {
      await fh.close();
      return err(
        mergeError(
          'unregistered-extension',
          `${label}: ${file.path} HDU ${h.index + 1}: XTENSION = ${JSON.stringify(x)} is not a registered extension type ` +
            `(${[...REGISTERED_XTENSIONS].join(', ')}); it cannot be merged into a valid product`,
          { file: file.path, hdu: h.index + 1 },
        ),
      );
    }
  }
  opts.emit({ type: 'debug', message: `${label}: ${file.path}: ${file.hdus.length} HDU(s), ${file.size} bytes` });
  return ok({ name, index, location, fh, file });
}

async function mergeOpened(prepared: PreparedSpec, opts: MergeOptions, opened: OpenSource[]): Promise<Result<MergeResult, MergeError>> {
  const { spec } = prepared;
  const emit = opts.emit;
  const fileId = spec.target.fileId;
  const outfile = path.resolve(opts.root, opts.outfile ?? `${fileId}.fits`);

  // 1. Open and scan every FITS file: the target and the fitsFile sources.
  emit({ type: 'step', step: 'scan', message: `scanning the FITS sources of ${spec.id}` });
  let target: OpenSource | undefined;
  if (spec.target.source) {
    const t = await openSource(spec.target.source.sourceName, 'target', spec.target.source.location, opts);
    if (!t.ok) return t;
    opened.push(t.value);
    target = t.value;
  }
  const files = new Map<number, OpenSource>();
  for (const [i, source] of spec.sources.entries()) {
    if (source.type !== 'fitsFile') continue;
    const s = await openSource(source.sourceName, i, source.location, opts);
    if (!s.ok) return s;
    opened.push(s.value);
    files.set(i, s.value);
  }

  // 2. The output HDUs: the target's (or a new empty primary), then every source's extensions.
  const plan = (o: OpenSource, h: Hdu): PlannedHdu => ({
    cards: withoutSums(h.cards),
    data: h.data.padded > 0 ? { fh: o.fh, offset: h.dataOffset, length: h.data.padded } : null,
    from: `${o.name} HDU ${h.index + 1}`,
    file: o.file.path,
    hdu: h.index + 1,
  });
  const base: PlannedHdu = target ? plan(target, target.file.hdus[0]) : { cards: newPrimary(), data: null, from: 'new primary HDU' };
  const extensions: PlannedHdu[] = target ? target.file.hdus.slice(1).map((h) => plan(target, h)) : [];
  const extensionsFrom = new Map<number, number>();
  for (const [i, s] of files) {
    const primary = s.file.hdus[0];
    if (primary.data.padded > 0) {
      emit({
        type: 'warning',
        sourceName: s.name,
        message: `source ${JSON.stringify(s.name)}: its primary data unit (${primary.data.bytes} bytes) is not copied; only its keywords and extensions are merged`,
      });
    }
    for (const h of s.file.hdus.slice(1)) extensions.push(plan(s, h));
    extensionsFrom.set(i, s.file.hdus.length - 1);
  }

  // 3. The primary header.
  emit({ type: 'step', step: 'keywords', message: 'merging primary-header keywords' });
  const date = (opts.now ?? (() => new Date()))();
  const stamp = date.toISOString().slice(0, 19);
  const primary = buildPrimary(prepared, base.cards, files, target, extensions.length > 0, emit);
  const reserved: Card[] = [
    { kind: 'value', name: 'DATE', value: { type: 'string', value: date.toISOString().slice(0, 23) }, comment: 'UTC date the file was written' },
    { kind: 'value', name: 'ORIGFILE', value: { type: 'string', value: path.basename(outfile) }, comment: 'original file name' },
    { kind: 'value', name: 'ARCFILE', value: { type: 'string', value: `${fileId}.fits` }, comment: 'archive file name' },
  ];
  // Long strings continued with CONTINUE: declare the convention, as FITS readers expect.
  if (primary.cards.some(isContinued) && !primary.cards.some((c) => c.kind === 'value' && c.name === 'LONGSTRN')) {
    reserved.push({ kind: 'value', name: 'LONGSTRN', value: { type: 'string', value: 'OGIP 1.0' }, comment: 'long strings continue with CONTINUE' });
  }
  primary.cards.splice(primary.insertAt, 0, ...reserved);
  const hdus: PlannedHdu[] = [{ ...base, cards: primary.cards }, ...extensions];
  for (const [i, source] of spec.sources.entries()) {
    opts.emit({
      type: 'source',
      index: i,
      sourceName: source.sourceName,
      sourceType: source.type,
      path: files.get(i)?.file.path,
      keywords: primary.counts.get(i) ?? 0,
      extensions: extensionsFrom.get(i) ?? 0,
    });
  }
  if (target) {
    emit({
      type: 'source',
      index: 'target',
      sourceName: target.name,
      sourceType: 'fitsFile',
      path: target.file.path,
      keywords: 0,
      extensions: target.file.hdus.length - 1,
    });
  }

  // Every header must serialize before anything is written.
  let total = 0;
  for (const [n, h] of hdus.entries()) {
    const s = headerWithSums(h.cards, stamp);
    if (!s.ok) return err(mergeError('internal', `HDU ${n + 1} (${h.from}): ${s.error}`));
    total += s.value.bytes.length + (h.data?.length ?? 0);
  }

  const dir = path.dirname(outfile);
  const writable = await checkWritableDir(dir);
  if (!writable.ok) return writable;
  if (opts.dryRun) {
    emit({ type: 'step', step: 'dry-run', message: `dry run: would write ${outfile} (${hdus.length} HDUs, ${total} bytes)` });
    emit({ type: 'result', path: outfile, hdus: hdus.length, bytes: total, dryRun: true });
    return ok({ path: outfile, hdus: hdus.length, bytes: total });
  }

  // 4. Write under a temporary name beside the output, then rename it into place.
  if (opts.signal?.aborted) return err(mergeError('interrupted', 'interrupted; nothing written'));
  // A merge killed outright (kill -9, power loss) leaves its temporary: the next one here removes it.
  for (const stale of removeStaleTemps(dir)) emit({ type: 'step', step: 'cleanup', message: `removed ${stale}, left by a merge that is no longer running` });
  const temp = tempPath(outfile);
  const release = claimTemp(temp);
  if (!release) return err(mergeError('write-failed', `another merge in this process is writing ${outfile}`, { file: outfile }));
  emit({ type: 'step', step: 'write', message: `writing ${hdus.length} HDUs to ${temp}` });
  let out: FileHandle | undefined;
  let renamed = false;
  let created = false;
  try {
    out = await open(temp, 'wx');
    created = true;
    const writer = new FitsWriter(out, { chunk: opts.chunk, signal: opts.signal });
    for (const [n, h] of hdus.entries()) {
      const w = await writer.writeHdu(h.cards, h.data, stamp);
      if (!w.ok) {
        const e = w.error;
        switch (e.kind) {
          case 'aborted':
            return err(mergeError('interrupted', 'interrupted; nothing written'));
          case 'truncated':
            return err(mergeError('source-changed', `${h.from} (${h.file}): ${e.message}`, { file: h.file, hdu: h.hdu }));
          case 'header':
            return err(mergeError('internal', `HDU ${n + 1} (${h.from}): ${e.message}`));
          default:
            return assertNever(e);
        }
      }
      emit({ type: 'debug', message: `HDU ${n + 1} from ${h.from}: ${w.value.headerBytes} + ${w.value.dataBytes} bytes, DATASUM ${w.value.datasum}, CHECKSUM ${w.value.checksum}${w.value.copied ? `, data copied ${w.value.copied === 'kernel' ? 'in the kernel' : 'through buffers'}` : ''}` });
    }
    // Complete on disk before it takes the output's name: a crash leaves the old state or the new.
    await writer.sync();
    await out.close();
    out = undefined;
    if (opts.signal?.aborted) return err(mergeError('interrupted', 'interrupted; nothing written'));
    emit({ type: 'step', step: 'rename', message: `renaming to ${outfile}` });
    await rename(temp, outfile);
    renamed = true;
    await syncDir(dir);
  } catch (e) {
    return err(mergeError('write-failed', `writing ${outfile}: ${(e as Error).message}`, { file: outfile }));
  } finally {
    if (out) await out.close().catch(() => undefined);
    if (created && !renamed) await unlink(temp).catch(() => undefined);
    release();
  }
  emit({ type: 'result', path: outfile, hdus: hdus.length, bytes: total, dryRun: false });
  return ok({ path: outfile, hdus: hdus.length, bytes: total });
}

async function checkWritableDir(dir: string): Promise<Result<void, MergeError>> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) return err(mergeError('output-not-writable', `output directory ${dir} is not a directory`, { file: dir }));
    await access(dir, constants.W_OK);
    return ok(undefined);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not writable' : (e as Error).message;
    return err(mergeError('output-not-writable', `output directory ${dir} ${why}`, { file: dir }));
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename itself has happened.
  } finally {
    await d.close();
  }
}

function isContinued(card: Card): boolean {
  if (card.kind !== 'value' && card.kind !== 'hierarch') return false;
  const f = formatCard(card);
  return f.ok && f.value.length > 1;
}

function withoutSums(cards: readonly Card[]): Card[] {
  return cards.filter((c) => !(c.kind === 'value' && (c.name === 'CHECKSUM' || c.name === 'DATASUM')));
}

function newPrimary(): Card[] {
  return [
    { kind: 'value', name: 'SIMPLE', value: { type: 'logical', value: true }, comment: 'conforms to FITS standard' },
    { kind: 'value', name: 'BITPIX', value: { type: 'integer', value: 8n }, comment: 'array data type' },
    { kind: 'value', name: 'NAXIS', value: { type: 'integer', value: 0n }, comment: 'number of array dimensions' },
    { kind: 'value', name: 'EXTEND', value: { type: 'logical', value: true }, comment: 'the file may contain extensions' },
  ];
}

interface PrimaryHeader {
  cards: Card[];
  /** Where the reserved keywords go: after the mandatory keywords. */
  insertAt: number;
  /** Keywords each source contributed. */
  counts: Map<number, number>;
}

/**
 * The primary header: the base (target's or new) without CHECKSUM, DATASUM and the reserved
 * keywords, then each source's keywords in priority order. A value or HIERARCH keyword already
 * set by a higher-priority source is skipped; one the base has is replaced where it stands;
 * others, and all commentary, are appended in the source's own order.
 */
function buildPrimary(
  prepared: PreparedSpec,
  base: readonly Card[],
  files: Map<number, OpenSource>,
  target: OpenSource | undefined,
  hasExtensions: boolean,
  emit: (e: MergeEvent) => void,
): PrimaryHeader {
  const cards = base.filter((c) => !(c.kind === 'value' && (RESERVED.has(c.name) || c.name === 'CHECKSUM' || c.name === 'DATASUM')));
  let insertAt = cards.findIndex((c) => c.kind !== 'value' || !PRIMARY_MANDATORY.test(c.name));
  if (insertAt < 0) insertAt = cards.length;
  if (hasExtensions) {
    // Extensions follow: EXTEND must say so.
    const e = cards.findIndex((c) => c.kind === 'value' && c.name === 'EXTEND');
    const current = cards[e]; // undefined when e = -1
    const extend: Card = { kind: 'value', name: 'EXTEND', value: { type: 'logical', value: true }, comment: 'the file may contain extensions' };
    if (current === undefined) {
      cards.splice(insertAt, 0, extend);
      insertAt++;
      emit({ type: 'debug', message: 'EXTEND = T added to the primary header: extensions follow' });
    } else if (current.kind !== 'value' || current.value.type !== 'logical' || !current.value.value) {
      cards[e] = extend;
      emit({ type: 'debug', message: 'EXTEND set to T: extensions follow' });
    }
  }
  const inBase = new Map<string, number>();
  for (const [i, c] of cards.entries()) {
    const k = keyOf(c);
    if (k !== null && !inBase.has(k)) inBase.set(k, i);
  }
  const taken = new Map<string, string>(); // key -> the source that set it
  const counts = new Map<number, number>();
  const { spec } = prepared;
  const appended: Card[] = [];
  const targetName = target ? `target ${JSON.stringify(target.name)}` : 'the new primary header';

  for (const [i, source] of spec.sources.entries()) {
    const name = source.sourceName;
    const label = `source ${JSON.stringify(name)}`;
    const fromSpec = source.type === 'fitsKeywords';
    let input: Card[];
    switch (source.type) {
      case 'fitsKeywords':
        input = prepared.keywords[i] ?? [];
        break;
      case 'fitsFile': {
        const file = files.get(i);
        if (!file) throw new Error(`fitsFile source ${i} was not opened`);
        // The first input of the rules: all non-structure keywords of the primary header.
        const first = file.file.hdus[0].cards.filter((c) => !(c.kind === 'value' && isStructure(c.name)));
        const rules = prepared.rules[i];
        input = rules === undefined ? first : applyRules(first, rules, (m) => emit({ type: 'warning', sourceName: name, message: `${label}: ${m}` }));
        break;
      }
      default:
        return assertNever(source);
    }
    let count = 0;
    for (const card of input) {
      if (card.kind === 'value' && isStructure(card.name)) {
        const m = `${label}: ${card.name} is a structure keyword; not copied`;
        emit(fromSpec ? { type: 'warning', sourceName: name, message: m } : { type: 'debug', message: m });
        continue;
      }
      if (card.kind === 'value' && RESERVED.has(card.name)) {
        const m = `${label}: ${card.name} is written by the merger; the source's value is not used`;
        emit(fromSpec ? { type: 'warning', sourceName: name, message: m } : { type: 'debug', message: m });
        continue;
      }
      const key = keyOf(card);
      if (key !== null) {
        const owner = taken.get(key);
        if (owner !== undefined) {
          if (owner === name) emit({ type: 'warning', sourceName: name, message: `${label}: ${cardName(card)} appears twice; the first is kept` });
          else emit({ type: 'debug', message: `${label}: ${cardName(card)} skipped: source ${JSON.stringify(owner)} has priority` });
          continue;
        }
        taken.set(key, name);
        const at = inBase.get(key);
        if (at !== undefined) {
          cards[at] = card;
          emit({ type: 'debug', message: `${label}: ${cardName(card)} replaces the value in ${targetName}` });
          emit({ type: 'trace', message: `= ${describe(card)}  (${name})` });
          count++;
          continue;
        }
      }
      appended.push(card);
      emit({ type: 'trace', message: `+ ${describe(card)}  (${name})` });
      count++;
    }
    counts.set(i, count);
  }
  return { cards: [...cards, ...appended], insertAt, counts };
}
