// Options every command shares, and usage errors (exit 2). Light: no engine modules, so a
// command can answer early (e.g. a no-op run) before loading them.
import type { Command } from 'commander';
import type { LogLevel } from '../events/loggers.js';
import { Exit } from './exit.js';
import { ExitRequest, type GlobalOptions } from './main.js';

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** The Data Product Manager's levels, mapped onto dax's. */
const SEED_LEVELS: Record<string, LogLevel> = {
  ERROR: 'error', WARNING: 'warn', STATE: 'info', EVENT: 'info', ACTION: 'info', INFO: 'info', DEBUG: 'debug', TRACE: 'debug',
};

export function logLevel(g: GlobalOptions): LogLevel {
  const l = SEED_LEVELS[g.logLevel ?? ''] ?? g.logLevel ?? (g.verbose > 0 ? 'debug' : 'info');
  if (l === 'error' || l === 'warn' || l === 'info' || l === 'debug') return l;
  usageError(`--log-level must be one of error, warn, info, debug (or ERROR, WARNING, STATE, EVENT, ACTION, INFO, DEBUG, TRACE), got ${JSON.stringify(l)}`);
}

export function usageError(message: string): never {
  process.stderr.write(`dax: ${message}\n`);
  throw new ExitRequest(Exit.usage);
}

/** All of standard input, as text (a specification given as `-`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
