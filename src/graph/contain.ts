// Keeping paths inside the project through symlinks: a project-relative path is inside when its
// directory, links resolved, lies in the project directory or in a place the Daxfile lists under
// allow_outside. Checked at planning, for every input, output and cwd, before anything runs.
// One lstat per distinct directory: a directory is inside when its parent is and it is not a
// link, so planning 10^5 jobs in a few directories costs a few system calls.
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

const RECENT = 4;

export class Containment {
  /** Project-relative directory -> undefined (inside) or why it is outside. */
  private readonly verdicts = new Map<string, string | undefined>([['', undefined]]);
  private readonly root: string;
  private readonly allowed: string[];
  private readonly recentDirs: string[] = new Array<string>(RECENT).fill('\u0000');
  private readonly recentVerdicts: Array<string | undefined> = new Array<string | undefined>(RECENT).fill(undefined);
  private next = 0;

  constructor(
    private readonly projectDir: string,
    allowOutside: readonly string[],
  ) {
    this.root = real(projectDir) ?? projectDir;
    this.allowed = allowOutside.map((p) => real(p) ?? p);
  }

  /** Why `rel` (a file, or with `isDir` a directory) lies outside the project, or undefined. */
  outside(rel: string, isDir = false): string | undefined {
    if (isDir) return this.verdict(rel === '.' ? '' : rel);
    const slash = rel.lastIndexOf('/');
    // The directories of the last few paths: a plan names the same few over and over, and a
    // prefix compare is cheaper than slicing a string to look it up.
    for (let i = 0; i < RECENT; i++) {
      const d = this.recentDirs[i]!;
      if (d.length === slash && rel.startsWith(d)) return this.recentVerdicts[i];
    }
    const dir = slash < 0 ? '' : rel.slice(0, slash);
    const v = this.verdict(dir);
    if (slash >= 0) {
      this.recentDirs[this.next] = dir;
      this.recentVerdicts[this.next] = v;
      this.next = (this.next + 1) % RECENT;
    }
    return v;
  }

  private verdict(dir: string): string | undefined {
    if (this.verdicts.has(dir)) return this.verdicts.get(dir);
    const slash = dir.lastIndexOf('/');
    let v = this.verdict(slash < 0 ? '' : dir.slice(0, slash));
    if (v === undefined) {
      const abs = path.join(this.projectDir, dir);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (st?.isSymbolicLink()) {
        const target = real(abs);
        // A dangling link: whatever is made through it would be made where it points.
        const where = target ?? path.resolve(path.dirname(abs), readlinkSync(abs));
        if (!this.isAllowed(where)) v = `${dir} is a symbolic link to ${readlinkSync(abs)}${where !== readlinkSync(abs) ? ` (${where})` : ''}, outside the project directory ${this.root}`;
      }
    }
    this.verdicts.set(dir, v);
    return v;
  }

  private isAllowed(p: string): boolean {
    return within(p, this.root) || this.allowed.some((a) => within(p, a));
  }
}

function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
