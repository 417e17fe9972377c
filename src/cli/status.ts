import type { Command } from 'commander';
import { describeReport } from '../events/describe.js';
import { workerReports } from '../events/recorder.js';
import { emptyRow, projectStatus, type RuleRow } from '../exec/status.js';
import { describeSlurmStatus, slurmStatus } from '../exec/slurm/status.js';
import { runState } from '../state/runs.js';
import { loadProject, configError } from './project.js';
import { globals } from './options.js';
import { describeRun } from './runs.js';
import { acquisitionStatus, workspaceSummary } from './acq-status.js';

const COLUMNS: Array<keyof RuleRow> = ['total', 'up-to-date', 'missing', 'incomplete', 'stale', 'running', 'failed'];

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per rule: jobs total, up to date, missing, incomplete, stale, running, failed')
    .argument('[targets...]', 'paths, patterns or rule names (default: the Daxfile\'s targets)')
    .option('--set <NAME=VALUE>', 'set a var, as for dax run', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print one JSON object')
    .action(async (targets: string[], opts: { set: string[]; json?: boolean }, cmd: Command) => {
      // `dax status ID` of an acquisition, and the workspace's acquisitions without a project.
      if (await acquisitionStatus(globals(cmd), targets, opts.json === true)) return;
      const { project } = await loadProject(globals(cmd), opts.set);
      const st = projectStatus(project, targets);
      if (!st.ok) configError(st.error);
      const { rules: rows, live, reports, lastRun } = st.value;
      const workers = lastRun ? workerReports(project.stateDir, lastRun.run.id) : [];
      const acq = await workspaceSummary(globals(cmd));
      const slurm = await slurmStatus(project.config, live ? [live] : lastRun ? [lastRun.run.id] : []);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            ...(acq ? { acquisitions: acq.report } : {}),
            rules: Object.fromEntries(rows),
            live: live ?? null,
            reports,
            workers,
            ...(slurm.length ? { slurm } : {}),
            lastRun: lastRun ? { id: lastRun.run.id, start: lastRun.run.start, end: lastRun.end?.end ?? null, result: runState(lastRun, live) } : null,
          }) + '\n',
        );
        return;
      }
      const width = Math.max(4, ...[...rows.keys()].map((k) => k.length));
      const lines = [['rule'.padEnd(width), ...COLUMNS.map((c) => c.padStart(10))].join(' ')];
      const sum = emptyRow();
      for (const [name, row] of rows) {
        if (row.total === 0) continue;
        lines.push([name.padEnd(width), ...COLUMNS.map((c) => String(row[c]).padStart(10))].join(' '));
        for (const c of COLUMNS) sum[c] += row[c];
      }
      lines.push([''.padEnd(width, '-'), ...COLUMNS.map(() => '----------')].join(' '));
      lines.push(['all'.padEnd(width), ...COLUMNS.map((c) => String(sum[c]).padStart(10))].join(' '));
      for (const r of reports) {
        const { title, lines: detail } = describeReport({ kind: 'wildcard', wildcard: r });
        lines.push('', title, ...detail.map((l) => `  ${l}`));
      }
      if (lastRun) lines.push('', describeRun(lastRun, live));
      for (const worker of workers) lines.push(`  ${describeReport({ kind: 'worker', worker }).title}`);
      for (const s of slurm) lines.push(`  ${describeSlurmStatus(s)}`);
      if (acq) lines.push('', ...acq.lines);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
