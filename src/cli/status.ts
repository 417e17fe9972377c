import type { Command } from 'commander';
import { Files } from '../state/files.js';
import { Journal, journalState } from '../state/journal.js';
import { classOf, whyRun, type JobClass } from '../state/staleness.js';
import type { Job } from '../graph/job.js';
import { makePools, planGraph } from '../exec/run.js';
import { loadProject, configError } from './project.js';
import { globals } from './options.js';
import { describeRun, liveRunId } from './runs.js';
import { domainOf, reportByWildcard, reportEvent, type JobState } from '../exec/report.js';

type Row = Record<JobClass | 'total' | 'running', number>;
const COLUMNS: Array<keyof Row> = ['total', 'up-to-date', 'missing', 'incomplete', 'stale', 'running', 'failed'];

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per rule: jobs total, up to date, missing, incomplete, stale, running, failed')
    .argument('[targets...]', 'paths, patterns or rule names (default: the Daxfile\'s targets)')
    .option('--set <NAME=VALUE>', 'set a var, as for dax run', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print one JSON object')
    .action(async (targets: string[], opts: { set: string[]; json?: boolean }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), opts.set);
      const g = planGraph(project, targets, makePools(project.config, undefined));
      if (!g.ok) configError(g.error);
      const journal = Journal.load(project.stateDir);
      const live = liveRunId(project.stateDir);
      const files = new Files(project.config.projectDir);
      const rows = new Map<string, Row>();
      for (const r of project.pipeline.rules) rows.set(r.name, { total: 0, 'up-to-date': 0, missing: 0, incomplete: 0, stale: 0, running: 0, failed: 0 });
      const stale = new Set<Job>();
      const states = new Map<Job, JobState>();
      const ctx = { journal, files, checks: project.checks, willRun: (j: Job) => stale.has(j) };
      for (const job of g.value.jobs) {
        const row = rows.get(job.rule.name)!;
        row.total++;
        const h = journal.jobs.get(job.id);
        if (live && journalState(h) === 'started' && h!.lastStart!.r === live) {
          row.running++;
          stale.add(job);
          states.set(job, 'running');
          continue;
        }
        const reason = whyRun(job, () => job.rule.commandHash(job.values, job.inputs, job.outputs), ctx);
        if (reason) stale.add(job);
        const cls = classOf(reason);
        row[cls]++;
        states.set(job, cls === 'up-to-date' ? 'ok' : cls === 'failed' ? 'failed' : cls === 'incomplete' ? 'incomplete' : 'pending');
      }
      const lastRun = journal.runs[journal.runs.length - 1];
      const reports = project.config.report.map((w) => reportByWildcard(g.value, w, (j) => states.get(j) ?? 'pending', domainOf(project.domains, w)));
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            rules: Object.fromEntries(rows),
            live: live ?? null,
            reports,
            lastRun: lastRun ? { id: lastRun.run.id, start: lastRun.run.start, end: lastRun.end?.end ?? null, result: lastRun.end?.result ?? (lastRun.run.id === live ? 'running' : 'incomplete') } : null,
          }) + '\n',
        );
        return;
      }
      const width = Math.max(4, ...[...rows.keys()].map((k) => k.length));
      const lines = [['rule'.padEnd(width), ...COLUMNS.map((c) => c.padStart(10))].join(' ')];
      const sum: Row = { total: 0, 'up-to-date': 0, missing: 0, incomplete: 0, stale: 0, running: 0, failed: 0 };
      for (const [name, row] of rows) {
        if (row.total === 0) continue;
        lines.push([name.padEnd(width), ...COLUMNS.map((c) => String(row[c]).padStart(10))].join(' '));
        for (const c of COLUMNS) sum[c] += row[c];
      }
      lines.push([''.padEnd(width, '-'), ...COLUMNS.map(() => '----------')].join(' '));
      lines.push(['all'.padEnd(width), ...COLUMNS.map((c) => String(sum[c]).padStart(10))].join(' '));
      for (const r of reports) {
        const e = reportEvent(r, project.config.projectDir);
        if (e.type === 'report') lines.push('', e.title, ...e.lines.map((l) => `  ${l}`));
      }
      if (lastRun) lines.push('', describeRun(lastRun, live));
      process.stdout.write(lines.join('\n') + '\n');
    });
}
