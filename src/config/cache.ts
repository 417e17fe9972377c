// A cache of the loaded Config under .dax/, keyed by the Daxfile and its includes (path, size,
// mtime), the --set values, the DAX_VAR_ environment and dax's version. On a hit dax does not
// load the YAML parser or the schema validator at all: a no-op run is mostly start-up, and those
// two are most of it. Deleting .dax/ is always safe: the cache is rebuilt.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { buildStamp } from '../util/build.js';
import { daxVarEnv } from './vars.js';
import type { Config, ConfigError, Loc } from './model.js';
import type { LoadOptions } from './load.js';

export const DAXFILE_NAME = 'Daxfile.yaml';
import type { Result } from '../util/result.js';

const FORMAT = 1;

interface CacheFile {
  format: number;
  version: string;
  key: string;
  stamps: Array<[string, number, number]>;
  config: Omit<Config, 'locate'>;
}

export function daxfilePath(opts: Pick<LoadOptions, 'cwd' | 'directory' | 'file'>): string {
  return path.resolve(opts.cwd, opts.directory ?? '.', opts.file ?? DAXFILE_NAME);
}

function keyOf(opts: LoadOptions, version: string): string {
  return JSON.stringify([version, buildStamp(), daxfilePath(opts), opts.sets, daxVarEnv(opts.env), opts.env['DATAROOT'] ?? null]);
}

function stamp(file: string): [string, number, number] | undefined {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? [file, s.size, s.mtimeMs] : undefined;
}

function withLocate(c: Omit<Config, 'locate'>): Config {
  // Key positions are not cached: errors found after loading point at the rule's own loc.
  return { ...c, locate: (file: string): Loc => ({ file, line: 1, col: 1 }) };
}

export async function loadConfigCached(opts: LoadOptions, version: string): Promise<Result<Config, ConfigError>> {
  const daxfile = daxfilePath(opts);
  const cacheFile = path.join(path.dirname(daxfile), '.dax', 'config-cache.json');
  const key = keyOf(opts, version);
  try {
    const c = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheFile;
    if (c.format === FORMAT && c.version === version && c.key === key && c.stamps.every((s) => {
      const now = stamp(s[0]);
      return now !== undefined && now[1] === s[1] && now[2] === s[2];
    })) {
      return { ok: true, value: withLocate(c.config) };
    }
  } catch {
    /* no cache, or an unreadable one: load */
  }
  const { loadConfig } = await import('./load.js');
  const r = loadConfig(opts);
  if (!r.ok) return r;
  const stamps = r.value.files.map(stamp).filter((s): s is [string, number, number] => s !== undefined);
  const { locate: _locate, ...config } = r.value;
  // Only into an existing .dax/: a command that ends in a config or plan error (exit 2), a dry
  // run or a status must not create the project's state directory.
  if (!existsSync(path.dirname(cacheFile))) return r;
  // A read-only project still works, just without the cache: a failed write is ignored.
  writeFileAtomic(cacheFile, JSON.stringify({ format: FORMAT, version, key, stamps, config } satisfies CacheFile));
  return r;
}
