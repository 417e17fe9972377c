// The command lines of a plain `dax run` and `dax queue`, read without commander: a no-op run or
// a queued acquisition answers in tens of milliseconds, and importing and building the commander
// program would be a good part of them. Anything this does not know (help, --opt=value, bundled
// flags, `--`, other commands) returns undefined, and commander parses the command line as always.
import type { GlobalOptions } from './main.js';
import type { RunOptions } from './run.js';

export type Fast =
  | { command: 'run'; globals: GlobalOptions; targets: string[]; opts: RunOptions }
  | { command: 'queue'; globals: GlobalOptions; spec: string; root?: string };

/** `args`: the arguments after node and the script. */
export function parseFast(args: string[]): Fast | undefined {
  const g: GlobalOptions = { verbose: 0 };
  const opts: RunOptions = { set: [] };
  let root: string | undefined;
  const positional: string[] = [];
  let command: Fast['command'] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('-')) return undefined;
      i++;
      return v;
    };
    if (!a.startsWith('-') || a === '-') {
      if (command === undefined) {
        if (a !== 'run' && a !== 'queue') return undefined;
        command = a;
      } else positional.push(a);
      continue;
    }
    // Global options may come before or after the command, as with commander.
    let v: string | undefined;
    switch (a) {
      case '-C':
      case '--directory':
        if ((v = value()) === undefined) return undefined;
        g.directory = v;
        break;
      case '-f':
      case '--file':
        if ((v = value()) === undefined) return undefined;
        g.file = v;
        break;
      case '--log-level':
        if ((v = value()) === undefined) return undefined;
        g.logLevel = v;
        break;
      case '-v':
      case '--verbose':
        g.verbose++;
        break;
      case '--workspace':
        if ((v = value()) === undefined) return undefined;
        g.workspace = v;
        break;
      default:
        if (command === 'queue') {
          if (a !== '--root' || (v = value()) === undefined) return undefined;
          root = v;
          break;
        }
        if (command !== 'run') return undefined;
        switch (a) {
          case '-j':
          case '--jobs':
            if ((v = value()) === undefined) return undefined;
            opts.jobs = v;
            break;
          case '-n':
          case '--dry-run':
            opts.dryRun = true;
            break;
          case '-k':
          case '--keep-going':
            opts.keepGoing = true;
            break;
          case '--set':
            if ((v = value()) === undefined) return undefined;
            opts.set.push(v);
            break;
          case '--json':
            opts.json = true;
            break;
          default:
            return undefined;
        }
    }
  }
  switch (command) {
    case undefined:
      return undefined;
    case 'run':
      // --workspace is a --set for the run, which the no-op check before the Daxfile does not see.
      return g.workspace === undefined ? { command, globals: g, targets: positional, opts } : undefined;
    case 'queue':
      // Exactly one specification; anything else is commander's to explain.
      return positional.length === 1 ? { command, globals: g, spec: positional[0]!, ...(root !== undefined ? { root } : {}) } : undefined;
  }
}
