// The POSIX sh the SSH worker runs on its host (dash there, so nothing beyond POSIX): the
// launch that starts a job detached and records how it ended, probes, kills, sweeps.
//
// An attempt's record is a few files beside its directory DIR (which, without a shared file
// system, is the job's tree): DIR.pid (`PGID RECORDER`, then, once the job ended, its exit
// status on a line of its own), DIR.outputs, and DIR.kill when dax signalled it. Each line is
// written in one write and the status last: a reader takes a status only when `read` finds its
// newline, so it never sees half of one, and no rename is needed. Every process the launch
// starts, and every file it creates, costs on a loaded host: builtins where they do (a
// directory is made only when it is missing; the job runs under setsid itself, its status
// recorded by the launch's own shell in the file it wrote already).
import path from 'node:path';
import { shellQuote as q } from '../../graph/quote.js';
import { outputLines, type WrapperSpec } from '../remote/wrapper.js';

/** What a launch needs: the same description of a remote job as the Slurm wrapper's (the
 * attempt's record files are beside `dir`), and the line the log starts with, when the host
 * writes it (it makes the log anyway: dax does not make it first). */
export type LaunchSpec = WrapperSpec;

/** Shell functions the launch uses, defined once per agent session (its lines stay short: the
 * agent's `read` takes a byte per system call). With `d` the attempt's directory:
 * - `R` reads the record: true once it holds the status `x` (`p` and `r` as far as written).
 * - `J` follows an attempt that ran or runs already (the launch may be a retry after a dropped
 *   connection, or a later dax's): false if there is none. The status comes from the recorder
 *   once the job is gone: it waits for either while one lives.
 * - `M DIR...` makes the directories if one is missing (mkdir is a process; `[ -d ]` is not).
 * - `S w|a|h LOG ARGV...` starts ARGV in a process group of its own, its output to LOG
 *   (truncated, appended, or started with the header `$H`), records `PGID RECORDER` and waits for it, leaving its status in `x`; a
 *   signal dax sent before the group was recorded (DIR.kill) goes to it then. This
 *   shell records the status: a dropped connection must not stop it (a trap, not an ignored
 *   signal, so the job gets them back). Its own pid comes from /proc/self, which the shell
 *   opens itself. An empty pid file says "starting" to a probe or a retried launch; all three
 *   fds redirected, or ssh would wait for the job rather than the shell; `wait` returns early
 *   when a trapped signal arrives, so it waits again until the job is gone. (bash's `set -m`
 *   would make the group without the setsid process, but its forks cost as much more.)
 * - `E` records the status and prints it; `P` prints it, after the outputs' sizes and hashes
 *   (`out S H`), and ends the launch (`exit`: in the agent the status is the job's last line,
 *   its end, one write back). */
const FUNCTIONS = [
  'R() { p=; r=; x=; { read p r && read x; } 2>/dev/null < "$d.pid"; };',
  'J() {',
  '  R && P; [ -e "$d.pid" ] || return 1;',
  '  while [ -z "$p" ]; do sleep 0.05; R && P; done;',
  '  until R; do',
  '    kill -0 "$p" 2>/dev/null || kill -0 "${r:-$p}" 2>/dev/null || { R || x=gone; break; };',
  '    sleep 0.1;',
  '  done; P;',
  '};',
  'M() { n=; for m; do [ -d "$m" ] || n=1; done; [ -z "$n" ] || mkdir -p "$@"; };',
  'O() { [ -e "$d.outputs" ] && while read s h; do echo "${T}out $s $h"; done < "$d.outputs"; };',
  'E() { echo $x >> "$d.pid"; P; };',
  'P() { O; echo "${T}status $x"; exit 0; };',
  'S() {',
  '  trap : HUP PIPE; r=; read r x 2>/dev/null < /proc/self/stat; : > "$d.pid";',
  '  case $1 in w) : > "$2";; h) printf \'%s\\n\' "$H" > "$2";; esac; lg=$2; shift 2;',
  '  setsid "$@" >> "$lg" 2>&1 < /dev/null & p=$!; echo "$p $r" > "$d.pid";',
  '  [ -e "$d.kill" ] && read k < "$d.kill" && { kill -$k -$p || kill -$k $p; } 2>/dev/null;',
  '  while :; do wait $p; x=$?; kill -0 $p 2>/dev/null || break; done;',
  '};',
];

/** The launch: starts the attempt (unless it runs or ran already) and waits for it. Prints
 * (without a shared file system) `out SIZE HASH` for each output, then `status X` (`status
 * gone`: it ended without recording one, e.g. a SIGKILL of its recorder) and exits; `$T`
 * prefixes them in the agent session. When it cannot start the job it says why on stderr and
 * goes on: in the agent, to the loop's `end`. */
function launchLines(w: LaunchSpec): string[] {
  const dirs = [...new Set([path.posix.dirname(w.dir), ...w.mkdirs])];
  const env = Object.entries(w.env).map(([k, v]) => `${k}=${q(v)}`);
  return [
    `d=${q(w.dir)};`,
    `J || if ${[`M ${dirs.map(q).join(' ')}`, ...w.links.map(([l, t]) => `ln -sfn ${q(t)} ${q(l)}`), `cd ${q(w.cwd)}`].join(' && ')}; then`,
    ...(env.length > 0 ? [`  export ${env.join(' ')};`] : []),
    ...(w.header !== undefined ? [`  H=${q(w.header.replace(/\n$/, ''))};`] : []),
    `  S ${w.header !== undefined ? 'h' : w.appendLog ? 'a' : 'w'} ${q(w.log)} ${w.argv.map(q).join(' ')};`,
    ...(w.outputs.length > 0 ? outputLines(w.outputs, w.hash, `${w.dir}.outputs`).map((l) => `  ${l}`) : []),
    '  E;',
    'else echo "dax: could not prepare $d on $(hostname)" >&2; fi',
  ];
}

/** The launch as a session's script, for when the agent cannot take it. */
export function launchScript(w: LaunchSpec): string {
  return [...FUNCTIONS, 'T=', ...launchLines(w)].join('\n') + '\n';
}

/** The launch on one line, for the agent; undefined when a value holds a newline. */
export function launchLine(w: LaunchSpec): string | undefined {
  const line = launchLines(w).map((l) => l.trim()).join(' ');
  return line.includes('\n') ? undefined : line;
}

/** The worker's agent on a host without perl (agent.ts picks it; agent-perl.ts is the other,
 * which writes the same records): one long session that takes job after job, a line each (an id, a
 * space, a launch line or another script on one line), and runs each in a background subshell
 * of its own; every line it prints starts with the id, and its last is `status X` (a launch) or
 * `end N` (anything else, or a launch that could not start its job). It saves the ssh client,
 * sshd's session and the login shell per job. */
export const AGENT = [...FUNCTIONS.map((l) => l.trim()), 'while read -r id l; do { T="$id "; eval "$l"; echo "$id end $?"; } & done'].join(' ');

/** What became of an attempt an earlier dax started: `status X`, `running N`, or `gone`. */
export function probeScript(dir: string): string {
  return [
    `d=${q(dir)}`,
    'p=; r=; x=; { read p r && read x; } 2>/dev/null < "$d.pid"; s=$?',
    'if [ $s = 0 ]; then echo "status $x"',
    // An empty pid file is one being written: the job is starting. A live recorder records it.
    'elif [ -e "$d.pid" ] && { [ -z "$p" ] || kill -0 "$p" 2>/dev/null || kill -0 "${r:-$p}" 2>/dev/null; }; then echo "running $p"',
    'else echo gone; fi',
  ].join('\n') + '\n';
}

/** Signals an attempt's process group (dash's kill: `kill -TERM -PGID`), read from its record;
 * DIR.kill first, for a launch that has not recorded its group yet (it signals the group
 * itself once it has). A job just started may not have made its group yet (setsid runs in
 * it): then it has no children either, and the signal goes to it. */
export function killScript(dir: string, signal: string): string {
  return [
    `d=${q(dir)}; s=${signal.replace(/^SIG/, '')}`,
    '[ -d "${d%/*}" ] || mkdir -p "${d%/*}"; echo $s > "$d.kill"',
    'p=; { read p r; } 2>/dev/null < "$d.pid"; [ -z "$p" ] || { kill -$s -$p || kill -$s $p; } 2>/dev/null; exit 0',
  ].join('\n') + '\n';
}

/** After a successful copy back: the outputs become inputs the worker holds (linked into its
 * store, so a later job that needs them is not sent them again); the attempt goes. No
 * `exit`: the agent runs it too. */
export function finishScript(dir: string, keep: Array<[string, string]>): string {
  return [
    ...keep.flatMap(([t, stored]) => [`[ -d ${q(path.posix.dirname(stored))} ] || mkdir -p ${q(path.posix.dirname(stored))}`, `ln -f ${q(t)} ${q(stored)} 2>/dev/null || cp -p ${q(t)} ${q(stored)}`]),
    `rm -rf ${['', '.pid', '.outputs', '.kill'].map((e) => q(dir + e)).join(' ')}`,
  ].join('\n') + '\n';
}

/** Stops what a dead run left running through this worker, but for the attempts named. */
export function sweepScript(runDir: string, keep: string[]): string {
  return [
    'n=0',
    `for f in ${q(runDir)}/*.pid; do`,
    '  d=${f%.pid}; p=; { read p r && read x; } 2>/dev/null < "$f" && continue',
    ...keep.map((k) => `  [ "$d" = ${q(k)} ] && continue`),
    '  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || continue',
    '  kill -TERM -"$p" 2>/dev/null; n=$((n+1))',
    'done',
    'echo "stopped $n"',
  ].join('\n') + '\n';
}
