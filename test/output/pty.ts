// dax under a pseudo-terminal of 80 columns (util-linux `script`), as a person at a terminal
// sees it: the raw bytes, and the screen's lines with each status-line redraw as a frame.
import { spawn, spawnSync } from 'node:child_process';
import { DAX, env } from '../engine/helpers.js';

export interface Screen {
  code: number | null;
  /** Everything written to the terminal (stdout and stderr), as bytes go. */
  raw: string;
  /** What was drawn, split at carriage returns and newlines, without the erase sequences. */
  frames: string[];
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `dax ARGS` in dir on a terminal 80 columns wide (not under CI: the status line shows). */
export function onTerminal(dir: string, args: string[], columns = 80): Screen {
  const e = env();
  delete e['CI'];
  const cmd = `stty cols ${columns} rows 24; exec ${q(process.execPath)} ${q(DAX)} ${args.map(q).join(' ')}`;
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env: e, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, raw: r.stdout, frames: framesOf(r.stdout) };
}

/** dax on the terminal without waiting: `pidFile` (in dir) gets dax's pid once it starts. */
export function startOnTerminal(dir: string, args: string[], pidFile: string, columns = 80): Promise<Screen> {
  const e = env();
  delete e['CI'];
  const cmd = `stty cols ${columns} rows 24; echo $$ > ${q(pidFile)}; exec ${q(process.execPath)} ${q(DAX)} ${args.map(q).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env: e, stdio: ['ignore', 'pipe', 'inherit'] });
  let raw = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (raw += s));
  return new Promise((res) => child.on('close', (code) => res({ code, raw, frames: framesOf(raw) })));
}

function framesOf(raw: string): string[] {
  return raw
    .replace(/\x1b\[K/g, '')
    .split(/[\r\n]+/)
    .filter((l) => l !== '');
}

/** The status-line frames: they start with the [finished/to run] count. */
export function statusFrames(s: Screen): string[] {
  return s.frames.filter((f) => /^\[\d+\/\d+\] /.test(f));
}
