// Globs over the project's files, for glob inputs and glob domains (tinyglobby). Matches are
// project-relative, sorted, and never outside the project; `watchDirs` names the directories
// whose listing decides what a glob matches (the no-op snapshot stamps them).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PathPattern } from './pattern.js';

// Loaded on first use: most plans have no glob, and every dax start would pay for it.
const require = createRequire(import.meta.url);
let loaded: typeof import('tinyglobby') | undefined;
const tinyglobby = (): typeof import('tinyglobby') => (loaded ??= require('tinyglobby') as typeof import('tinyglobby'));
const escapePath = (p: string): string => tinyglobby().escapePath(p);

/** A glob's text from a pattern whose literal text is literal: wildcards become `*`. */
export function literalGlob(pattern: PathPattern): string {
  let s = '';
  for (const p of pattern.parts) s += typeof p === 'string' ? escapePath(p) : '*';
  return s;
}

/** A glob input rendered for one job: values are data, so their glob characters are escaped. */
export function renderGlob(pattern: PathPattern, values: Record<string, string>): string {
  let s = '';
  for (const p of pattern.parts) s += typeof p === 'string' ? p : escapePath(values[p.wildcard] ?? '');
  return s;
}

/** The files a project-relative glob matches, sorted; a match outside the project is dropped
 * (a brace such as {..,x} could name one; symlinked directories are checked by the caller). */
export function globFiles(projectDir: string, glob: string): string[] {
  const found = tinyglobby().globSync([glob], { cwd: projectDir, expandDirectories: false, onlyFiles: true, dot: false });
  const out: string[] = [];
  for (const f of found) {
    const n = path.posix.normalize(f);
    if (n === '..' || n.startsWith('../') || path.posix.isAbsolute(n)) continue;
    out.push(n);
  }
  return out.sort();
}

/** Project-relative directories whose entries decide what `glob` matches: each existing
 * directory that a prefix of its directory part names. */
export function watchDirs(projectDir: string, glob: string): string[] {
  const segs = path.posix.dirname(glob).split('/').filter((s) => s !== '' && s !== '.');
  const dirs = new Set<string>(['.']);
  for (let k = 1; k <= segs.length; k++) {
    const prefix = segs.slice(0, k).join('/');
    if (!tinyglobby().isDynamicPattern(prefix)) {
      // A directory that does not exist yet: its parent, watched, changes when it appears.
      if (statSync(path.join(projectDir, prefix), { throwIfNoEntry: false })?.isDirectory()) dirs.add(prefix);
      continue;
    }
    for (const d of tinyglobby().globSync([prefix], { cwd: projectDir, expandDirectories: false, onlyDirectories: true, dot: false })) {
      const n = path.posix.normalize(d).replace(/\/$/, '');
      if (n !== '..' && !n.startsWith('../')) dirs.add(n);
    }
  }
  return [...dirs].sort();
}
