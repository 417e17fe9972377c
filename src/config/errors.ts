// Config errors as the user sees them: "Daxfile.yaml:12:5: rules.gen.timeout: expected ...".
import path from 'node:path';
import { MAX_CONFIG_ERRORS, type ConfigError, type Loc } from './model.js';

/** A file path as shown to the user: relative to cwd when it lies below it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export function formatLoc(loc: Loc, cwd?: string): string {
  return `${displayPath(loc.file, cwd)}:${loc.line}:${loc.col}`;
}

/** The first error carrying the others (at most MAX_CONFIG_ERRORS in all); undefined for none. */
export function configErrors(list: readonly ConfigError[]): ConfigError | undefined {
  const [first, ...rest] = list.flatMap((e) => [e, ...(e.more ?? [])].map(({ more: _more, ...one }) => one));
  if (!first) return undefined;
  return rest.length > 0 ? { ...first, more: rest.slice(0, MAX_CONFIG_ERRORS - 1) } : first;
}

/** An error and the ones it carries, one after another; the caller prefixes the first line. */
export function formatConfigError(e: ConfigError, cwd?: string): string {
  const all = [formatOne(e, cwd), ...(e.more ?? []).map((m) => formatOne(m, cwd))];
  if (all.length > 1) all.push(all.length >= MAX_CONFIG_ERRORS ? `${all.length} errors listed (dax lists at most ${MAX_CONFIG_ERRORS})` : `${all.length} errors`);
  return all.join('\n');
}

function formatOne(e: ConfigError, cwd?: string): string {
  const parts: string[] = [];
  if (e.loc) parts.push(formatLoc(e.loc, cwd));
  if (e.key) parts.push(e.key);
  parts.push(e.message);
  let s = parts.join(': ');
  if (e.hint) s += `\n  hint: ${e.hint}`;
  return s;
}
