// External programs some tests need (Debian packages listed in scripts/test-packages.txt). A test
// asks here, so a missing one fails with what to install rather than with ENOENT.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | undefined>();

function which(command: string): string | undefined {
  if (!found.has(command)) {
    let hit: string | undefined;
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
      if (dir === '') continue;
      try {
        accessSync(join(dir, command), constants.X_OK);
        hit = join(dir, command);
        break;
      } catch {
        /* not in this directory */
      }
    }
    found.set(command, hit);
  }
  return found.get(command);
}

/** The path of `command`; throws naming the Debian package to install when it is not on PATH. */
export function requireTool(command: string, debianPackage: string): string {
  const p = which(command);
  if (p === undefined) throw new Error(`${command} not found: install the Debian package ${debianPackage} (bash scripts/install-test-deps)`);
  return p;
}
