// A path pattern: a project-relative path with named wildcards, e.g. out/gen/{chunk}.csv.
// It matches a concrete path (giving the wildcard values) and renders one from values.
import path from 'node:path';

/** A piece of a pattern: literal text or a wildcard by name. */
export type Part = string | { wildcard: string };

export { DEFAULT_WILDCARD_PATTERN } from '../config/pattern.js';

// Stands in for a wildcard while the static text is normalized as a path.
const HOLE = '\u0000';

export type PatternError = { message: string };

export class PathPattern {
  readonly wildcards: string[];
  private readonly regex: RegExp;
  private readonly groupNames: string[];
  /** The literal text a match starts and ends with: most paths asked of a rule are told apart
   * by these without the regex. */
  private readonly head: string;
  private readonly tail: string;

  private constructor(
    readonly parts: Part[],
    readonly text: string,
    constraints: (name: string) => string,
  ) {
    const names: string[] = [];
    const seen = new Map<string, number>();
    let src = '^';
    const groupNames: string[] = [];
    for (const p of parts) {
      if (typeof p === 'string') {
        src += escapeRegex(p);
        continue;
      }
      const at = seen.get(p.wildcard);
      if (at !== undefined) {
        src += `\\${at}`; // the same wildcard twice means the same value
        continue;
      }
      groupNames.push(p.wildcard);
      seen.set(p.wildcard, groupNames.length);
      names.push(p.wildcard);
      src += `((?:${constraints(p.wildcard)}))`;
    }
    this.regex = new RegExp(src + '$');
    const first = parts[0];
    const last = parts[parts.length - 1];
    this.head = typeof first === 'string' ? first : '';
    this.tail = typeof last === 'string' ? last : '';
    this.groupNames = groupNames;
    this.wildcards = names;
  }

  /**
   * Builds a pattern from template parts written relative to `baseRel` (a project-relative
   * directory, '' for the project itself). Fails when the static text escapes the project.
   */
  static create(
    rawParts: Part[],
    baseRel: string,
    constraints: (name: string) => string,
  ): PathPattern | PatternError {
    const names: string[] = [];
    let skeleton = '';
    for (const p of rawParts) {
      if (typeof p === 'string') skeleton += p;
      else {
        names.push(p.wildcard);
        skeleton += `${HOLE}${names.length - 1}${HOLE}`;
      }
    }
    const text = rawParts.map((p) => (typeof p === 'string' ? p : `{${p.wildcard}}`)).join('');
    let joined: string;
    if (path.posix.isAbsolute(skeleton)) joined = skeleton;
    else joined = baseRel === '' ? skeleton : `${baseRel}/${skeleton}`;
    const normalized = path.posix.normalize(joined);
    if (normalized === '..' || normalized.startsWith('../') || path.posix.isAbsolute(normalized) || normalized === '.') {
      return { message: `path '${text}' resolves outside the project directory` };
    }
    const parts: Part[] = [];
    for (const [i, piece] of normalized.split(HOLE).entries()) {
      if (i % 2 === 0) {
        if (piece !== '') parts.push(piece);
      } else parts.push({ wildcard: names[Number(piece)]! });
    }
    return new PathPattern(parts, normalized.replace(new RegExp(`${HOLE}(\\d+)${HOLE}`, 'g'), (_m, n: string) => `{${names[Number(n)]}}`), constraints);
  }

  get isStatic(): boolean {
    return this.wildcards.length === 0;
  }

  match(p: string): Record<string, string> | undefined {
    if (!p.startsWith(this.head) || !p.endsWith(this.tail)) return undefined;
    const m = this.regex.exec(p);
    if (!m) return undefined;
    const values: Record<string, string> = {};
    for (let i = 0; i < this.groupNames.length; i++) values[this.groupNames[i]!] = m[i + 1]!;
    return values;
  }

  /** Renders with the given values; every wildcard of the pattern must have one. */
  render(values: Record<string, string>): string {
    let out = '';
    for (const p of this.parts) out += typeof p === 'string' ? p : values[p.wildcard]!;
    return out;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A rendered path is safe when no value smuggled in `..` or an absolute path. */
export function isSafeValue(value: string): boolean {
  if (value === '' || value === '.' || value === '..') return false;
  if (value.includes('\u0000')) return false;
  if (value.includes('/')) {
    if (value.startsWith('/')) return false;
    return !value.split('/').some((seg) => seg === '..' || seg === '.' || seg === '');
  }
  return true;
}

/** Linux's limits (PATH_MAX, NAME_MAX): a longer path cannot be created or even looked up. */
export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;

/** Why a path is too long for the filesystem, or undefined when it is not. */
export function pathTooLong(p: string): string | undefined {
  // A UTF-16 unit is at most 3 bytes of UTF-8: up to 85 units fit any limit. The common case.
  if (p.length <= 85) return undefined;
  const bytes = Buffer.byteLength(p);
  if (bytes > MAX_PATH_BYTES) return `is ${bytes} bytes long; the limit is ${MAX_PATH_BYTES} bytes per path`;
  for (const c of p.split('/')) {
    const n = Buffer.byteLength(c);
    if (n > MAX_NAME_BYTES) return `has a ${n}-byte path component; the limit is ${MAX_NAME_BYTES} bytes per path component`;
  }
  return undefined;
}

/** A long text shortened for a message. */
export function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 40)}…(${s.length} characters)` : s;
}
