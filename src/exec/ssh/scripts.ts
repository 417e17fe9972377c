// The POSIX sh the SSH worker runs on its host (dash there, so nothing beyond POSIX): the
// session that starts the job's wrapper (../remote/wrapper.ts) detached, probes, kills, sweeps.
import { shellQuote as q } from '../../graph/quote.js';
import { wrapperLines, type WrapperSpec } from '../remote/wrapper.js';

export type { WrapperSpec } from '../remote/wrapper.js';

/** The session that starts the attempt (unless it runs or ran already: the session may be a
 * retry after a dropped connection) and waits for it. Prints `pgid N` once it runs, then
 * `status X` (`status gone`: it ended without recording one, e.g. SIGKILL); `$T` prefixes
 * them in the agent session. */
function launchLines(w: WrapperSpec): string[] {
  return [
    `d=${q(w.dir)};`,
    'if [ -e "$d/status" ]; then read p < "$d/pid"; read x < "$d/status"; echo "${T}pgid $p"; echo "${T}status $x"; exit 0; fi;',
    'if [ -e "$d/pid" ]; then',
    '  read p < "$d/pid"; while [ -z "$p" ]; do sleep 0.05; read p < "$d/pid"; done; echo "${T}pgid $p";',
    '  while kill -0 "$p" 2>/dev/null; do sleep 0.1; done;',
    '  x=gone; [ -e "$d/status" ] && read x < "$d/status"; echo "${T}status $x"; exit 0;',
    'fi;',
    `mkdir -p "$d" ${w.mkdirs.map(q).join(' ')} || exit 1;`,
    ...w.links.map(([l, t]) => `ln -sfn ${q(t)} ${q(l)} || exit 1;`),
    'cd "$d" || exit 1;',
    // All three fds redirected, or ssh would wait for the job rather than the shell.
    `setsid sh -c ${q(wrapperLines(w).join(' '))} > /dev/null 2> wrapper.err < /dev/null &`,
    'p=$!;',
    'echo "${T}pgid $p";',
    'wait $p;',
    'x=gone; [ -e status ] && read x < status;',
    'echo "${T}status $x";',
  ];
}

export function launchScript(w: WrapperSpec): string {
  return ['T=', ...launchLines(w)].join('\n') + '\n';
}

/** The same on one line, for the agent; undefined when a value holds a newline. */
export function launchLine(w: WrapperSpec): string | undefined {
  const line = launchLines(w).map((l) => l.trim()).join(' ');
  return line.includes('\n') ? undefined : line;
}

/** The worker's agent: one long session that takes job after job, two lines each (an id, a
 * launch line), and runs each in the background; every line it prints starts with the id. It
 * saves the ssh client, sshd's session and the login shell per job. */
export const AGENT = 'while IFS= read -r id && IFS= read -r l; do { ( T="$id "; eval "$l" ); echo "$id end $?"; } & done';

/** What became of an attempt an earlier dax started: `status X`, `running N`, or `gone`. */
export function probeScript(dir: string): string {
  return [
    `d=${q(dir)}`,
    'p=; [ -e "$d/pid" ] && read p < "$d/pid"',
    'if [ -e "$d/status" ]; then read x < "$d/status"; echo "status $x"',
    // An empty pid file is one being written: the job is starting.
    'elif [ -e "$d/pid" ] && { [ -z "$p" ] || kill -0 "$p" 2>/dev/null; }; then echo "running $p"',
    'else echo gone; fi',
  ].join('\n') + '\n';
}

/** Signals a process group (dash's kill: `kill -TERM -PGID`). */
export function killScript(pgid: number, signal: string): string {
  return `kill -${signal.replace(/^SIG/, '')} -${pgid} 2>/dev/null; exit 0\n`;
}

/** After a successful copy back: the outputs become inputs the worker holds (linked into its
 * store, so a later job that needs them is not sent them again); the attempt's directory goes. */
export function finishScript(dir: string, keep: Array<[string, string]>): string {
  return [
    ...keep.flatMap(([t, stored]) => [`mkdir -p "$(dirname ${q(stored)})"`, `ln -f ${q(t)} ${q(stored)} 2>/dev/null || cp -p ${q(t)} ${q(stored)}`]),
    `rm -rf ${q(dir)}`,
    'exit 0',
  ].join('\n') + '\n';
}

/** Stops what a dead run left running through this worker, but for the attempts named. */
export function sweepScript(runDir: string, keep: string[]): string {
  return [
    'n=0',
    `for d in ${q(runDir)}/*; do`,
    '  [ -e "$d/pid" ] && [ ! -e "$d/status" ] || continue',
    ...keep.map((k) => `  [ "$d" = ${q(k)} ] && continue`),
    '  p=$(cat "$d/pid"); kill -0 "$p" 2>/dev/null || continue',
    '  kill -TERM -"$p" 2>/dev/null; n=$((n+1))',
    'done',
    'echo "stopped $n"',
  ].join('\n') + '\n';
}
