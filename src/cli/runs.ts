import type { Command } from 'commander';
import { Journal, type RunInfo } from '../state/journal.js';
import { liveRunId, runState } from '../state/runs.js';
import { loadProject } from './project.js';
import { globals, usageError } from './options.js';

export function describeRun(info: RunInfo, live: string | undefined): string {
  const state = runState(info, live);
  const targets = info.run.targets.length ? info.run.targets.join(' ') : '(default targets)';
  const end = info.end ? new Date(info.end.end).toISOString() : '-';
  return `${state === 'running' ? 'running' : 'last'} run ${info.run.id}: ${state}; started ${new Date(info.run.start).toISOString()}, ended ${end}; targets ${targets}`;
}

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list recent runs: id, start, end, targets, result')
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
      if (!opts.json) out.push(['id'.padEnd(22), 'start'.padEnd(24), 'end'.padEnd(24), 'result'.padEnd(11), 'targets'].join(' '));
      for (const r of runs) {
        const state = runState(r, live);
        const row = {
          id: r.run.id,
          start: new Date(r.run.start).toISOString(),
          end: r.end ? new Date(r.end.end).toISOString() : null,
          result: state,
          targets: r.run.targets,
          sets: r.run.sets,
        };
        if (opts.json) out.push(JSON.stringify(row));
        else out.push([row.id.padEnd(22), row.start.padEnd(24), (row.end ?? '-').padEnd(24), state.padEnd(11), r.run.targets.join(' ') || '(default)'].join(' '));
      }
      process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
    });
}
