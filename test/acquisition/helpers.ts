// Acquisition projects for the tests: a Daxfile that includes rules/acquisition.yaml, FITS
// sources written from card text, specifications, and status.json read back.
import { readFileSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { project, repo } from '../engine/helpers.js';
import { primaryImage, imageExt, kv, writeFits } from '../fits/helpers.js';

export const ID = 'TEST.2021-05-18T14:49:03.905';

export function acqProject(extra = ''): string {
  return project({
    'Daxfile.yaml': `version: 1\ninclude: [${join(repo, 'rules/acquisition.yaml')}]\n${extra}targets: ['{vars.workspace}/archive/{acq}/status.json']\n`,
  });
}

/** Two FITS sources under data/ (one `big` MB of pixels each when asked), and a spec using them. */
export function sources(dir: string, megabytes = 0): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const side = megabytes > 0 ? Math.ceil(Math.sqrt((megabytes * 1024 * 1024) / 2)) : 8;
  writeFits(join(dir, 'data/fcs.fits'), primaryImage(4, 4, [kv('INSTRUME', 'FCS'), kv('OBJECT', 'M31')]), imageExt(side, side, 'FCS'));
  writeFits(join(dir, 'data/dcs.fits'), primaryImage(side, side, [kv('DETNAME', 'DCS')], 5), imageExt(8, 8, 'DCS'));
}

export function spec(id = ID, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    sources: [
      { type: 'fitsKeywords', sourceName: 'ocm', keywords: [{ type: 'valueKeyword', name: 'ORIGIN', value: 'ESO-PARANAL' }] },
      { type: 'fitsFile', sourceName: 'fcs', location: 'data/fcs.fits' },
    ],
    target: { fileId: `${id}.PROD`, source: { type: 'fitsFile', sourceName: 'dcs', location: 'data/dcs.fits' } },
    ...over,
  };
}

export function writeJson(dir: string, rel: string, data: unknown): string {
  const p = join(dir, rel);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
}

export interface StatusJson {
  id: string;
  state: string;
  error: boolean;
  alerts: Array<{ id: string; severity: string; description: string; timestamp: string }>;
  sources: Array<{ local: string; state: string; method?: string }>;
  receivers: Array<{ state: string; method?: string }>;
}

export function status(dir: string, id = ID, where: 'in-progress' | 'archive' = 'in-progress'): StatusJson {
  return JSON.parse(readFileSync(join(dir, 'workspace', where, id, 'status.json'), 'utf8')) as StatusJson;
}

/** An entry of sources.json: a source's local file and its transfer state. */
export interface SourceEntry {
  local: string;
  state: string;
  attempts: number;
  bytes?: number;
  originMtimeMs?: number;
  method?: string;
  collectedAt?: string;
  error?: string;
}

export function sourcesJson(dir: string, id = ID, where: 'in-progress' | 'archive' = 'in-progress'): Record<string, SourceEntry> {
  return JSON.parse(readFileSync(join(dir, 'workspace', where, id, 'sources.json'), 'utf8')) as Record<string, SourceEntry>;
}

export function queue(dir: string): string[] {
  return JSON.parse(readFileSync(join(dir, 'workspace/queue.json'), 'utf8')) as string[];
}

/** Files of a directory, temporaries included (a half-written file would show here). */
export function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A FITS file's bytes with DATE, CHECKSUM and DATASUM cards blanked: equal products compare equal. */
export function withoutStamps(file: string): Buffer {
  const b = Buffer.from(readFileSync(file));
  for (let at = 0; at + 80 <= b.length; at += 80) {
    const key = b.toString('latin1', at, at + 8);
    if (key === 'DATE    ' || key === 'CHECKSUM' || key === 'DATASUM ') b.fill(0x20, at, at + 80);
  }
  return b;
}
