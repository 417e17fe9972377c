import type { Command } from 'commander';
import { followLog, jobLog } from '../exec/joblog.js';
import { nearJob } from '../exec/jobref.js';
import { Exit } from './exit.js';
import { ExitRequest } from './main.js';
import { globals } from './options.js';
import { configError, loadProject } from './project.js';
import { withSignals } from './run.js';

export function registerLog(program: Command): void {
  program
    .command('log')
    .description("print a job's log (its last attempts)")
    .argument('<job>', 'a job name as dax prints it (gen[n=3]), or a path the job makes')
    .option('-f, --follow', 'while the job runs, print what it adds until it ends (after log, -f is this, not --file)')
    .action(async (text: string, opts: { follow?: boolean }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), []);
      const log = jobLog(project, text);
      if (!log.ok) configError(log.error);
      const { job, printed, runningIn } = log.value;
      if (!printed && !runningIn) {
        // A job that printed nothing has a log of the attempt's header only, or none.
        if (log.value.lastRun) {
          process.stderr.write(`dax: ${job.id} printed nothing (its last attempt: run ${log.value.lastRun})\n`);
          return;
        }
        const near = nearJob(project, job);
        process.stderr.write(`dax: ${job.id} has no log: it has not run${near ? `\n  hint: ${near}` : ''}\n`);
        throw new ExitRequest(Exit.jobFailed);
      }
      const write = (chunk: Buffer): void => void process.stdout.write(chunk);
      if (!opts.follow || !runningIn) {
        if (opts.follow) process.stderr.write(`dax: ${job.id} is not running; its log:\n`);
        await followLog(project, { ...log.value, runningIn: undefined }, { write });
        return;
      }
      await withSignals((stop) => followLog(project, log.value, { write, signal: stop }));
    });
}
