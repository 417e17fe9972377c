import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
