// Where a Slurm worker keeps what its jobs and dax share, under the project's .dax/ (which the
// cluster's nodes see, like the rest of the project), per run:
//   .dax/slurm/<worker>/<run>/batch/<n>.sh      an array's script (sbatch's): what every task
//                                               does, then the part of the array its task is in
//   .dax/slurm/<worker>/<run>/batch/<n>.<c>.sh  part c: the wrappers of the jobs of a few tasks
//                                               (about CHUNK_JOBS jobs), inline, by task index
//   .dax/slurm/<worker>/<run>/batch/<n>.jobs    the array's attempts, a line per task (a
//                                               bundle's attempts space-separated), by index
//   .dax/slurm/<worker>/<run>/batch/<n>.id      its Slurm array job id, once sbatch said it
//   .dax/slurm/<worker>/<run>/batch/<n>/        Slurm's own output of each task (%a.out), and
//                                               <i>.<k>.kill when dax stops job k of task i
//   .dax/slurm/<worker>/<run>/rec/<n>.<i>       task i's record (record.ts): a line when each
//                                               of its jobs begins and ends, with its status
// dax watches rec/ (inotify) or reads the records of the tasks out there, so it learns of starts
// and ends without asking Slurm. No file or directory per job: on a busy disk each costs dax
// about a millisecond to make and again to remove.
import path from 'node:path';
import { shellQuote as q } from '../../graph/quote.js';

/** A worker's directory: one directory per run in it. */
export function workerDir(projectDir: string, worker: string): string {
  return path.join(projectDir, '.dax', 'slurm', worker);
}

export function runDir(projectDir: string, worker: string, run: string): string {
  return path.join(workerDir(projectDir, worker), run);
}

/** Where a run's tasks keep their records. */
export function recordDir(projectDir: string, worker: string, run: string): string {
  return path.join(runDir(projectDir, worker, run), 'rec');
}

/** Task `index` of array `n`'s record file. */
export function recordFile(projectDir: string, worker: string, run: string, n: number, index: number): string {
  return path.join(recordDir(projectDir, worker, run), `${n}.${index}`);
}

/** Array `n`'s own directory (Slurm's output of its tasks, kill files). */
export function batchDir(projectDir: string, worker: string, run: string, n: number): string {
  return path.join(runDir(projectDir, worker, run), 'batch', String(n));
}

/** The file that tells job k of task `index` of array `n` to stop (its content: the signal). */
export function killFile(projectDir: string, worker: string, run: string, n: number, index: number, k: number): string {
  return path.join(batchDir(projectDir, worker, run, n), `${index}.${k}.kill`);
}

/** The run-specific Slurm job name: one squeue --name finds all of a run's jobs. */
export function jobName(run: string): string {
  return `dax-${run}`;
}

/** About this many jobs' wrappers in one part of an array's script: each task's shell reads
 * only its part (a few tens of kB), and dax writes a file per so many jobs, not per job. */
export const CHUNK_JOBS = 50;

/** An array's scripts. `tasks[i]`: the wrapper of each job task i runs, in order (one job, or a
 * bundle of several); each ends by recording the job's status in "$r" (the wrapper's last line,
 * see `wrapperLines`). Returns the main script (sbatch's) and the parts it sources, a file each. */
export function arrayScripts(projectDir: string, worker: string, run: string, n: number, tasks: string[][][]): { main: string; parts: string[] } {
  const perPart = Math.max(1, Math.floor(CHUNK_JOBS / Math.max(...tasks.map((t) => t.length))));
  const dir = runDir(projectDir, worker, run);
  const parts: string[] = [];
  for (let p = 0; p * perPart < tasks.length; p++) {
    const lines = ['case "$t" in'];
    tasks.slice(p * perPart, (p + 1) * perPart).forEach((jobs, j) => {
      lines.push(`${p * perPart + j})`);
      jobs.forEach((wrapper, k) => lines.push(`dax_job ${k} && {`, ...wrapper, '}'));
      lines.push(';;');
    });
    lines.push('*) echo "dax: no job at array index $t" >&2; exit 1;;', 'esac', '');
    parts.push(lines.join('\n'));
  }
  const jobs = tasks.reduce((s, t) => s + t.length, 0);
  const main = [
    '#!/bin/sh',
    `# dax run ${run}: ${jobs} jobs in ${tasks.length} tasks`,
    't=$SLURM_ARRAY_TASK_ID',
    `r=${q(path.join(dir, 'rec', String(n)))}.$t`,
    `kf=${q(path.join(dir, 'batch', String(n)))}/$t`,
    // A signal to the task (scancel, a node going down) ends the job that runs and the task:
    // the jobs after it never start (dax takes them as lost).
    "trap 'dax_sig=1' TERM INT HUP",
    // dax stops one job of a bundle by a kill file (the signal's name) and a USR1 to this shell
    // (scancel --batch): the job's process group gets the signal, the task goes on to its next.
    'dax_kill() { [ -n "$c" ] && [ -e "$kf.$k.kill" ] || return 0; read s < "$kf.$k.kill"; kill -s "${s:-TERM}" -- "-$c" 2>/dev/null || kill -s "${s:-TERM}" "$c" 2>/dev/null; }',
    'trap dax_kill USR1',
    // A task run again (requeued by hand) never runs a job twice: those recorded as ended are
    // skipped (read with builtins, as the task normally has no record yet).
    "dn=' '",
    'if [ -s "$r" ]; then while read a b x; do [ "$a" = e ] && dn="$dn$b "; done < "$r"; fi',
    // dax_job K: whether job K runs now (its start recorded); one stopped by dax before it began
    // is recorded as killed, never run.
    'dax_job() {',
    '[ -n "$dax_sig" ] && exit 0',
    'case "$dn" in *" $1 "*) return 1;; esac',
    'k=$1; c=',
    'if [ -e "$kf.$k.kill" ]; then echo "e $k 143" >> "$r"; return 1; fi',
    'echo "s $k $SLURMD_NODENAME" >> "$r"',
    '}',
    `. ${q(path.join(dir, 'batch', String(n)))}.$((t / ${perPart})).sh`,
    '',
  ].join('\n');
  return { main, parts };
}

/** What a bundled job's wrapper adds (WrapperSpec.shared): a signal to the task records `g K`
 * before the job's status (the status may be the task's fate, not the job's: the queue says),
 * and a kill file written while the command started is acted on at once. */
export const BUNDLED = { onSignal: 'dax_sig=1; echo "g $k" >> "$r"', afterStart: 'if [ -e "$kf.$k.kill" ]; then dax_kill; fi;' };

/** A Slurm worker's ref: `12345_7` (a task of its own), or `12345_7.2` (the third job of task 7's
 * bundle) -> array id, index, and place in the bundle. */
export function parseRef(ref: string): { array: string; index: number; k: number | undefined } | undefined {
  const m = /^(?:slurm:)?(\d+)_(\d+)(?:\.(\d+))?$/.exec(ref);
  return m ? { array: m[1]!, index: Number(m[2]), k: m[3] === undefined ? undefined : Number(m[3]) } : undefined;
}
