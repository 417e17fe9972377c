// Where a Slurm worker keeps what its jobs and dax share, under the project's .dax/ (which the
// cluster's nodes see, like the rest of the project):
//   .dax/slurm/<worker>/<run>/<attempt>/      job.sh (the wrapper), pid, status, node
//   .dax/slurm/<worker>/<run>/batch/<n>.sh    an array's script: task index -> attempt
//   .dax/slurm/<worker>/<run>/batch/<n>.jobs  the array's attempts, one a line, by task index
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

/** An array's script. Each task finds its attempt by index and runs the wrapper there, unless a
 * status is recorded already (a task never runs a job twice). `dir`: the run's directory. */
export function arrayScript(dir: string, run: string, names: string[]): string {
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

/** `12345_7` -> array id and index. */
export function parseRef(ref: string): { array: string; index: number } | undefined {
  const m = /^(?:slurm:)?(\d+)_(\d+)$/.exec(ref);
  return m ? { array: m[1]!, index: Number(m[2]) } : undefined;
}
