// The job wrapper of the Slurm worker (POSIX sh: dash on Debian hosts, so nothing beyond
// POSIX), inline in its array task's script (../slurm/layout.ts), which records the job's start.
// The wrapper runs the command and, when it ends, records its outputs' sizes and hashes
// (outputs, written to a temporary name and renamed) and its exit status: one line `e K STATUS`
// appended to the task's record "$r" in one write, so a reader never takes half of one
// (../slurm/record.ts). The SSH worker records its jobs in its own launch line
// (../ssh/scripts.ts) and shares the attempt names and the recording of outputs.
import { createHash } from 'node:crypto';
import { shellQuote as q } from '../../graph/quote.js';
import type { JobSpec } from '../executor.js';

/** The attempt's directory name: readable, unique per (run, job, attempt), short. */
export function attemptName(spec: Pick<JobSpec, 'job' | 'attempt'>): string {
  const h = createHash('sha1').update(spec.job).digest('hex').slice(0, 10);
  return `${spec.job.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60)}-${h}.${spec.attempt}`;
}

/** A job as a remote worker runs it, in the host's absolute paths. */
export interface WrapperSpec {
  /** The attempt's directory on the host. */
  dir: string;
  /** Where the command runs (absolute on the host). */
  cwd: string;
  argv: string[];
  env: Record<string, string>;
  log: string;
  appendLog: boolean;
  /** A first attempt's header line (JobSpec.logHeader): the log starts with it, written here
   * rather than by dax, which then makes no file per job. */
  header?: string;
  /** The log is made only if the job writes something, as a local job's is (the SSH perl
   * agent, with a shared file system: nothing copies the log back). */
  logOnOutput?: boolean;
  /** Directories the job needs, made before it runs (if missing). */
  mkdirs: string[];
  /** [link, target]: inputs the worker holds, linked into the attempt's directory. */
  links: Array<[string, string]>;
  /** [temp, output] absolute on the host: an output the command wrote under its own name is
   * moved to its temporary name; each temp's size (and sha256 when `hash`) is recorded. */
  outputs: Array<[string, string]>;
  hash: boolean;
  /** Jobs that share one shell (a Slurm bundle): the command runs in a process group of its
   * own (setsid), so one job can be stopped alone; `onSignal` replaces what the TERM/INT/HUP
   * trap does; `afterStart` runs once the command's pid ($c) is known. */
  shared?: { onSignal: string; afterStart: string };
}

/** The job's wrapper: runs the command (in a process group of its own under setsid when
 * shared) and records how it ended, as job "$k" of the task's record "$r". It traps TERM/INT/HUP so a signal to the whole group
 * stops the job but not the recording of its status (slurmstepd signals every process of a
 * cancelled job, the wrapper included). Builtins where it can: every process
 * it starts costs milliseconds per job. Every line ends its own command, so the lines joined
 * by spaces are the same script on one line (for the worker's agent session). */
export function wrapperLines(w: WrapperSpec): string[] {
  const lines = [
    w.shared ? `trap ${q(w.shared.onSignal)} TERM INT HUP;` : "trap 'dax_sig=1' TERM INT HUP;",
    ...Object.entries(w.env).map(([k, v]) => `export ${k}=${q(v)};`),
    w.header !== undefined ? `printf '%s\\n' ${q(w.header.replace(/\n$/, ''))} > ${q(w.log)};` : w.appendLog ? `: >> ${q(w.log)};` : `: > ${q(w.log)};`,
    `( cd ${q(w.cwd)} && exec ${w.shared ? 'setsid ' : ''}${w.argv.map(q).join(' ')} ) >> ${q(w.log)} 2>&1 < /dev/null &`,
    'c=$!;',
    ...(w.shared ? [w.shared.afterStart] : []),
    // wait returns early when a trapped signal arrives: wait again until the job is gone.
    'while :; do wait $c; x=$?; kill -0 $c 2>/dev/null || break; done;',
  ];
  if (w.outputs.length > 0) lines.push(...outputLines(w.outputs, w.hash, 'outputs.tmp'), 'mv outputs.tmp outputs;');
  // One write: the record's reader takes it only with its newline.
  lines.push('echo "e $k $x" >> "$r";');
  return lines;
}

/** After the job ended with status `$x`: each output the command wrote under its own name
 * moved to its temporary name, and each temporary's size (and sha256) written to `file`, a
 * line each (`- -` for one that is missing). */
export function outputLines(outputs: Array<[string, string]>, hash: boolean, file: string): string[] {
  return [
    `: > ${q(file)};`,
    ...outputs.flatMap(([t, o]) => [
      `if [ $x -eq 0 ] && [ ! -e ${q(t)} ] && [ -e ${q(o)} ]; then mv -f ${q(o)} ${q(t)}; fi;`,
      `if [ -f ${q(t)} ]; then echo "$(wc -c < ${q(t)}) ${hash ? `$(sha256sum < ${q(t)} | cut -c1-64)` : '-'}" >> ${q(file)}; else echo "- -" >> ${q(file)}; fi;`,
    ]),
  ];
}
