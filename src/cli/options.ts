// Options every command shares, and usage errors (exit 2). Light: no engine modules, so a
// command can answer early (e.g. a no-op run) before loading them.
import type { Command } from 'commander';
import type { LogLevel } from '../events/loggers.js';
import { Exit } from './exit.js';
import { ExitRequest, type GlobalOptions } from './main.js';

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function logLevel(g: GlobalOptions): LogLevel {
  const l = g.logLevel ?? (g.verbose > 0 ? 'debug' : 'info');
  if (l === 'error' || l === 'warn' || l === 'info' || l === 'debug') return l;
  usageError(`--log-level must be one of error, warn, info, debug (got ${JSON.stringify(l)})`);
}

export function usageError(message: string): never {
  process.stderr.write(`dax: ${message}\n`);
  throw new ExitRequest(Exit.usage);
}
