import type { Command } from 'commander';
import path from 'node:path';
import { formatConfigError } from '../config/errors.js';
import { listProject } from '../exec/list.js';
import { globals } from './options.js';
import { loadProject } from './project.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description("list the Daxfile's rules (description, wildcards, jobs the targets need) and its targets")
    .option('--set <NAME=VALUE>', 'set a var, as for dax run (repeatable)', (v: string, p: string[]) => [...p, v])
    .option('--json', 'print one JSON object')
    .action(async (opts: { set?: string[]; json?: boolean }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), opts.set ?? []);
      const l = listProject(project);
      const rel = (at: string): string => path.relative(process.cwd(), at) || at;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ rules: l.rules.map((r) => ({ ...r, at: rel(r.at) })), targets: l.targets, ...(l.graphError ? { graphError: formatConfigError(l.graphError) } : {}) }) + '\n');
        return;
      }
      const rows = l.rules.map((r) => [r.name, r.wildcards.map((w) => `{${w}}`).join(' ') || '-', r.jobs === undefined ? '?' : String(r.jobs), r.description ?? r.outputs.join(' ')]);
      const head = ['rule', 'wildcards', 'jobs', 'description (else outputs)'];
      const widths = head.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]): string => [r[0]!.padEnd(widths[0]!), r[1]!.padEnd(widths[1]!), r[2]!.padStart(widths[2]!), r[3]!].join('  ').trimEnd();
      const out = [line(head), ...rows.map(line)];
      out.push('', l.targets.length ? `targets (what dax run builds by default): ${l.targets.join(', ')}` : 'targets: none (dax run needs a TARGET)');
      if (l.graphError) out.push('', `jobs not counted: ${formatConfigError(l.graphError)}`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
