import type { Command } from 'commander';
import { Journal } from '../state/journal.js';
import { Exit } from './exit.js';
import { ExitRequest } from './main.js';
import { loadProject } from './project.js';
import { globals, usageError } from './options.js';
import { runCommand } from './run.js';
import { liveRunId, runState } from '../state/runs.js';
import { acquisitionTarget } from './acq.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue the last (or the named) interrupted or failed run, with its targets, --set values, --jobs and -k')
    .argument('[run-id]', 'a run id from dax runs, or an acquisition id (continues that acquisition)')
    .option('-j, --jobs <n>', 'run at most N jobs at once (default: the resumed run\'s --jobs)')
    .option('--json', 'one JSON event per line on stdout')
    .action(async (runId: string | undefined, opts: { jobs?: string; json?: boolean }, cmd: Command) => {
      const { project } = await loadProject(globals(cmd), []);
      const journal = Journal.load(project.stateDir);
      const live = liveRunId(project.stateDir);
      let info;
      if (runId) {
        info = journal.run(runId);
        if (!info) {
          const acq = await acquisitionTarget(globals(cmd), runId);
          if (!acq) usageError(`no run ${runId} in the journal (dax runs lists them), and no acquisition ${runId} in progress`);
          process.stderr.write(`dax: resuming acquisition ${runId} (${acq.state}${acq.error ? ', error' : ''}), not a run\n`);
          throw new ExitRequest(await runCommand(cmd, [acq.target], { jobs: opts.jobs, set: [], json: opts.json }));
        }
      } else {
        info = [...journal.runs].reverse().find((r) => runState(r, live) !== 'running');
        if (!info) usageError('there is no run to resume');
        if (runState(info, live) === 'ok') {
          process.stdout.write(`the last run ${info.run.id} succeeded; nothing to resume\n`);
          throw new ExitRequest(Exit.ok);
        }
      }
      const sets = Object.entries(info.run.sets).map(([k, v]) => `${k}=${v}`);
      // The run's --jobs too, unless given anew; the banner says which.
      const jobs = opts.jobs ?? (info.run.jobs !== undefined ? String(info.run.jobs) : undefined);
      const jobsText = opts.jobs !== undefined ? `, --jobs ${opts.jobs} (given now)` : jobs !== undefined ? `, --jobs ${jobs}` : ', --jobs default';
      process.stderr.write(`dax: resuming run ${info.run.id} (${runState(info, live)}): targets ${info.run.targets.join(' ') || '(default)'}${sets.length ? `, --set ${sets.join(' --set ')}` : ''}${jobsText}${info.run.keepGoing ? ', -k' : ''}\n`);
      const code = await runCommand(cmd, info.run.targets, { jobs, set: sets, json: opts.json, keepGoing: info.run.keepGoing, resumes: info.run.id });
      throw new ExitRequest(code);
    });
}
