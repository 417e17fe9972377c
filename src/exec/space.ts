// limits.min_free: dax starts no new job while a watched file system has less free space than
// that, and goes on by itself when space is back. Checked at most every CHECK_MS, since jobs
// may start thousands of times a second.
import { statfsSync } from 'node:fs';

const CHECK_MS = 500;

export type SpaceState = { ok: true } | { ok: false; path: string; free: number };

export class FreeSpace {
  private last = 0;
  private state: SpaceState = { ok: true };

  constructor(
    private readonly paths: string[],
    readonly min: number,
  ) {}

  check(now = Date.now()): SpaceState {
    if (now - this.last < CHECK_MS) return this.state;
    this.last = now;
    this.state = { ok: true };
    for (const p of this.paths) {
      let free: number;
      try {
        const s = statfsSync(p);
        free = s.bavail * s.bsize;
      } catch {
        continue; // a path that went away is reported where it is used
      }
      if (free < this.min) {
        this.state = { ok: false, path: p, free };
        break;
      }
    }
    return this.state;
  }
}
