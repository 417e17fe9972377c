// The library entry point of the merger: a specification (a path, JSON text or a parsed
// object) in, a Result out. `dax merge` and the acquisition engine both call it; neither needs
// to know how the specification is loaded or where relative locations resolve.
import path from 'node:path';
import { loadSpec, parseSpec, prepareSpec, type PreparedSpec } from './spec.js';
import { merge, type MergeEvent, type MergeResult } from './merge.js';
import type { MergeError } from './errors.js';
import { loadSourcesMap, parseSourcesMap, type SourcesMap } from './sources.js';
import { type Result } from '../util/result.js';

/** Where the specification comes from. */
export type SpecInput =
  /** A file path. */
  | string
  /** JSON text, e.g. read from stdin; `origin` names it in messages (default `-`). */
  | { readonly json: string; readonly origin?: string }
  /** An already parsed specification (validated here all the same). */
  | { readonly spec: unknown; readonly origin?: string };

export interface MergeRequest {
  spec: SpecInput;
  /** Relative source locations resolve against it; default: the spec file's directory, else the current directory. */
  root?: string;
  /** The output file (relative to the current directory); default `<root>/<fileId>.fits`. */
  outfile?: string;
  /**
   * Where each fitsFile source's location is read: a sources map file (JSON, paths relative to
   * its directory), or the map itself (paths relative to `dir`, default the current directory).
   */
  sources?: string | { readonly files: Readonly<Record<string, string>>; readonly dir?: string };
  /** Validate everything, open inputs read-only, write nothing. */
  dryRun?: boolean;
  /** Progress, warnings and detail, in order. */
  onEvent?: (e: MergeEvent) => void;
  /** Aborting it ends the merge with kind `interrupted`; nothing is written. */
  signal?: AbortSignal;
  /** Copy chunk size in bytes (tests and benchmarks). */
  chunk?: number;
  /** The clock, for DATE. */
  now?: () => Date;
}

/** Loads and validates the specification, then merges it. Expected failures are values. */
export async function runMerge(req: MergeRequest): Promise<Result<MergeResult, MergeError>> {
  const emit = req.onEvent ?? ((): void => undefined);
  const prepared = await prepare(req.spec);
  if (!prepared.ok) return prepared;
  const p = prepared.value;
  let sources: SourcesMap | undefined;
  if (req.sources !== undefined) {
    const m = typeof req.sources === 'string' ? await loadSourcesMap(req.sources) : parseSourcesMap(req.sources.files, '(object)', path.resolve(req.sources.dir ?? '.'));
    if (!m.ok) return m;
    sources = m.value;
  }
  emit({ type: 'step', step: 'resolve', message: `specification ${p.origin}: ${p.spec.sources.length} source(s)` });
  const root = path.resolve(req.root ?? (typeof req.spec === 'string' ? path.dirname(path.resolve(req.spec)) : '.'));
  return merge(p, {
    root,
    outfile: req.outfile === undefined ? undefined : path.resolve(req.outfile),
    sources,
    dryRun: req.dryRun === true,
    emit,
    signal: req.signal,
    chunk: req.chunk,
    now: req.now,
  });
}

async function prepare(input: SpecInput): Promise<Result<PreparedSpec, MergeError>> {
  if (typeof input === 'string') return loadSpec(input);
  if ('json' in input) return parseSpec(input.json, input.origin ?? '-');
  return prepareSpec(input.spec, input.origin ?? '(object)');
}
