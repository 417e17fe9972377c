// The acquisition commands: `dax queue`, `dax abort`, and `dax acq collect|merge|release`
// (the commands of rules/acquisition.yaml's jobs). They never take the project's lock: every
// workspace file they touch is written atomically, queue.json and status.json under their own
// lock files, so an operator's queue or abort is safe while a run or `dax watch` works.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExitRequest, VERSION } from './main.js';
import { globals, readStdin, usageError } from './options.js';
import { exitCode } from './merge-exit.js';
import { Exit } from './exit.js';
import type { GlobalOptions } from './main.js';
import { Workspace } from '../acquisition/workspace.js';
import { daxfilePath, loadConfigCached } from '../config/cache.js';
import { workspaceDir } from '../config/workspace.js';
import { trace } from '../util/trace.js';

/** --workspace > the Daxfile's workspace: > $DATAROOT (see config/load.ts). */
export async function workspaceOf(g: GlobalOptions): Promise<Workspace> {
  return (await workspaceConfig(g)).ws;
}

/** The workspace, and limits.min_free of the Daxfile (0 without one). */
export async function workspaceConfig(g: GlobalOptions): Promise<{ ws: Workspace; minFree: number }> {
  const daxfile = daxfilePath({ cwd: process.cwd(), directory: g.directory, file: g.file });
  if (existsSync(daxfile)) {
    const c = await loadConfigCached({ cwd: process.cwd(), directory: g.directory, file: g.file, sets: {}, env: process.env }, VERSION);
    if (c.ok) return { ws: new Workspace(g.workspace !== undefined ? path.resolve(g.workspace) : c.value.workspace), minFree: c.value.minFree };
    const { formatConfigError } = await import('../config/errors.js');
    usageError(formatConfigError(c.error));
  }
  return { ws: new Workspace(g.workspace !== undefined ? path.resolve(g.workspace) : workspaceDir(undefined, process.env['DATAROOT'], process.cwd())), minFree: 0 };
}

export function registerQueue(program: Command): void {
  program
    .command('queue')
    .description('queue an acquisition: validate its Data Product Specification (as dax merge does) and add it to the workspace')
    .argument('<spec>', 'the specification file, or - to read it from stdin')
    .option('--root <dir>', "relative source locations resolve against DIR (default: the spec's directory, or . for stdin)")
    .addHelpText('after', '\nExit codes: 0 queued; 100 not found; 101 invalid JSON; 102 fails the schema, an unsafe or duplicate id (the message names the JSON path); 2 the workspace cannot be written.')
    .action(async (specArg: string, opts: { root?: string }, cmd: Command) => {
      throw new ExitRequest(await queueCommand(globals(cmd), specArg, opts.root));
    });
}

/** `dax queue SPEC` (main's fast path calls it without commander): the exit code. */
export async function queueCommand(g: GlobalOptions, specArg: string, root: string | undefined): Promise<number> {
  trace('start');
  const ws = await workspaceOf(g);
  trace('workspace');
  const { queueSpec } = await import('../acquisition/queue.js');
  trace('modules');
  const r = await queueSpec(ws, specArg === '-' ? { json: await readStdin(), origin: '-' } : specArg, root);
  trace('queued');
  if (!r.ok) {
    process.stderr.write(`dax queue: error: ${r.error.message}\n`);
    const e = r.error;
    return e.kind === 'unsafe-id' || e.kind === 'duplicate' ? 102 : e.kind === 'io' ? Exit.usage : exitCode(e.kind);
  }
  process.stdout.write(`queued ${r.value.id} (${r.value.sources.length} source file(s) to collect) in ${ws.root}\n`);
  return Exit.ok;
}

export function registerAcq(program: Command): void {
  const acq = program.command('acq').description("an acquisition's steps, as the rules of rules/acquisition.yaml run them");
  const done = (r: { ok: true } | { ok: false; error: string }): void => {
    if (r.ok) return;
    process.stderr.write(`dax acq: error: ${r.error}\n`);
    throw new ExitRequest(Exit.jobFailed);
  };
  const withSignal = async <T>(f: (s: AbortSignal) => Promise<T>): Promise<T> => {
    const c = new AbortController();
    const on = (): void => c.abort();
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
    try {
      return await f(c.signal);
    } finally {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    }
  };
  acq.command('collect').argument('<id>').argument('<source>', 'the local name, as in sources/').description('collect one source of an acquisition')
    .option('--to <file>', 'write it here (default: its place under sources/)')
    .action(async (id: string, source: string, o: { to?: string }, cmd: Command) => {
      const { ws, minFree } = await workspaceConfig(globals(cmd));
      const { collect } = await import('../acquisition/jobs.js');
      done(await withSignal((s) => collect(ws, id, source, o.to, s, minFree)));
    });
  acq.command('merge').argument('<id>').description("merge an acquisition's collected sources into result/<fileId>.fits")
    .option('--link <file>', 'make the symlink to the product here (default: in-progress/<id>/result)')
    .action(async (id: string, o: { link?: string }, cmd: Command) => {
      const { ws, minFree } = await workspaceConfig(globals(cmd));
      const { mergeAcq } = await import('../acquisition/jobs.js');
      done(await withSignal((s) => mergeAcq(ws, id, o.link, s, minFree)));
    });
  acq.command('release').argument('<id>').description('deliver the product to the receivers, then archive the acquisition')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ws = await workspaceOf(globals(cmd));
      const { release } = await import('../acquisition/jobs.js');
      done(await withSignal((s) => release(ws, id, s)));
    });
}

export function registerAbort(program: Command): void {
  program
    .command('abort')
    .description('abort a queued acquisition: its jobs stop, state Aborted, files kept, removed from queue.json')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ws = await workspaceOf(globals(cmd));
      const { abortAcq } = await import('../acquisition/abort.js');
      const r = abortAcq(ws, id);
      if (!r.ok) usageError(r.error);
      process.stdout.write(`aborted ${id}: a step of it that is running stops within a second; its files are kept in ${ws.inProgress(id)}\n`);
    });
}

/** For `dax resume ID`: the target that finishes acquisition ID (its archived status.json). */
export async function acquisitionTarget(g: GlobalOptions, id: string): Promise<{ target: string; state: string; error: boolean } | undefined> {
  const ws = await workspaceOf(g);
  const { readStatus } = await import('../acquisition/status.js');
  const s = readStatus(ws.inProgress(id));
  if (!s.ok) return undefined;
  return { target: path.join(ws.archive(id), 'status.json'), state: s.value.state, error: s.value.error };
}
