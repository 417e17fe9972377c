import type { Command } from 'commander';
import { touch } from '../exec/touch.js';
import { describeHolder } from '../state/lock.js';
import { assertNever } from '../util/result.js';
import { Exit } from './exit.js';
import { ExitRequest } from './main.js';
import { globals } from './options.js';
import { configError, loadProject } from './project.js';

/** Missing outputs named before "and N more". */
const SHOWN = 10;

export function registerTouch(program: Command): void {
  program
    .command('touch')
    .description('record the existing outputs of jobs that are not up to date as made now, so they do not run (as make -t); files are not changed')
    .argument('[targets...]', "paths, patterns, rule names or job names, and what they need (default: the Daxfile's targets)")
    .option('--set <NAME=VALUE>', 'set a var, as for dax run (repeatable)', (v: string, p: string[]) => [...p, v])
    .action(async (targets: string[], opts: { set?: string[] }, cmd: Command) => {
      const { project, sets } = await loadProject(globals(cmd), opts.set ?? []);
      const r = touch(project, targets, sets);
      if (!r.ok) configError(r.error);
      const o = r.value;
      switch (o.kind) {
        case 'touched':
          process.stdout.write(o.touched.length === 0 ? `nothing to touch: ${o.upToDate === 1 ? 'the job is' : `all ${o.upToDate} jobs are`} up to date\n` : `${o.touched.map((j) => `touched ${j}\n`).join('')}touched ${o.touched.length} job${o.touched.length === 1 ? '' : 's'} (${o.upToDate} up to date already)\n`);
          return;
        case 'missing': {
          const lines = o.missing.slice(0, SHOWN).map((m) => `  ${m.job}: ${m.path}`);
          if (o.missing.length > SHOWN) lines.push(`  … and ${o.missing.length - SHOWN} more`);
          process.stderr.write(`dax: cannot touch: ${o.missing.length} output${o.missing.length === 1 ? ' does' : 's do'} not exist, so nothing was recorded:\n${lines.join('\n')}\n  hint: touch records outputs that exist; make these with dax run, or name only targets whose outputs exist\n`);
          throw new ExitRequest(Exit.jobFailed);
        }
        case 'locked':
          process.stderr.write(`dax: another dax run holds this project's lock: ${describeHolder(o.holder)}\n`);
          throw new ExitRequest(Exit.locked);
        case 'state-error':
          process.stderr.write(`dax: cannot write dax's state ${o.path}: ${o.message}; nothing was recorded\n`);
          throw new ExitRequest(Exit.usage);
        default:
          assertNever(o);
      }
    });
}
