// The sources map of `dax merge --sources FILE`: each fitsFile source's location, as the
// specification writes it (`host:/path/x.fits`), to the local file that holds a copy of it
// (relative to the map's directory): the file's path, or an object with it in `local` (the
// acquisition workspace's sources.json, whose entries also carry the transfer state).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type MergeError, mergeError } from './errors.js';
import { type Result, ok, err } from '../util/result.js';

export interface SourcesMap {
  /** Where it was read from, for messages. */
  origin: string;
  /** Location -> absolute local path. */
  files: ReadonlyMap<string, string>;
}

/** A JSON pointer token (RFC 6901): `~` and `/` escaped. */
function token(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reads and validates the sources map at `file`. */
export async function loadSourcesMap(file: string): Promise<Result<SourcesMap, MergeError>> {
  const origin = path.resolve(file);
  let text: string;
  try {
    text = await readFile(origin, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return err(mergeError('sources-map-not-found', `sources map ${origin}: ${why}`, { file: origin }));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return err(mergeError('bad-sources-map', `sources map ${origin}: invalid JSON: ${(e as Error).message}`, { file: origin, pointer: '/' }));
  }
  return parseSourcesMap(data, origin, path.dirname(origin));
}

/** Validates a parsed sources map; relative paths resolve against `dir`. */
export function parseSourcesMap(data: unknown, origin: string, dir: string): Result<SourcesMap, MergeError> {
  const bad = (pointer: string, message: string): Result<SourcesMap, MergeError> =>
    err(mergeError('bad-sources-map', `sources map ${origin}: ${pointer}: ${message}`, { file: origin, pointer }));
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return bad('/', 'must be an object mapping each source location to a local file, e.g. {"fcs-host:/data/x.fits": "sources/1_fcs_x.fits"}');
  }
  const files = new Map<string, string>();
  for (const [location, entry] of Object.entries(data)) {
    let pointer = `/${token(location)}`;
    if (location === '') return bad(pointer, 'a location cannot be empty');
    let value: unknown = entry;
    const isEntry = typeof entry === 'object' && entry !== null && !Array.isArray(entry);
    if (isEntry) {
      pointer += '/local';
      value = (entry as { local?: unknown }).local;
    }
    if (typeof value !== 'string' || value === '') {
      return bad(pointer, isEntry ? `must be the local file's path, a non-empty string, not ${JSON.stringify(value) ?? 'missing'}` : `must be a non-empty string (the local file's path) or an object with it in "local", not ${JSON.stringify(value)}`);
    }
    if (value.includes('\0')) return bad(pointer, 'a path cannot contain NUL');
    files.set(location, path.resolve(dir, value));
  }
  return ok({ origin, files });
}
