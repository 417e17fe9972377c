import type { Command } from 'commander';
import { makeLogger } from '../events/loggers.js';
import { Loggers } from '../events/events.js';
import type { RunOutcome } from '../exec/run.js';
import type { LoadedProject } from '../exec/settle.js';
import { newRunId } from '../state/runid.js';
import { noopKey, tryNoop, type NoopOutcome } from '../exec/noop.js';
import { daxfilePath } from '../config/cache.js';
import { parseSets } from '../config/vars.js';
import path from 'node:path';
import { describeHolder } from '../state/lock.js';
import { formatConfigError } from '../config/errors.js';
import { assertNever } from '../util/result.js';
import { trace } from '../util/trace.js';
import { Exit } from './exit.js';
import { ExitRequest, VERSION, type GlobalOptions } from './main.js';
import { globals, logLevel, usageError } from './options.js';

export interface RunOptions {
  jobs?: string;
  workers?: string;
  dryRun?: boolean;
  keepGoing?: boolean;
  force?: boolean;
  set: string[];
  json?: boolean;
  quiet?: boolean;
  printCommands?: boolean;
  /** The run this one continues (dax resume). */
  resumes?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-j, --jobs <n>', 'run at most N jobs at once (default: limits.jobs, else the CPU count)')
    .option('--workers <names>', 'run on these of the Daxfile\'s workers only (comma-separated; local is this machine)')
    .option('-n, --dry-run', 'print each job that would run, and why; run nothing')
    .option('-k, --keep-going', 'keep running jobs that do not depend on a failed one')
    .option('-B, --force', 'rerun even if up to date: the jobs the targets name, or every job when no target is given')
    .option('--set <NAME=VALUE>', 'set a var (repeatable; wins over the Daxfile and DAX_VAR_NAME)', collect, [])
    .option('--json', 'one JSON event per line on stdout')
    .option('-q, --quiet', 'print only warnings, failures and the summary (as --log-level warn)')
    .option('-p, --print-commands', "print each job's command as it starts (and with -n)");
}

export function registerRun(program: Command): void {
  addRunOptions(program.command('run').description('build targets (default: the Daxfile\'s targets)').argument('[targets...]', 'paths, patterns with {wildcards}, rule names, or job names as dax prints them (gen[n=3])')).option('--report <file>', 'at the end, write the run report (HTML) to FILE, as dax report does').action(
    async (targets: string[], opts: RunOptions & { report?: string }, cmd: Command) => {
      const code = await runCommand(cmd, targets, opts);
      // --report goes through commander only (the fast path does not know it).
      throw new ExitRequest(opts.report === undefined ? code : await (await import('./report.js')).reportAfterRun(globals(cmd), opts.report, code));
    },
  );
}

export function parseJobs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) usageError(`--jobs expects a whole number >= 0 (0 = unlimited), got ${JSON.stringify(v)}`);
  return n;
}

export function parseWorkers(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const names = v.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) usageError('--workers expects worker names, e.g. --workers local,gpu1');
  return names;
}

export async function runCommand(cmd: Command, targets: string[], opts: RunOptions): Promise<number> {
  return runWith(globals(cmd), targets, opts);
}

/** `dax run` with its options parsed (by commander, or by main's fast path for a plain command line). */
export async function runWith(g: GlobalOptions, targets: string[], opts: RunOptions): Promise<number> {
  const level = opts.quiet && g.logLevel === undefined ? 'warn' : logLevel(g);
  const jobs = parseJobs(opts.jobs);
  const workers = parseWorkers(opts.workers);
  trace('start');
  // A reader that goes away (`dax run | head`, a log collector that died) must not kill the run
  // and orphan its jobs: the work goes on, only what it prints is lost.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
  }
  // A dry run judges the state the last run left: with its --set values, unless given others.
  let lastRun = false;
  if (opts.dryRun) {
    const { setsFor, setsNote } = await import('./runs.js');
    const choice = setsFor(g, opts.set);
    const note = setsNote(choice);
    if (note) process.stderr.write(`dax: ${note}\n`);
    opts = { ...opts, set: choice.items };
    lastRun = choice.fromRun !== undefined;
  }
  // A no-op answered from the snapshot, before the Daxfile is even parsed (see state/snapshot.ts).
  const setsEarly = parseSets(opts.set);
  const daxfile = daxfilePath({ cwd: process.cwd(), directory: g.directory, file: g.file });
  const key = setsEarly.ok && !opts.force ? noopKey(daxfile, targets, setsEarly.value, process.env) : undefined;
  if (key && setsEarly.ok) {
    const projectDir = path.dirname(daxfile);
    const log = new Loggers([makeLogger({ json: !!opts.json, level })]);
    let fast: NoopOutcome;
    try {
      fast = tryNoop(path.join(projectDir, '.dax'), projectDir, key, !!opts.dryRun, newRunId(), targets, setsEarly.value, log);
    } finally {
      await log.close();
    }
    if (fast?.kind === 'noop') return Exit.ok;
    if (fast?.kind === 'locked') return exitCodeOf({ kind: 'locked', holder: fast.holder });
  }
  // Not a no-op: now load the Daxfile and the engine.
  const [{ loadProject }, { runUntilSettled }] = await Promise.all([import('./project.js'), import('../exec/settle.js')]);
  const load = async (): Promise<LoadedProject> => {
    const loaded = await loadProject(g, opts.set, { lastRun });
    trace('config');
    return loaded;
  };
  // The default targets run again while their jobs change a live domain (see exec/settle.ts).
  const outcome = await withSignals((signal, kill) =>
    runUntilSettled(load, {
      targets, dryRun: !!opts.dryRun, keepGoing: !!opts.keepGoing, force: !!opts.force, signal, kill,
      loggers: [makeLogger({ json: !!opts.json, level, version: VERSION, ...(opts.printCommands ? { printCommands: true } : {}) })],
      ...(opts.printCommands ? { printCommands: true } : {}),
      ...(jobs !== undefined ? { jobs } : {}), ...(workers ? { workers } : {}), ...(key ? { noopKey: key } : {}), ...(opts.resumes ? { resumes: opts.resumes } : {}),
      // The plain logger prints a dry run's commands at debug level or with -p; JSON always has them.
      planCommands: !!opts.json || level === 'debug' || !!opts.printCommands,
    }),
  );
  return exitCodeOf(outcome);
}

/** The CLI owns process signals: the first SIGINT/SIGTERM asks the run to stop (nothing new
 * starts, running jobs get SIGTERM), a second kills running jobs at once. */
export async function withSignals<T>(f: (stop: AbortSignal, kill: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stop.signal.aborted) kill.abort(sig);
    else stop.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await f(stop.signal, kill.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function exitCodeOf(outcome: RunOutcome): number {
  switch (outcome.kind) {
    case 'config-error':
      process.stderr.write(`dax: ${formatConfigError(outcome.error)}\n`);
      return Exit.usage;
    case 'state-error':
      process.stderr.write(`dax: cannot write dax's state ${outcome.path}: ${outcome.message}; nothing was run (free some space, or check the permissions of .dax/)\n`);
      return Exit.usage;
    case 'bug': {
      const [first, where] = outcome.message.split('\n').map((l) => l.trim());
      process.stderr.write(`dax: internal error (a bug in dax, please report it): ${first}${where ? ` ${where}` : ''}; run ${outcome.run} was stopped and recorded\n`);
      return Exit.internal;
    }
    case 'locked':
      process.stderr.write(`dax: another dax run holds this project's lock: ${describeHolder(outcome.holder)}\n`);
      return Exit.locked;
    case 'done':
      switch (outcome.result) {
        case 'ok':
        case 'nothing-to-do':
        case 'dry-run':
          return Exit.ok;
        case 'failed':
          return Exit.jobFailed;
        case 'interrupted':
          return Exit.interrupted;
        default:
          return assertNever(outcome.result);
      }
    default:
      return assertNever(outcome);
  }
}
