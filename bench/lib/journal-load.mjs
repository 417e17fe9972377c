// `node bench/lib/journal-load.mjs` in a project directory: Journal.load('.dax') of dist/, and
// nothing else (the benchmark times the process, node's start-up included).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const { Journal } = await import(pathToFileURL(join(REPO, 'dist/state/journal.js')).href);
const j = Journal.load('.dax');
if (j.jobs.size === 0) throw new Error('the journal is empty');
