// The POSIX sh the SSH worker runs on its host (dash there, so nothing beyond POSIX): the
// launch that starts a job detached and records how it ended, probes, kills, sweeps.
//
// An attempt's record is a few files beside its directory DIR (which, without a shared file
// system, is the job's tree): DIR.pid (`PGID RECORDER`), DIR.outputs, DIR.status. Each is
// written in one write and DIR.status last: a reader takes a status only when `read` finds its
// newline, so it never sees half of one, and no rename is needed. Every process the launch
// starts costs milliseconds per job on a loaded host: builtins where they do (a directory is
// made only when it is missing; the job runs under setsid itself, its status recorded by the
// launch's own shell).
import path from 'node:path';
import { shellQuote as q } from '../../graph/quote.js';
import { outputLines } from '../remote/wrapper.js';

export interface LaunchSpec {
  /** The attempt's directory on the host; its record files are beside it. */
  dir: string;
  /** Where the command runs (absolute on the host). */
  cwd: string;
  argv: string[];
  env: Record<string, string>;
  log: string;
  appendLog: boolean;
  /** Directories the job needs, made if missing (the record's directory always is). */
  mkdirs: string[];
  /** [link, target]: inputs the worker holds, linked into the attempt's directory. */
  links: Array<[string, string]>;
  /** [temp, output] absolute on the host: an output the command wrote under its own name is
   * moved to its temporary name; each temp's size (and sha256 when `hash`) is recorded. */
  outputs: Array<[string, string]>;
  hash: boolean;
}

/** The launch: starts the attempt (unless it runs or ran already: the launch may be a retry
 * after a dropped connection) and waits for it. Prints `pgid N` once it runs, then `status X`
 * (`status gone`: it ended without recording one, e.g. a SIGKILL of its recorder); `$T`
 * prefixes them in the agent session. No `exit`: in the agent it runs in the loop's own
 * background subshell, which prints its end after it. */
function launchLines(w: LaunchSpec): string[] {
  const dirs = [...new Set([path.posix.dirname(w.dir), ...w.mkdirs])];
  return [
    `d=${q(w.dir)};`,
    'if read x 2>/dev/null < "$d.status"; then read p r < "$d.pid"; echo "${T}pgid $p"; echo "${T}status $x";',
    'elif [ -e "$d.pid" ]; then',
    // An empty pid file is one being written.
    '  p=; while read p r < "$d.pid"; [ -z "$p" ]; do sleep 0.05; done; echo "${T}pgid $p";',
    // The status comes from the recorder once the job is gone: wait for either while one lives.
    '  until read x 2>/dev/null < "$d.status"; do',
    '    kill -0 "$p" 2>/dev/null || kill -0 "${r:-$p}" 2>/dev/null || { read x 2>/dev/null < "$d.status" || x=gone; break; };',
    '    sleep 0.1;',
    '  done; echo "${T}status $x";',
    `elif set --; for m in ${dirs.map(q).join(' ')}; do [ -d "$m" ] || set -- "$@" "$m"; done; ${[
      '{ [ $# -eq 0 ] || mkdir -p "$@"; }', ...w.links.map(([l, t]) => `ln -sfn ${q(t)} ${q(l)}`), `cd ${q(w.cwd)}`].join(' && ')}; then`,
    // This shell records the status: a dropped connection must not stop it (a trap, not an
    // ignored signal, so the job gets them back).
    '  trap : HUP PIPE;',
    // Its own pid (dash has no $BASHPID): the shell opens /proc/self itself, no process.
    '  r=; read r x 2>/dev/null < /proc/self/stat;',
    ...Object.entries(w.env).map(([k, v]) => `  export ${k}=${q(v)};`),
    // An empty pid file says "starting" to a probe or a retried launch. All three fds
    // redirected, or ssh would wait for the job rather than the shell.
    '  : > "$d.pid";',
    `  setsid ${w.argv.map(q).join(' ')} ${w.appendLog ? '>>' : '>'} ${q(w.log)} 2>&1 < /dev/null &`,
    '  p=$!; echo "$p $r" > "$d.pid"; echo "${T}pgid $p";',
    // wait returns early when a trapped signal arrives: wait again until the job is gone.
    '  while :; do wait $p; x=$?; kill -0 $p 2>/dev/null || break; done;',
    ...(w.outputs.length > 0 ? outputLines(w.outputs, w.hash, `${w.dir}.outputs`).map((l) => `  ${l}`) : []),
    '  echo $x > "$d.status"; echo "${T}status $x";',
    'else echo "dax: could not prepare $d on $(hostname)" >&2; fi',
  ];
}

export function launchScript(w: LaunchSpec): string {
  return ['T=', ...launchLines(w)].join('\n') + '\n';
}

/** The same on one line, for the agent; undefined when a value holds a newline. */
export function launchLine(w: LaunchSpec): string | undefined {
  const line = launchLines(w).map((l) => l.trim()).join(' ');
  return line.includes('\n') ? undefined : line;
}

/** The worker's agent: one long session that takes job after job, two lines each (an id, a
 * launch line), and runs each in a background subshell of its own; every line it prints starts
 * with the id. It saves the ssh client, sshd's session and the login shell per job. */
export const AGENT = 'while IFS= read -r id && IFS= read -r l; do { T="$id "; eval "$l"; echo "$id end $?"; } & done';

/** What became of an attempt an earlier dax started: `status X`, `running N`, or `gone`. */
export function probeScript(dir: string): string {
  return [
    `d=${q(dir)}`,
    'p=; r=; [ -e "$d.pid" ] && read p r < "$d.pid"',
    'if read x 2>/dev/null < "$d.status"; then echo "status $x"',
    // An empty pid file is one being written: the job is starting. A live recorder records it.
    'elif [ -e "$d.pid" ] && { [ -z "$p" ] || kill -0 "$p" 2>/dev/null || kill -0 "${r:-$p}" 2>/dev/null; }; then echo "running $p"',
    'else echo gone; fi',
  ].join('\n') + '\n';
}

/** Signals a process group (dash's kill: `kill -TERM -PGID`). */
export function killScript(pgid: number, signal: string): string {
  return `kill -${signal.replace(/^SIG/, '')} -${pgid} 2>/dev/null; exit 0\n`;
}

/** After a successful copy back: the outputs become inputs the worker holds (linked into its
 * store, so a later job that needs them is not sent them again); the attempt goes. */
export function finishScript(dir: string, keep: Array<[string, string]>): string {
  return [
    ...keep.flatMap(([t, stored]) => [`mkdir -p "$(dirname ${q(stored)})"`, `ln -f ${q(t)} ${q(stored)} 2>/dev/null || cp -p ${q(t)} ${q(stored)}`]),
    `rm -rf ${['', '.pid', '.outputs', '.status'].map((e) => q(dir + e)).join(' ')}`,
    'exit 0',
  ].join('\n') + '\n';
}

/** Stops what a dead run left running through this worker, but for the attempts named. */
export function sweepScript(runDir: string, keep: string[]): string {
  return [
    'n=0',
    `for f in ${q(runDir)}/*.pid; do`,
    '  d=${f%.pid}; read x 2>/dev/null < "$d.status" && continue',
    ...keep.map((k) => `  [ "$d" = ${q(k)} ] && continue`),
    '  p=; read p r 2>/dev/null < "$f"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null || continue',
    '  kill -TERM -"$p" 2>/dev/null; n=$((n+1))',
    'done',
    'echo "stopped $n"',
  ].join('\n') + '\n';
}
