import type { Command } from 'commander';
import { describeReport } from '../events/describe.js';
import { formatDuration } from '../events/events.js';
import { workerReports } from '../events/recorder.js';
import { describeBlocked } from '../exec/blocked.js';
import { emptyRow, projectStatus, type JobStatus, type RuleRow } from '../exec/status.js';
import { describeSlurmStatus, slurmStatus } from '../exec/slurm/status.js';
import { runState } from '../state/runs.js';
import { describeReason } from '../state/staleness.js';
import { printable } from '../util/printable.js';
import { assertNever } from '../util/result.js';
import { loadProject, configError } from './project.js';
import { globals } from './options.js';
import { describeRun, setsFor, setsNote } from './runs.js';
import { acquisitionStatus, workspaceSummary } from './acq-status.js';

const MAX_JOB_LINES = 1000;

const COLUMNS: Array<keyof RuleRow> = ['total', 'up-to-date', 'missing', 'incomplete', 'stale', 'running', 'failed'];

/** How a job that is not up to date stands, in words: its state and why. */
export function describeJob(s: JobStatus, now: number): string {
  switch (s.state) {
    case 'running': {
      const r = s.running!;
      const pid = /^pgid:(\d+)$/.exec(r.handle ?? '')?.[1];
      const where = pid ? `pid ${pid}` : r.handle ? `handle ${r.handle}` : 'starting';
      return `running on ${r.worker}, ${where}, for ${formatDuration(Math.max(0, now - r.since))}`;
    }
    case 'blocked': {
      const b = s.blocked!;
      return b.job === s.job ? `blocked: input ${b.input} does not exist and no rule makes it` : `blocked: ${b.job.id} needs ${b.input}, which does not exist`;
    }
    case 'up-to-date':
    case 'missing':
    case 'incomplete':
    case 'stale':
    case 'failed':
      return s.reason ? describeReason(s.reason) : s.state;
    default:
      return assertNever(s.state);
  }
}

/** A job as --json gives it. */
function jobJson(s: JobStatus, now: number): Record<string, unknown> {
  const o: Record<string, unknown> = { job: s.job.id, rule: s.job.rule.name, state: s.state, reason: describeJob(s, now) };
  if (s.reason) o['why'] = s.reason;
  if (s.running) {
    const pid = /^pgid:(\d+)$/.exec(s.running.handle ?? '')?.[1];
    o['running'] = { worker: s.running.worker, handle: s.running.handle ?? null, pid: pid ? Number(pid) : null, since: new Date(s.running.since).toISOString(), elapsedMs: now - s.running.since };
  }
  if (s.blocked) o['blocked'] = { input: s.blocked.input, job: s.blocked.job.id, origin: s.blocked.origin };
  return o;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per rule: jobs total, up to date, missing, incomplete, stale, running, failed (blocked: an input is missing); with -v or --jobs, each job that is not up to date and why')
    .argument('[targets...]', 'paths, patterns, rule names or job names (default: the Daxfile\'s targets)')
    .option('--set <NAME=VALUE>', 'set a var, as for dax run (repeatable; default: the last run\'s --set values)', (v: string, p: string[] | undefined) => [...(p ?? []), v])
    .option('--jobs', 'list each job that is not up to date: its state and why (as -v)')
    .option('--json', 'print one JSON object (with -v or --jobs: and the jobs)')
    .action(async (targets: string[], opts: { set?: string[]; jobs?: boolean; json?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      // `dax status ID` of an acquisition, and the workspace's acquisitions without a project.
      if (await acquisitionStatus(g, targets, opts.json === true)) return;
      const sets = setsFor(g, opts.set ?? []);
      const { project, sets: used } = await loadProject(g, sets.items, { lastRun: sets.fromRun !== undefined });
      const st = projectStatus(project, targets);
      if (!st.ok) configError(st.error);
      const { rules: rows, live, reports, lastRun, jobs, blocked } = st.value;
      const withJobs = opts.jobs === true || g.verbose > 0;
      const now = Date.now();
      const notUpToDate = withJobs ? jobs.filter((j) => j.state !== 'up-to-date') : [];
      const workers = lastRun ? workerReports(project.stateDir, lastRun.run.id) : [];
      const acq = await workspaceSummary(g);
      const slurm = await slurmStatus(project.config, live ? [live] : lastRun ? [lastRun.run.id] : []);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            ...(acq ? { acquisitions: acq.report } : {}),
            sets: used,
            setsFrom: sets.fromRun ?? null, // the run whose --set values were used, when none were given
            rules: Object.fromEntries([...rows].map(([name, row]) => {
              const description = project.pipeline.byName.get(name)?.description;
              return [name, description ? { ...row, description } : row];
            })),
            ...(withJobs ? { jobs: notUpToDate.map((j) => jobJson(j, now)) } : {}),
            blocked: describeBlocked(blocked),
            live: live ?? null,
            reports,
            workers,
            ...(slurm.length ? { slurm } : {}),
            lastRun: lastRun ? { id: lastRun.run.id, start: lastRun.run.start, end: lastRun.end?.end ?? null, result: runState(lastRun, live) } : null,
          }) + '\n',
        );
        return;
      }
      const lines: string[] = [];
      const note = setsNote(sets);
      if (note) lines.push(note);
      // The blocked column only when something is blocked: most projects never see one.
      const columns: Array<keyof RuleRow> = blocked.size ? [...COLUMNS, 'blocked'] : COLUMNS;
      const shown = [...rows].filter(([, row]) => row.total > 0);
      const width = Math.max(4, ...shown.map(([k]) => k.length));
      const cell = (c: keyof RuleRow, v: string): string => v.padStart(Math.max(c.length, 5));
      lines.push(['rule'.padEnd(width), ...columns.map((c) => cell(c, c))].join(' ').trimEnd());
      const sum = emptyRow();
      const termWidth = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
      for (const [name, row] of shown) {
        let line = [name.padEnd(width), ...columns.map((c) => cell(c, String(row[c])))].join(' ');
        const description = project.pipeline.byName.get(name)?.description;
        if (description) line += `  ${elide(printable(description), termWidth - line.length - 2)}`;
        lines.push(line);
        for (const c of columns) sum[c] += row[c];
      }
      lines.push([''.padEnd(width, '-'), ...columns.map((c) => cell(c, '').replace(/ /g, '-'))].join(' '));
      lines.push(['all'.padEnd(width), ...columns.map((c) => cell(c, String(sum[c])))].join(' '));
      if (blocked.size) lines.push('', ...describeBlocked(blocked));
      if (withJobs && notUpToDate.length) {
        lines.push('', `jobs not up to date (${notUpToDate.length}):`);
        // A terminal is no place for 10^5 lines: --json has them all.
        const max = g.verbose > 1 ? Infinity : MAX_JOB_LINES;
        for (const j of notUpToDate.slice(0, max)) lines.push(`  ${printable(j.job.id)}: ${printable(describeJob(j, now))}`);
        if (notUpToDate.length > max) lines.push(`  … and ${notUpToDate.length - max} more (-vv lists them all, --json too)`);
      }
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

function elide(s: string, room: number): string {
  if (s.length <= room) return s;
  return room > 1 ? `${s.slice(0, room - 1)}…` : '';
}
