// Keeping paths inside the project through symlinks: a project-relative path is inside when its
// directory, links resolved, lies in the project directory or in a place the Daxfile lists under
// allow_outside. Checked at planning, for every input, output and cwd, before anything runs.
// One lstat per distinct directory: a directory is inside when its parent is and it is not a
// link, so planning 10^5 jobs in a few directories costs a few system calls.
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export class Containment {
  /** Project-relative directory -> undefined (inside) or why it is outside. */
  private readonly verdicts = new Map<string, string | undefined>([['', undefined]]);
  private readonly root: string;
  private readonly allowed: string[];

  constructor(
    private readonly projectDir: string,
    allowOutside: readonly string[],
  ) {
    this.root = real(projectDir) ?? projectDir;
    this.allowed = allowOutside.map((p) => real(p) ?? p);
  }

  /** Why `rel` (a file, or with `isDir` a directory) lies outside the project, or undefined. */
  outside(rel: string, isDir = false): string | undefined {
    let dir: string;
    if (isDir) dir = rel === '.' ? '' : rel;
    else {
      const slash = rel.lastIndexOf('/');
      dir = slash < 0 ? '' : rel.slice(0, slash);
    }
    return this.verdict(dir);
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
