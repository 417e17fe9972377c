// Where a Slurm worker keeps what its jobs and dax share, under the project's .dax/ (which the
// cluster's nodes see, like the rest of the project):
//   .dax/slurm/<worker>/<run>/<attempt>/      job.sh (the wrapper), pid, status, node; in a
//                                              bundle also kill (dax stops it) and signaled
//   .dax/slurm/<worker>/<run>/batch/<n>.sh    an array's script: task index -> attempt
//   .dax/slurm/<worker>/<run>/batch/<n>.jobs  the array's attempts, a line per task (a bundle's
//                                              attempts space-separated), by task index
//   .dax/slurm/<worker>/<run>/batch/<n>.id    its Slurm array job id, once sbatch said it
//   .dax/slurm/<worker>/<run>/batch/<n>/      Slurm's own output of each task (%a.out)
//   .dax/slurm/<worker>/<run>/started/<attempt>@<node>  an empty file once a task began: a hint
//                                              that it runs, and where (in its name: no read)
//   .dax/slurm/<worker>/<run>/ended/<attempt>  an empty file once a task recorded its status: a
//                                              hint (the status file stays the truth)
// dax watches the two hint directories (inotify) or reads them by readdir, so it learns of starts
// and ends without asking Slurm.
import path from 'node:path';
import { shellQuote as q } from '../../graph/quote.js';
import { attemptName } from '../remote/wrapper.js';
import type { JobSpec } from '../executor.js';

/** A worker's directory: one directory per run in it. */
export function workerDir(projectDir: string, worker: string): string {
  return path.join(projectDir, '.dax', 'slurm', worker);
}

export function runDir(projectDir: string, worker: string, run: string): string {
  return path.join(workerDir(projectDir, worker), run);
}

/** Where tasks leave their hints: `started` once they begin, `ended` once their status is there. */
export type HintKind = 'started' | 'ended';

export function hintDir(projectDir: string, worker: string, run: string, kind: HintKind): string {
  return path.join(runDir(projectDir, worker, run), kind);
}

export function attemptDir(projectDir: string, worker: string, spec: Pick<JobSpec, 'job' | 'attempt' | 'run'>): string {
  return path.join(runDir(projectDir, worker, spec.run), attemptName(spec));
}

/** The run-specific Slurm job name: one squeue --name finds all of a run's jobs. */
export function jobName(run: string): string {
  return `dax-${run}`;
}

/** An array's script; `tasks[i]`: the attempts task i runs (one, or a bundle of several). Each
 * task finds its attempts by index and runs the wrapper in each, skipping one whose status is
 * recorded already (a task never runs a job twice). `dir`: the run's directory. */
export function arrayScript(dir: string, run: string, tasks: string[][]): string {
  if (tasks.every((t) => t.length === 1)) return singleScript(dir, run, tasks.map((t) => t[0]!));
  const cases = tasks.map((t, i) => `${i}) set -- ${t.map(q).join(' ')};;`).join('\n');
  return [
    '#!/bin/sh',
    `# dax run ${run}: ${tasks.reduce((n, t) => n + t.length, 0)} jobs in ${tasks.length} tasks`,
    // A signal to the task (scancel, a node going down) ends the job that runs and the task:
    // the jobs after it never start (dax takes them as lost).
    "trap 'dax_sig=1' TERM INT HUP",
    // dax stops one job of a bundle by a `kill` file in its attempt (the signal's name) and a
    // USR1 to this shell (scancel --batch): the job's process group gets the signal, the task
    // goes on to its next job.
    'dax_kill() { [ -n "$c" ] && [ -e kill ] || return 0; read s < kill; kill -s "${s:-TERM}" -- "-$c" 2>/dev/null || kill -s "${s:-TERM}" "$c" 2>/dev/null; }',
    'trap dax_kill USR1',
    'case "$SLURM_ARRAY_TASK_ID" in',
    cases,
    '*) echo "dax: no job at array index $SLURM_ARRAY_TASK_ID" >&2; exit 1;;',
    'esac',
    'for d; do',
    '[ -n "$dax_sig" ] && exit 0',
    'c=',
    `cd ${q(dir)}/"$d" || continue`,
    '[ -e status ] && continue',
    // Stopped by dax before it began: recorded as killed, never run.
    'if [ -e kill ]; then echo 143 > status; : > ../ended/"$d"; continue; fi',
    'echo "$SLURMD_NODENAME" > node',
    ': > ../started/"$d@$SLURMD_NODENAME"',
    '. ./job.sh',
    ': > ../ended/"$d"',
    'done',
    '',
  ].join('\n');
}

/** What a bundled job's wrapper adds (WrapperSpec.shared): a signal to the task leaves a
 * `signaled` file by its status (the status may be the task's fate, not the job's: the queue
 * says), and a `kill` written while the command started is acted on at once. */
export const BUNDLED = { onSignal: 'dax_sig=1; : > signaled', afterStart: 'if [ -e kill ]; then dax_kill; fi;' };

function singleScript(dir: string, run: string, names: string[]): string {
  const cases = names.map((n, i) => `${i}) d=${q(n)};;`).join('\n');
  return [
    '#!/bin/sh',
    `# dax run ${run}: ${names.length} jobs`,
    'case "$SLURM_ARRAY_TASK_ID" in',
    cases,
    '*) echo "dax: no job at array index $SLURM_ARRAY_TASK_ID" >&2; exit 1;;',
    'esac',
    `cd ${q(dir)}/"$d" || exit 1`,
    '[ -e status ] && exit 0',
    'echo "$SLURMD_NODENAME" > node',
    ': > ../started/"$d@$SLURMD_NODENAME"',
    '. ./job.sh',
    ': > ../ended/"$d"',
    '',
  ].join('\n');
}

/** A Slurm worker's ref: `12345_7` (a task of its own), or `12345_7.2` (the third job of task 7's
 * bundle) -> array id, index, and place in the bundle. */
export function parseRef(ref: string): { array: string; index: number; k: number | undefined } | undefined {
  const m = /^(?:slurm:)?(\d+)_(\d+)(?:\.(\d+))?$/.exec(ref);
  return m ? { array: m[1]!, index: Number(m[2]), k: m[3] === undefined ? undefined : Number(m[3]) } : undefined;
}
