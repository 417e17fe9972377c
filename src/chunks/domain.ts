// Chunk sets as wildcard domains, and `neighbours` as an input expand function: the seams of
// src/graph/plugins.ts. The engine only sees strings; all checking happens here.
import { isAbsolute, resolve } from 'node:path';
import type { DomainPlugin, ExpandFunction, PluginContext } from '../graph/plugins.js';
import { type Result, ok, err } from '../util/result.js';
import { Chunker } from './chunker.js';
import { boxFromDegrees } from './box.js';
import { expandRanges, parseChunkEntry, readChunkListFile } from './chunklist.js';
import { displayPath } from '../config/errors.js';

// Expand functions run once per job (10⁵ jobs): build each chunker once.
const chunkers = new Map<string, Chunker>();

/** A cached chunker for user-given parameters, or why they are unusable. */
export function chunkerFor(stripes: unknown, substripes: unknown): Result<Chunker, string> {
  const s = toInt(stripes);
  const ss = toInt(substripes);
  if (s === undefined) return err(`stripes must be an integer ≥ 1, got ${show(stripes)}`);
  if (ss === undefined) return err(`substripes must be an integer ≥ 1, got ${show(substripes)}`);
  const key = `${s}x${ss}`;
  const cached = chunkers.get(key);
  if (cached) return ok(cached);
  const made = Chunker.create(s, ss);
  if (made.ok) chunkers.set(key, made.value);
  return made;
}

/** `chunks: { stripes, substripes, region?: { ra: [a, b], dec: [c, d] } }` → chunk ids. */
export const chunksDomain: DomainPlugin = {
  key: 'chunks',
  resolve(spec: unknown): Result<string[], string> {
    const ids = resolveChunkSpec(spec);
    return ids.ok ? ok(ids.value.map(String)) : ids;
  },
};

export function resolveChunkSpec(spec: unknown): Result<number[], string> {
  if (!isRecord(spec)) return err(`chunks: expected { stripes, substripes, region? }, got ${show(spec)}`);
  const unknown = Object.keys(spec).filter((k) => k !== 'stripes' && k !== 'substripes' && k !== 'region');
  if (unknown.length > 0) return err(`chunks: unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: stripes, substripes, region)`);
  const chunker = chunkerFor(spec.stripes, spec.substripes);
  if (!chunker.ok) return err(`chunks: ${chunker.error}`);
  if (spec.region === undefined) return ok(chunker.value.getAllChunks());
  const r = spec.region;
  if (!isRecord(r)) return err(`chunks.region: expected { ra: [min, max], dec: [min, max] }, got ${show(r)}`);
  const extra = Object.keys(r).filter((k) => k !== 'ra' && k !== 'dec');
  if (extra.length > 0) return err(`chunks.region: unknown key ${extra.map((k) => `"${k}"`).join(', ')} (allowed: ra, dec)`);
  const ra = pair(r.ra, 'chunks.region.ra');
  if (!ra.ok) return ra;
  const dec = pair(r.dec, 'chunks.region.dec');
  if (!dec.ok) return dec;
  const box = boxFromDegrees(ra.value[0], ra.value[1], dec.value[0], dec.value[1]);
  if (!box.ok) return err(`chunks.region: ${box.error}`);
  return ok(chunker.value.getChunksIn(box.value));
}

/** `ids: [1, "7", "10:20"]` or `ids: { file: chunks.txt }` → ids, first-seen order, no repeats. */
export const idsDomain: DomainPlugin = {
  key: 'ids',
  files(spec: unknown, ctx: PluginContext): string[] {
    if (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && typeof (spec as { file?: unknown }).file === 'string') {
      const f = (spec as { file: string }).file;
      return [isAbsolute(f) ? f : resolve(ctx.baseDir, f)];
    }
    return [];
  },
  resolve(spec: unknown, ctx: PluginContext): Result<string[], string> {
    const ids = resolveIdsSpec(spec, ctx);
    return ids.ok ? ok(ids.value.map(String)) : ids;
  },
};

export function resolveIdsSpec(spec: unknown, ctx: PluginContext): Result<number[], string> {
  if (isRecord(spec) && typeof spec.file === 'string' && Object.keys(spec).length === 1) {
    const path = isAbsolute(spec.file) ? spec.file : resolve(ctx.baseDir, spec.file);
    const ids = readChunkListFile(path, displayPath(path));
    return ids.ok ? ids : err(`ids: ${ids.error}`);
  }
  if (!Array.isArray(spec)) return err(`ids: expected a list of ids or "a:b" ranges, or { file: PATH }, got ${show(spec)}`);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < spec.length; ++i) {
    const v: unknown = spec[i];
    const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
    const entry = text === undefined ? err(`expected a number or string, got ${show(v)}`) : parseChunkEntry(text);
    if (!entry.ok) return err(`ids[${i}]: ${entry.error}`);
    ranges.push(entry.value);
  }
  const ids = expandRanges(ranges);
  return ids.ok ? ids : err(`ids: ${ids.error}`);
}

/** `neighbours(chunkId, widthDeg, stripes, substripes)` with or without the chunk itself. */
function neighboursFunction(name: string, includeSelf: boolean): ExpandFunction {
  return {
    name,
    call(args: string[]): Result<string[], string> {
      const ids = neighbourIds(args, includeSelf);
      return ids.ok ? ok(ids.value.map(String)) : err(`${name}(${args.join(', ')}): ${ids.error}`);
    },
  };
}

export function neighbourIds(args: readonly string[], includeSelf: boolean): Result<number[], string> {
  const [idText, widthText, stripes, substripes] = args;
  if (args.length !== 4 || idText === undefined || widthText === undefined) return err(`expected 4 arguments (chunkId, widthDeg, stripes, substripes), got ${args.length}`);
  const chunker = chunkerFor(stripes, substripes);
  if (!chunker.ok) return chunker;
  const id = toInt(idText, 0);
  if (id === undefined) return err(`chunk id must be a non-negative integer, got "${idText}"`);
  if (!chunker.value.isValidChunk(id)) return err(chunker.value.invalidChunkMessage(id));
  const width = Number(widthText);
  if (widthText.trim() === '' || !Number.isFinite(width) || width < 0) return err(`width must be a number of degrees ≥ 0, got "${widthText}"`);
  const all = chunker.value.neighbours(id, width);
  return ok(includeSelf ? all : all.filter((n) => n !== id));
}

/** The chunk plugins to register with the engine. */
export function chunkPlugins(): { domains: DomainPlugin[]; functions: ExpandFunction[] } {
  return {
    domains: [chunksDomain, idsDomain],
    functions: [neighboursFunction('neighbours', false), neighboursFunction('neighbourhood', true)],
  };
}

// ---- small helpers ----

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An integer ≥ min from a number or a decimal string. */
function toInt(x: unknown, min = 1): number | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^\s*\d+\s*$/.test(x) ? Number(x) : NaN;
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

function pair(x: unknown, where: string): Result<[number, number], string> {
  if (!Array.isArray(x) || x.length !== 2) return err(`${where}: expected [min, max] in degrees, got ${show(x)}`);
  const deg = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
  const a = deg(x[0]);
  const b = deg(x[1]);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return err(`${where}: expected two numbers of degrees, got ${show(x)}`);
  return ok([a, b]);
}

function show(x: unknown): string {
  if (x === undefined) return 'nothing';
  const s = JSON.stringify(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
