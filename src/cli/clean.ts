import type { Command } from 'commander';
import { cleanApply, cleanPlan, describeKept } from '../exec/clean.js';
import { describeHolder } from '../state/lock.js';
import { Exit } from './exit.js';
import { ExitRequest } from './main.js';
import { globals } from './options.js';
import { configError, loadProject } from './project.js';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('remove the outputs dax made (recorded in its journal and unchanged since); never a file dax did not make, nor one outside the project')
    .argument('[targets...]', "paths, patterns, rule names or job names: their jobs' outputs only (default: every job the Daxfile's targets need)")
    .option('-n, --dry-run', 'list what would be removed, and what is kept and why; remove nothing')
    .option('--set <NAME=VALUE>', 'set a var, as for dax run (repeatable)', (v: string, p: string[]) => [...p, v])
    .action(async (targets: string[], opts: { dryRun?: boolean; set?: string[] }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), opts.set ?? []);
      const plan = cleanPlan(project, targets);
      if (!plan.ok) configError(plan.error);
      const items = plan.value;
      const lines: string[] = [];
      for (const it of items) lines.push(it.action === 'remove' ? `${opts.dryRun ? 'would remove' : 'removed'} ${it.path}` : `kept ${it.path}: ${describeKept(it.action)}`);
      const n = items.filter((i) => i.action === 'remove').length;
      if (!opts.dryRun && n > 0) {
        const r = cleanApply(project, items);
        if (!r.ok) {
          if (r.error.kind === 'locked') {
            process.stderr.write(`dax: another dax run holds this project's lock: ${describeHolder(r.error.holder)}; nothing was removed\n`);
            throw new ExitRequest(Exit.locked);
          }
          process.stderr.write(`dax: cannot remove ${r.error.path}: ${r.error.message}\n`);
          throw new ExitRequest(Exit.jobFailed);
        }
      }
      const kept = items.length - n;
      lines.push(`${opts.dryRun ? 'would remove' : 'removed'} ${n} file${n === 1 ? '' : 's'}${kept ? `; kept ${kept}` : ''}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
