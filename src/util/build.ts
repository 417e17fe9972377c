// Which build of dax is running: caches written by another build are not trusted. Every build
// rewrites dist/ (tsc emits every file), so this module's own mtime tells builds apart.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let stamp: string | undefined;

export function buildStamp(): string {
  stamp ??= String(statSync(fileURLToPath(import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return stamp;
}
