import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Exit } from './exit.js';
import { parseFast } from './fastargs.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION = pkg.version;

/** docs/daxfile.md of this dax, where it is installed; the name in the sources otherwise. */
function daxfileDoc(): string {
  const p = fileURLToPath(new URL('../../docs/daxfile.md', import.meta.url));
  return existsSync(p) ? p : 'docs/daxfile.md in the dax sources';
}

/** Global options shared by every command. */
export interface GlobalOptions {
  directory?: string;
  file?: string;
  logLevel?: string;
  workspace?: string;
  verbose: number;
}

export async function buildProgram(argv: string[]): Promise<Command> {
  const [{ Command }, { registerCommands }] = await Promise.all([import('commander'), import('./commands.js')]);
  const { Help } = await import('commander');
  const plain = new Help();
  const program = new Command('dax')
    .description('A Make-style declarative pipeline runner')
    .configureHelp({
      // A repeatable option starts from an empty list: "(default: [])" tells a reader nothing.
      optionDescription: (o) => (Array.isArray(o.defaultValue) && o.defaultValue.length === 0 ? o.description : plain.optionDescription(o)),
      // -C, -f, -v... act in the commands too: each command's help lists them.
      showGlobalOptions: true,
    })
    .addHelpText('after', `\nThe Daxfile reference: ${daxfileDoc()}\nA command's options: dax help COMMAND (or dax COMMAND --help).`)
    .version(pkg.version, '--version')
    .option('-C, --directory <dir>', 'run as if started in DIR (reads DIR/Daxfile.yaml)')
    .option('-f, --file <file>', 'the Daxfile to read (default: Daxfile.yaml)')
    .option('--log-level <level>', 'error, warn, info, debug')
    .option('--workspace <dir>', "the acquisitions' workspace (wins over the Daxfile's workspace: and $DATAROOT)")
    .option('-v, --verbose', "more detail: dax run and dax watch log at debug level, with each job's command", (_v: string, prev: number) => prev + 1, 0)
    .showHelpAfterError()
    .exitOverride();
  await registerCommands(program, argv);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // A plain `dax run` or `dax queue` skips commander (see fastargs.ts): most of a no-op run's or
  // a queue's time is start-up.
  const fast = parseFast(argv.slice(2));
  if (fast) {
    try {
      switch (fast.command) {
        case 'run':
          return await (await import('./run.js')).runWith(fast.globals, fast.targets, fast.opts);
        case 'queue': {
          // Loaded side by side: each module graph loaded after another costs its own file reads.
          const [{ queueCommand }] = await Promise.all([import('./acq.js'), import('../acquisition/queue.js')]);
          return await queueCommand(fast.globals, fast.spec, fast.root);
        }
      }
    } catch (e) {
      return ended(e);
    }
  }
  const program = await buildProgram(argv);
  try {
    const { commandArgs } = await import('./commands.js');
    await program.parseAsync(commandArgs(argv));
    return typeof process.exitCode === 'number' ? process.exitCode : Exit.ok;
  } catch (e) {
    const { CommanderError } = await import('commander');
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (e.exitCode === 0) return Exit.ok;
      return Exit.usage;
    }
    return ended(e);
  }
}

/** The exit code for what a command threw: its exit request, else a bug in dax. */
function ended(e: unknown): number {
  if (e instanceof ExitRequest) return e.code;
  process.stderr.write(`dax: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return Exit.internal;
}

/** Thrown by a command action to end with a given exit code after it printed its message. */
export class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
