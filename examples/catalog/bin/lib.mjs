// Shared helpers of the catalog example tools: arguments, atomic writes, the row schema.
import { cleanUpTempsOnSignals, writeFileAtomic } from 'dax-pipeline';
import { Chunker } from 'dax-pipeline/chunks';

/** Value columns every generated table carries after id, ra, dec. `flag` may be empty (NULL). */
export const VALUE_COLUMNS = ['flux', 'flag'];

/** Table names become file names and SQL identifiers; an underscore is fine (Forced_Source). */
export const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export class UsageError extends Error {}

/**
 * Parses `--name value` options; names in `lists` take every following argument up to the
 * next `--option`. Unknown or missing options are usage errors.
 */
export function parseOptions(argv, { required, optional = [], lists = [] }) {
  const known = new Set([...required, ...optional, ...lists]);
  const opts = {};
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    if (!known.has(name)) throw new UsageError(`unknown option ${arg}`);
    if (lists.includes(name)) {
      const values = [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
      if (values.length === 0) throw new UsageError(`${arg} needs at least one value`);
      opts[name] = [...(opts[name] ?? []), ...values];
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      opts[name] = argv[++i];
    }
  }
  for (const name of [...required, ...lists]) {
    if (opts[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  return opts;
}

export function intOption(opts, name, min = 0) {
  const text = opts[name];
  if (!/^\d+$/.test(text ?? '') || Number(text) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
  return Number(text);
}

export function numberOption(opts, name, min = -Infinity) {
  const n = Number(opts[name]);
  if (opts[name] === undefined || opts[name].trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`--${name} must be a number ≥ ${min}, got "${opts[name]}"`);
  }
  return n;
}

export function tableOption(opts) {
  if (!TABLE_NAME.test(opts.table)) throw new UsageError(`--table must be a letter then letters, digits or _, got "${opts.table}"`);
  return opts.table;
}

/** The chunker and a checked chunk id from --stripes, --substripes and --chunk. */
export function chunkOptions(opts) {
  const made = Chunker.create(intOption(opts, 'stripes', 1), intOption(opts, 'substripes', 1));
  if (!made.ok) throw new UsageError(made.error);
  const chunk = intOption(opts, 'chunk');
  if (!made.value.isValidChunk(chunk)) throw new UsageError(made.value.invalidChunkMessage(chunk));
  return { chunker: made.value, chunk };
}

/** Writes beside `file` then renames into place, durably: readers see the old file or the whole new one. */
export function writeAtomic(file, text) {
  const r = writeFileAtomic(file, text, { durable: true });
  if (!r.ok) throw new Error(r.error.message);
}

/**
 * Runs a tool's main: usage errors exit 2, anything else 1, each with one plain line. SIGTERM or
 * SIGINT (dax cancelling a job) removes the temp of an unfinished write: no temporaries are left
 * in the output tree.
 */
export function run(tool, main) {
  cleanUpTempsOnSignals();
  try {
    main(process.argv.slice(2));
  } catch (e) {
    const usage = e instanceof UsageError;
    process.stderr.write(`${tool}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = usage ? 2 : 1;
  }
}
