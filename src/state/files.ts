// File facts for planning: stats cached per run (a no-op run only stats), content hashes
// computed only when a size/mtime change must be confirmed, or when a job's inputs are recorded.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface FileStat {
  size: number;
  mtimeMs: number;
}

const SMALL = 4 << 20;

export class Files {
  private readonly stats = new Map<string, FileStat | null>();
  private readonly hashes = new Map<string, { size: number; mtimeMs: number; hash: string }>();

  private readonly prefix: string;

  constructor(readonly projectDir: string) {
    this.prefix = projectDir.endsWith(path.sep) ? projectDir : projectDir + path.sep;
  }

  abs(rel: string): string {
    // Paths in the graph are normalized and project-relative, so plain concatenation is exact.
    return this.prefix + rel;
  }

  /** Stat of a project-relative path; null when it does not exist. Cached until forgotten. */
  stat(rel: string): FileStat | null {
    const hit = this.stats.get(rel);
    if (hit !== undefined) return hit;
    const s = statSync(this.abs(rel), { throwIfNoEntry: false });
    const v = s ? { size: s.size, mtimeMs: s.mtimeMs } : null;
    this.stats.set(rel, v);
    return v;
  }

  /** Drops what is known of a path (a job wrote or removed it). */
  forget(rel: string): void {
    this.stats.delete(rel);
  }

  /** Content hash of the file as it is now (sha1, base64url). */
  hashSync(rel: string): string | undefined {
    const st = this.stat(rel);
    if (!st) return undefined;
    const hit = this.hashes.get(rel);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.hash;
    let hash: string;
    try {
      hash = createHash('sha1').update(readFileSync(this.abs(rel))).digest('base64url');
    } catch {
      return undefined;
    }
    this.hashes.set(rel, { size: st.size, mtimeMs: st.mtimeMs, hash });
    return hash;
  }

  /** Like hashSync, but streams large files so the event loop keeps running jobs. */
  async hash(rel: string): Promise<string | undefined> {
    const st = this.stat(rel);
    if (!st) return undefined;
    if (st.size <= SMALL) return this.hashSync(rel);
    const hit = this.hashes.get(rel);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.hash;
    const h = createHash('sha1');
    try {
      for await (const chunk of createReadStream(this.abs(rel), { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    } catch {
      return undefined;
    }
    const hash = h.digest('base64url');
    this.hashes.set(rel, { size: st.size, mtimeMs: st.mtimeMs, hash });
    return hash;
  }
}
