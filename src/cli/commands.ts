import type { Command } from 'commander';

type Register = (program: Command) => void;

// Each command lives in its own file and registers itself. Only the command being run is
// imported: `dax run` must not pay at start-up for the FITS merger's schema validator.
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRun,
  status: async () => (await import('./status.js')).registerStatus,
  resume: async () => (await import('./resume.js')).registerResume,
  runs: async () => (await import('./runs.js')).registerRuns,
  merge: async () => (await import('./merge.js')).registerMerge,
  chunks: async () => (await import('./chunks.js')).registerChunks,
  workers: async () => (await import('./workers.js')).registerWorkers,
  queue: async () => (await import('./acq.js')).registerQueue,
  acq: async () => (await import('./acq.js')).registerAcq,
  abort: async () => (await import('./acq.js')).registerAbort,
  watch: async () => (await import('./watch.js')).registerWatch,
  graph: async () => (await import('./graph.js')).registerGraph,
  report: async () => (await import('./report.js')).registerReport,
  list: async () => (await import('./list.js')).registerList,
  log: async () => (await import('./log.js')).registerLog,
  why: async () => (await import('./why.js')).registerWhy,
  clean: async () => (await import('./clean.js')).registerClean,
  touch: async () => (await import('./touch.js')).registerTouch,
  completion: async () => (await import('./completion.js')).registerCompletion,
  __complete: async () => (await import('./complete.js')).registerComplete,
};

/** Global options that take a value: their value is not the command name. */
const GLOBAL_WITH_VALUE = new Set(['-C', '--directory', '-f', '--file', '--log-level', '--workspace']);

/** The command named in argv (after node and the script), if any. */
export function commandName(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (GLOBAL_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

/** Short options a command gives its own meaning where dax has a global one: after `log`,
 * -f is --follow (as tail -f), not --file. Commander reads global options anywhere, so the
 * command line is rewritten before it parses it. */
const LOCAL_SHORT: Record<string, Record<string, string>> = { log: { '-f': '--follow' } };

export function commandArgs(argv: string[]): string[] {
  const args = argv.slice(2);
  const name = commandName(args);
  const local = name === undefined ? undefined : LOCAL_SHORT[name];
  if (!local) return argv;
  const at = args.indexOf(name!);
  const dashes = args.indexOf('--');
  return [...argv.slice(0, 2), ...args.map((a, i) => (i > at && (dashes < 0 || i < dashes) && local[a] ? local[a] : a))];
}

export async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const name = commandName(argv.slice(2));
  const wanted = name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const n of wanted) (await COMMANDS[n]!())(program);
}
