import type { Command } from 'commander';
import { ExitRequest } from './main.js';
import { runMerge, type MergeErrorKind, type MergeEvent } from '../fits/index.js';
import { assertNever } from '../util/result.js';
import { exitCode, INTERNAL } from './merge-exit.js';
import { readStdin } from './options.js';

interface MergeCliOptions {
  root?: string;
  outfile?: string;
  sources?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose: number;
}

const EXIT_HELP = `
Exit codes:
  0    success
  100  specification file (or --sources file) not found
  101  invalid JSON
  102  specification (or --sources file) fails its checks (the message names the JSON path)
  110  a referenced source file not found (host:path locations are read at path on this machine,
       or where --sources maps them; a location missing from the map)
  111  a source file is not valid FITS
  130  interrupted (nothing written)
  255  internal error (also: the output cannot be written)`;


// Levels of detail: warnings and the result always; -v INFO, -vv DEBUG, -vvv TRACE.
type Level = 0 | 1 | 2 | 3;

function levelOf(e: MergeEvent): Level {
  switch (e.type) {
    case 'warning':
    case 'result':
      return 0;
    case 'step':
    case 'source':
      return 1;
    case 'debug':
      return 2;
    case 'trace':
      return 3;
    default:
      return assertNever(e);
  }
}

function human(e: MergeEvent): string {
  switch (e.type) {
    case 'step':
      return `info: ${e.message}`;
    case 'source': {
      const where = e.path ? ` (${e.path})` : '';
      const which = e.index === 'target' ? 'target' : `source ${e.index + 1}`;
      return `info: ${which} ${JSON.stringify(e.sourceName)}${where}: ${e.keywords} keyword(s), ${e.extensions} extension(s)`;
    }
    case 'warning':
      return `warning: ${e.message}`;
    case 'debug':
      return `debug: ${e.message}`;
    case 'trace':
      return `trace: ${e.message}`;
    case 'result':
      return e.dryRun
        ? `dry run: would write ${e.path} (${e.hdus} HDUs, ${e.bytes} bytes); nothing written`
        : `wrote ${e.path} (${e.hdus} HDUs, ${e.bytes} bytes)`;
    default:
      return assertNever(e);
  }
}

/** `dax merge`: see acquisitions.md. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('build a FITS data product from a Data Product Specification (JSON)')
    .argument('<spec>', 'the specification file, or - to read it from stdin')
    .option('--root <dir>', "relative source paths resolve against DIR (default: the spec's directory, or . for stdin)")
    .option('-o, --outfile <file>', 'the output file (default: <fileId>.fits under the root)')
    .option('--sources <file>', 'JSON map of each fitsFile location (as in the spec) to its local file (relative to FILE\'s directory)')
    .option('--dry-run', 'validate everything and write nothing; inputs are opened read-only')
    .option('--json', 'status messages on stdout, one JSON object per line')
    .option('-v, --verbose', 'more detail: -v INFO, -vv DEBUG, -vvv TRACE', (_v: string, prev: number) => prev + 1, 0)
    .version(program.version() ?? '0.0.0', '--version')
    .addHelpText('after', EXIT_HELP)
    .action(async (specArg: string, opts: MergeCliOptions, cmd: Command) => {
      // The root program also has a counting -v; whichever parser took the flags, add them up.
      const globalVerbose = cmd.parent?.opts<{ verbose?: number }>().verbose ?? 0;
      const verbose = Math.min(3, opts.verbose + globalVerbose);
      const json = opts.json === true;
      // A reader that goes away (`dax merge --json spec | head -1`) must not crash the merge.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
      });
      const out = (line: string): void => void process.stdout.write(line + '\n');
      const emit = (e: MergeEvent): void => {
        if (levelOf(e) > verbose && !(json && levelOf(e) <= 1)) return;
        if (json) out(JSON.stringify({ time: new Date().toISOString(), ...e }));
        else if (e.type === 'result') out(human(e));
        else process.stderr.write(`dax merge: ${human(e)}\n`);
      };
      const fail = (code: number, kind: MergeErrorKind, message: string): never => {
        if (json) out(JSON.stringify({ time: new Date().toISOString(), type: 'error', code, kind, message }));
        process.stderr.write(`dax merge: error: ${message}\n`);
        throw new ExitRequest(code);
      };

      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runMerge({
          spec: specArg === '-' ? { json: await readStdin(), origin: '-' } : specArg,
          root: opts.root,
          outfile: opts.outfile,
          sources: opts.sources,
          dryRun: opts.dryRun === true,
          onEvent: emit,
          signal: controller.signal,
        });
        if (!result.ok) return fail(exitCode(result.error.kind), result.error.kind, result.error.message);
      } catch (e) {
        if (e instanceof ExitRequest) throw e;
        // A bug: say so with the stack, and end with the documented code.
        return fail(INTERNAL, 'internal', `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
