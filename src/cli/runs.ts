import path from 'node:path';
import type { Command } from 'commander';
import { daxfilePath } from '../config/cache.js';
import { formatDuration } from '../events/events.js';
import { shellQuote } from '../graph/quote.js';
import { Journal, type RunInfo } from '../state/journal.js';
import { liveRunId, runState, setsOrLastRun, type SetsChoice } from '../state/runs.js';
import { loadProject } from './project.js';
import { globals, usageError } from './options.js';
import type { GlobalOptions } from './main.js';

export function describeRun(info: RunInfo, live: string | undefined): string {
  const state = runState(info, live);
  const targets = info.run.targets.length ? info.run.targets.join(' ') : '(default targets)';
  const end = info.end ? new Date(info.end.end).toISOString() : '-';
  return `${state === 'running' ? 'running' : 'last'} run ${info.run.id}: ${state}; started ${new Date(info.run.start).toISOString()}, ended ${end}; targets ${targets}${runOptions(info)}`;
}

/** A run's --set, --jobs, -k and the run it resumed, as options: ' --set x=y -j 4 (resumes ID)'. */
function runOptions(info: RunInfo): string {
  const r = info.run;
  let s = '';
  for (const [k, v] of Object.entries(r.sets)) s += ` --set ${shellQuote(`${k}=${v}`)}`;
  if (r.jobs !== undefined) s += ` -j ${r.jobs}`;
  if (r.keepGoing) s += ' -k';
  if (r.resumes) s += ` (resumes ${r.resumes})`;
  return s;
}

/** The --set values for a command that judges state without running (status, run -n): the given
 * ones, else the last run's. */
export function setsFor(g: GlobalOptions, given: string[]): SetsChoice {
  const daxfile = daxfilePath({ cwd: process.cwd(), directory: g.directory, file: g.file });
  return setsOrLastRun(path.join(path.dirname(daxfile), '.dax'), given);
}

/** The line that says the last run's --set values are in use, if they are. */
export function setsNote(choice: SetsChoice): string | undefined {
  if (!choice.fromRun) return undefined;
  return `using the --set values of the last run (${choice.fromRun}): ${choice.items.map((i) => `--set ${shellQuote(i)}`).join(' ')}; give --set to choose others`;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list recent runs: id, start, duration, result, jobs done, failed and up to date, targets and options')
    .option('--limit <n>', 'how many (default 20)', '20')
    .option('--json', 'one JSON object per run, one per line')
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      const n = Number(opts.limit);
      if (!/^\s*\d+\s*$/.test(opts.limit) || n < 1) usageError(`--limit expects a whole number >= 1, got ${JSON.stringify(opts.limit)}`);
      const { project } = await loadProject(globals(cmd), []);
      const journal = Journal.load(project.stateDir);
      const live = liveRunId(project.stateDir);
      const runs = journal.runs.slice(-n);
      const out: string[] = [];
      const head = ['id'.padEnd(20), 'start'.padEnd(20), 'took'.padStart(7), 'result'.padEnd(11), 'done'.padStart(6), 'failed'.padStart(6), 'up-to-date'.padStart(10), 'targets'];
      if (!opts.json) out.push(head.join(' '));
      for (const r of runs) {
        const state = runState(r, live);
        const c = r.end?.counts;
        const row = {
          id: r.run.id,
          start: new Date(r.run.start).toISOString(),
          end: r.end ? new Date(r.end.end).toISOString() : null,
          durationMs: r.end ? r.end.end - r.run.start : null,
          result: state,
          targets: r.run.targets,
          sets: r.run.sets,
          jobs: r.run.jobs ?? null,
          keepGoing: r.run.keepGoing,
          resumes: r.run.resumes ?? null,
          counts: c ? { done: c['done'] ?? 0, failed: c['failed'] ?? 0, upToDate: c['upToDate'] ?? 0, skipped: c['skipped'] ?? 0, incomplete: c['incomplete'] ?? 0 } : null,
        };
        if (opts.json) {
          out.push(JSON.stringify(row));
          continue;
        }
        const num = (k: 'done' | 'failed' | 'upToDate', w: number): string => (row.counts ? String(row.counts[k]) : '-').padStart(w);
        const took = row.durationMs === null ? '-' : formatDuration(row.durationMs);
        out.push([row.id.padEnd(20), iso(r.run.start).padEnd(20), took.padStart(7), state.padEnd(11), num('done', 6), num('failed', 6), num('upToDate', 10), (r.run.targets.join(' ') || '(default)') + runOptions(r)].join(' '));
      }
      process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
    });
}
