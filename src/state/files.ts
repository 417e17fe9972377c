// File facts for planning: stats cached per run (a no-op run only stats), content hashes
// computed only when a size/mtime change must be confirmed, or when a job's inputs are recorded.
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** Files larger than this are hashed by streaming (hash), smaller ones in one read. */
export const STREAMED_ABOVE = 4 << 20;
/** Lookups in one directory after which its listing is read. */
const LISTING_AFTER = 16;

export class Files {
  private readonly stats = new Map<string, FileStat | null>();
  private readonly listings = new Map<string, Set<string> | null>();
  private readonly lookups = new Map<string, number>();
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

  /** Whether a path exists. Many lookups in one directory read its listing once instead of
   * a stat per file: a no-op run needs only existence for outputs, and a dry run on an unbuilt
   * tree finds whole directories missing. */
  exists(rel: string): boolean {
    const hit = this.stats.get(rel);
    if (hit !== undefined) return hit !== null;
    const slash = rel.lastIndexOf('/');
    const dir = slash < 0 ? '' : rel.slice(0, slash);
    let listing = this.listings.get(dir);
    if (listing === undefined) {
      const n = (this.lookups.get(dir) ?? 0) + 1;
      this.lookups.set(dir, n);
      if (n < LISTING_AFTER) return this.stat(rel) !== null;
      listing = this.list(dir);
      this.listings.set(dir, listing);
    }
    return listing !== null && listing.has(slash < 0 ? rel : rel.slice(slash + 1));
  }

  private list(dir: string): Set<string> | null {
    try {
      return new Set(readdirSync(dir === '' ? this.projectDir : this.abs(dir)));
    } catch {
      return null; // no such directory: nothing in it exists
    }
  }

  /** Drops what is known of a path (a job wrote or removed it). */
  forget(rel: string): void {
    this.stats.delete(rel);
    const slash = rel.lastIndexOf('/');
    this.listings.delete(slash < 0 ? '' : rel.slice(0, slash));
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
    if (st.size <= STREAMED_ABOVE) return this.hashSync(rel);
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
