// `dax watch`: the daemon. It runs the Daxfile's targets (the acquisitions' and the others')
// whenever something they rest on changes: queue.json (a `dax queue` from another process), a
// specification dropped into <workspace>/incoming/ (queued here, then removed; a refused one is
// renamed <name>.rejected with the reason beside it), the Daxfile or any file of the project
// outside .dax/ and the workspace; and every --interval, so an acquisition blocked by a missing
// remote source or receiver continues by itself once the cause clears. chokidar does the watching;
// a spec in incoming/ is read once its size has held still (a writer need not drop it by rename). Each pass is one ordinary run under the project's lock: an operator's
// `dax run` meanwhile gets exit 3 naming the daemon's run; `dax status`, `dax queue` and
// `dax abort` never take that lock (the workspace's files are atomic and locked on their own).
// SIGTERM/SIGINT stops the current run as dax run does (jobs stopped and recorded) and ends
// with 130 if a run was interrupted, else 0.
import type { Command } from 'commander';
import { renameSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ExitRequest, VERSION } from './main.js';
import { globals, logLevel } from './options.js';
import { Exit } from './exit.js';
import { parseJobs, exitCodeOf } from './run.js';
import { plugins } from './project.js';
import { workspaceOf } from './acq.js';
import { parseDuration } from '../config/duration.js';
import { writeFileAtomic } from '../util/atomic.js';

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('the daemon: run the queue and the Daxfile\'s targets whenever their inputs change; specs dropped into <workspace>/incoming/ are queued')
    .option('-j, --jobs <n>', 'run at most N jobs at once')
    .option('--interval <duration>', 'also run this often (retries blocked acquisitions); 0 = only on changes', '60s')
    .option('--json', 'one JSON event per line on stdout')
    .action(async (opts: { jobs?: string; interval: string; json?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const level = logLevel(g);
      const jobs = parseJobs(opts.jobs);
      const interval = parseDuration(opts.interval);
      if (!interval.ok) throw usage(`--interval: ${interval.error}`);
      const ws = await workspaceOf(g);
      ws.ensure();
      mkdirSync(ws.incoming, { recursive: true });
      const [{ loadProject }, { runPipeline }, { makeLogger }, { queueSpec }, { formatConfigError }] = await Promise.all([
        import('../exec/project.js'), import('../exec/run.js'), import('../events/loggers.js'), import('../acquisition/queue.js'), import('../config/errors.js'),
      ]);
      const say = (m: string): void => void process.stderr.write(`dax watch: ${m}\n`);

      const stop = new AbortController();
      const kill = new AbortController();
      const onSignal = (): void => (stop.signal.aborted ? kill.abort() : stop.abort());
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);

      let dirty = true;
      let wake: (() => void) | undefined;
      const trigger = (): void => {
        dirty = true;
        wake?.();
      };
      const project0 = await loadProject({ cwd: process.cwd(), directory: g.directory, file: g.file, sets: setsOf(g), env: process.env, plugins: plugins(), version: VERSION });
      const projectDir = project0.ok ? project0.value.config.projectDir : path.resolve(process.cwd(), g.directory ?? '.');
      const { watch } = await import('chokidar');
      const under = (abs: string, dir: string): boolean => abs === dir || abs.startsWith(dir + path.sep);
      const stateDir = path.join(projectDir, '.dax');
      const onError = (e: unknown): void => say(`watching: ${e instanceof Error ? e.message : String(e)}`);
      // The project without .dax/ and the workspace; queue.json (replaced by rename, so watched
      // as a name); incoming/, whose specs count once written whole.
      const ready = new Set<string>();
      const watchers = [
        watch(projectDir, { ignoreInitial: true, ignored: (p) => under(p, stateDir) || under(p, ws.root) }).on('all', trigger),
        watch(ws.queueFile, { ignoreInitial: true }).on('all', trigger),
        watch(ws.incoming, { depth: 0, awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 25 } }).on('add', (p) => {
          ready.add(p);
          trigger();
        }).on('change', (p) => {
          ready.add(p);
          trigger();
        }),
      ];
      for (const w of watchers) w.on('error', onError);
      // Until a watcher is ready, a file made in what it has already scanned can go unseen: a
      // spec dropped just after the first pass would wait for the next change to be queued.
      await Promise.all(watchers.map((w) => new Promise<void>((res) => w.once('ready', () => res()))));
      const timer = interval.value > 0 ? setInterval(trigger, interval.value * 1000) : undefined;
      say(`watching ${projectDir} and the workspace ${ws.root}`);

      let last = Exit.ok as number;
      while (!stop.signal.aborted) {
        if (!dirty) {
          await new Promise<void>((res) => {
            wake = res;
            stop.signal.addEventListener('abort', () => res(), { once: true });
          });
          wake = undefined;
          continue;
        }
        dirty = false;
        await intake(ws.incoming, ready, (file) => queueSpec(ws, file), say, writeFileAtomic);
        const project = await loadProject({ cwd: process.cwd(), directory: g.directory, file: g.file, sets: setsOf(g), env: process.env, plugins: plugins(), version: VERSION });
        if (!project.ok) {
          say(`${formatConfigError(project.error)} (waiting for a change)`);
          continue;
        }
        const outcome = await runPipeline(project.value, {
          targets: [], sets: setsOf(g), loggers: [makeLogger({ json: !!opts.json, level })], signal: stop.signal, kill: kill.signal, ...(jobs !== undefined ? { jobs } : {}),
        });
        if (outcome.kind === 'locked') {
          say('another dax run holds the project lock; trying again in 1 s');
          setTimeout(trigger, 1000).unref();
          continue;
        }
        last = exitCodeOf(outcome);
      }
      await Promise.all(watchers.map((w) => w.close()));
      if (timer) clearInterval(timer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      say('stopped');
      throw new ExitRequest(last === Exit.interrupted ? Exit.interrupted : Exit.ok);
    });
}

function usage(message: string): ExitRequest {
  process.stderr.write(`dax: ${message}\n`);
  return new ExitRequest(Exit.usage);
}

function setsOf(g: { workspace?: string }): Record<string, string> {
  return g.workspace !== undefined ? { workspace: path.resolve(g.workspace) } : {};
}

/** Queues the *.json of incoming/ written whole since the last pass (`ready`, emptied); a queued
 * one is removed, a refused one renamed *.rejected with the reason in *.rejected.txt. */
async function intake(
  dir: string,
  ready: Set<string>,
  queue: (file: string) => Promise<{ ok: true; value: { id: string } } | { ok: false; error: { message: string } }>,
  say: (m: string) => void,
  write: typeof writeFileAtomic,
): Promise<void> {
  const names = [...ready].filter((f) => path.dirname(f) === dir).map((f) => path.basename(f)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  ready.clear();
  for (const n of names) {
    const file = path.join(dir, n);
    const r = await queue(file);
    if (r.ok) {
      rmSync(file, { force: true });
      say(`queued ${r.value.id} from incoming/${n}`);
    } else {
      renameSync(file, `${file}.rejected`);
      write(`${file}.rejected.txt`, r.error.message + '\n');
      say(`refused incoming/${n}: ${r.error.message}`);
    }
  }
}
