// Config errors as the user sees them: "Daxfile.yaml:12:5: rules.gen.timeout: expected ...".
import path from 'node:path';
import type { ConfigError, Loc } from './model.js';

/** A file path as shown to the user: relative to cwd when it lies below it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export function formatLoc(loc: Loc, cwd?: string): string {
  return `${displayPath(loc.file, cwd)}:${loc.line}:${loc.col}`;
}

export function formatConfigError(e: ConfigError, cwd?: string): string {
  const parts: string[] = [];
  if (e.loc) parts.push(formatLoc(e.loc, cwd));
  if (e.key) parts.push(e.key);
  parts.push(e.message);
  let s = parts.join(': ');
  if (e.hint) s += `\n  hint: ${e.hint}`;
  return s;
}
