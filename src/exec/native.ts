// The native spawner (native/spawn.cc, built by `npm ci` with node-gyp), when it is there:
// posix_spawn instead of fork, see that file. Without it dax uses Node's child_process.
import os from 'node:os';
import { addon } from '../util/addon.js';

/** Events of a job started natively: 0 started (a = pid), 1 could not start (a = errno),
 * 2 ended (a = exit code, b = signal number, 0 if none; c = 1 when its outputs were moved into place). */
export type NativeEvent = (kind: 0 | 1 | 2, a: number, b: number, c: number) => void;

export interface NativeSpawn {
  /** The environment every job starts from (KEY=VALUE). */
  setBaseEnv(envp: string[]): void;
  /** `envp`: the job's own variables, which win over the base environment's. `header`: written
   * at the top of the log when the job first writes something ('' for none). */
  spawn(argv: string[], envp: string[], cwd: string, log: string, append: boolean, header: string, publish: string[], onEvent: NativeEvent): void;
  /** Stats every path into `out`, 3 numbers each: size (-1 when missing), mtime seconds, nanoseconds. */
  statMany(paths: string[], out: Float64Array): void;
  /** Whether every `path\tsize\tmtimeMs` line of text holds (relative paths after prefix). */
  checkStamps(text: string, prefix: string): boolean;
}

/** The version of the addon's interface these types describe (its `api` export): an addon built
 * from older sources is not used (dax then starts jobs with child_process). */
const API = 2;

export function nativeSpawn(): NativeSpawn | null {
  const a = addon();
  return a && a['api'] === API ? (a as unknown as NativeSpawn) : null;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

export function errnoName(n: number): string {
  return errnoNames.get(n) ?? `errno ${n}`;
}

export function signalName(n: number): NodeJS.Signals {
  return signalNames.get(n) ?? (`SIG${n}` as NodeJS.Signals);
}
