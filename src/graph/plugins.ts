// The engine's seams for domain modules. The engine never imports a domain module by name:
// the CLI registers the plugins (chunks, acquisitions) at start-up.
import type { Result } from '../util/result.js';

export interface PluginContext {
  projectDir: string;
  /** Directory that relative paths in the spec resolve against (the declaring file's). */
  baseDir: string;
  /** The configured acquisitions' workspace (absolute). */
  workspace?: string;
  /** The Daxfile's limits: (pool name -> units; 0 = unlimited), for domains that bound themselves. */
  limits?: Readonly<Record<string, number>>;
}

/** A wildcard domain kind, e.g. `chunks:` or `ids:` under a wildcard. */
export interface DomainPlugin {
  /** The key under `wildcards.NAME` that selects this domain, e.g. "chunks". */
  key: string;
  /** The values of the domain, in order, as strings. */
  resolve(spec: unknown, ctx: PluginContext): Result<string[], string>;
  /** Files the values are read from, if any: a change to them changes the domain. */
  files?(spec: unknown, ctx: PluginContext): string[];
  /** The values change while a run works (a queue): `dax run` of the default targets runs
   * again when a run changed them, until nothing is left. */
  live?: boolean;
}

/** A function usable in input templates to expand an input over many values,
 * e.g. `neighbours` of a chunk. Arguments are rendered strings. */
export interface ExpandFunction {
  name: string;
  call(args: string[], ctx: PluginContext): Result<string[], string>;
}

/** A job kind that runs inside dax instead of as a process (`task: [NAME, args...]` on a rule):
 * for dax's own steps, where starting a process would cost more than the step. It runs on a
 * worker thread of the local worker, so `module` (a file URL) is imported there and its export
 * `exportName` is called as a TaskFunction (exec/tasks.ts). */
export interface TaskPlugin {
  name: string;
  module: string;
  exportName: string;
}

export interface Plugins {
  domains: Map<string, DomainPlugin>;
  functions: Map<string, ExpandFunction>;
  tasks: Map<string, TaskPlugin>;
  /** Names of the output checks (`check:` on a rule) registered by whoever runs the checks. */
  checks: Set<string>;
}

export function emptyPlugins(): Plugins {
  return { domains: new Map(), functions: new Map(), tasks: new Map(), checks: new Set() };
}
