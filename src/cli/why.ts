import type { Command } from 'commander';
import { why } from '../exec/why.js';
import { globals } from './options.js';
import { configError, loadProject } from './project.js';

export function registerWhy(program: Command): void {
  program
    .command('why')
    .description('say why a job would run, or why it is up to date, tracing back through its inputs')
    .argument('<target>', 'a job name as dax prints it (gen[n=3]), a path, a pattern or a rule name')
    .option('--set <NAME=VALUE>', 'set a var, as for dax run (repeatable)', (v: string, p: string[]) => [...p, v])
    .action(async (target: string, opts: { set?: string[] }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), opts.set ?? []);
      const r = why(project, target);
      if (!r.ok) configError(r.error);
      process.stdout.write(r.value.lines.join('\n') + '\n');
    });
}
