// The command line of a plain `dax run`, read without commander: a no-op run answers in tens of
// milliseconds, and importing and building the commander program would be a good part of them.
// Anything this does not know (help, --opt=value, bundled flags, `--`, other commands) returns
// undefined, and commander parses the command line as always.
import type { GlobalOptions } from './main.js';
import type { RunOptions } from './run.js';

export interface FastRun {
  globals: GlobalOptions;
  targets: string[];
  opts: RunOptions;
}

/** `args`: the arguments after node and the script. */
export function parseFastRun(args: string[]): FastRun | undefined {
  const g: GlobalOptions = { verbose: 0 };
  const opts: RunOptions = { set: [] };
  const targets: string[] = [];
  let command = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('-')) return undefined;
      i++;
      return v;
    };
    if (!a.startsWith('-') || a === '-') {
      if (!command) {
        if (a !== 'run') return undefined;
        command = true;
      } else targets.push(a);
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
      default:
        if (!command) return undefined;
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
  return command ? { globals: g, targets, opts } : undefined;
}
