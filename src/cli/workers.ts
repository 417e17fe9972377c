import type { Command } from 'commander';
import { checkSlurm, type SlurmCheck } from '../exec/slurm/check.js';
import { checkWorker, type WorkerCheck } from '../exec/ssh/check.js';
import { localSlots } from '../exec/workers.js';
import { formatSize } from '../util/size.js';
import { Exit } from './exit.js';
import { ExitRequest } from './main.js';
import { globals } from './options.js';
import { loadProject } from './project.js';

export function registerWorkers(program: Command): void {
  program
    .command('workers')
    .description("check the Daxfile's workers: connection and host key, workdir writable, commands present, free disk; for Slurm, the client commands, the partition and a trivial job")
    .option('--set <NAME=VALUE>', 'set a var, as for dax run', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print one JSON object')
    .action(async (opts: { set: string[]; json?: boolean }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), opts.set);
      const { config } = project;
      const checks = await Promise.all(config.workers.map((w) => (w.kind === 'slurm' ? checkSlurm(w, config.projectDir) : checkWorker(w, config))));
      const bad = checks.some((c) => !c.usable);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ local: config.local === false ? null : { slots: localSlots(config, undefined) }, workers: checks }) + '\n');
      } else {
        const rows: string[][] = [['worker', 'host', 'slots', 'connect', 'workdir', 'commands', 'free', 'agent', 'usable']];
        if (config.local !== false) rows.push(['local', '-', String(localSlots(config, undefined)), 'ok', '-', '-', '-', '-', 'yes']);
        for (const c of checks) rows.push('job' in c ? slurmRow(c, config.workers.find((w) => w.name === c.worker)!.slots) : row(c, config.workers.find((w) => w.name === c.worker)!.slots));
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        process.stdout.write(rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n');
        for (const c of checks) if (c.connect !== 'ok') process.stderr.write(`dax: ${c.worker}: ${c.connect}\n`);
        for (const c of checks) if ('job' in c && c.connect === 'ok' && !c.usable) process.stderr.write(`dax: ${c.worker}: trivial job: ${c.job}\n`);
      }
      throw new ExitRequest(bad ? Exit.jobFailed : Exit.ok);
    });
}

function row(c: WorkerCheck, slots: number): string[] {
  const connected = c.connect === 'ok';
  return [
    c.worker, c.host, String(slots), connected ? 'ok' : 'FAILED', connected ? (c.workdir === 'writable' ? 'writable' : 'NOT WRITABLE') : '-',
    connected ? (c.missing.length ? `missing: ${c.missing.join(', ')}` : 'ok') : '-', c.freeBytes === undefined ? '-' : formatSize(c.freeBytes), c.agent, c.usable ? 'yes' : 'NO',
  ];
}

/** A Slurm worker's row: the trivial job stands where a host's workdir check does. */
function slurmRow(c: SlurmCheck, slots: number): string[] {
  const connected = c.connect === 'ok';
  return [c.worker, c.host, String(slots), connected ? 'ok' : 'FAILED', connected ? (c.usable ? c.job : 'JOB FAILED') : '-', c.missing.length ? `missing: ${c.missing.join(', ')}` : 'ok', '-', '-', c.usable ? 'yes' : 'NO'];
}
