import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config, ConfigError } from '../../src/config/model.js';

/** A temp project with the given files (path -> text). */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dax-config-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

export function load(dir: string, opts: { sets?: Record<string, string>; env?: NodeJS.ProcessEnv; file?: string; directory?: string } = {}) {
  return loadConfig({ cwd: dir, sets: opts.sets ?? {}, env: opts.env ?? {}, file: opts.file, directory: opts.directory });
}

export function loaded(dir: string, opts: Parameters<typeof load>[1] = {}): Config {
  const r = load(dir, opts);
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

/** The error of loading `files`, with its location as "file:line:col" relative to the project. */
export function failure(files: Record<string, string>, opts: Parameters<typeof load>[1] = {}): ConfigError & { at: string } {
  const dir = project(files);
  const r = load(dir, opts);
  expect(r.ok, 'expected a config error').toBe(false);
  if (r.ok) throw new Error('unreachable');
  const e = r.error;
  const at = e.loc ? `${path.relative(dir, e.loc.file)}:${e.loc.line}:${e.loc.col}` : '';
  return { ...e, at };
}
