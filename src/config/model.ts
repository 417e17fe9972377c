// The typed, normalized form of a Daxfile (after includes, validation and var precedence).
// The graph and everything after it use only this; the raw YAML types stay inside config/.

/** A place in a source file, 1-based. */
export interface Loc {
  file: string; // absolute path
  line: number;
  col: number;
}

/** A configuration error: exit code 2, nothing run or written. */
export interface ConfigError {
  loc?: Loc; // where; absent only when there is no file to point at (e.g. Daxfile not found)
  key?: string; // the key path, e.g. "rules.gen.timeout"
  message: string; // what is wrong and what was expected
  hint?: string; // what to do
  /** Further errors found in the same pass (up to MAX_CONFIG_ERRORS in all), in file order:
   * a user fixes a Daxfile in one go rather than one error per run. */
  more?: ConfigError[];
}

/** How many config errors one load reports at most. */
export const MAX_CONFIG_ERRORS = 20;

export type Scalar = string | number | boolean;
export type VarValue = Scalar | Scalar[];

export interface Var {
  value: VarValue;
  /** Directory that relative paths in this value resolve against: the directory of the
   * file that defined it, or the project directory for --set and DAX_VAR_ values. */
  baseDir: string;
  loc?: Loc;
}

/** A wildcard domain as declared. `values` and `file` are the engine's own; other kinds come
 * from plugins (e.g. chunk sets) and are resolved by a domain registered under `kind`. */
export type DomainSpec =
  | { kind: 'values'; values: string[]; loc: Loc }
  | { kind: 'file'; path: string /* absolute */; loc: Loc }
  /** The values the wildcard takes in existing files, e.g. data/{sample}.fastq (relative to baseDir). */
  | { kind: 'glob'; template: Template; baseDir: string; loc: Loc }
  | { kind: 'plugin'; name: string; spec: unknown; baseDir: string; loc: Loc };

export interface WildcardSpec {
  name: string;
  pattern?: string; // regex source; a value must match it in full
  domain?: DomainSpec;
  /** `allow_empty: true`: an empty domain is what the user expects, not a mistake. */
  allowEmpty: boolean;
  loc: Loc;
}

/** A path or command template as written, with where it was written. */
export interface Template {
  text: string;
  loc: Loc;
}

/** `each: { NAME: [function, args...] }`: an input entry repeated for every value the function gives. */
export interface EachSpec {
  name: string;
  fn: string;
  args: Template[];
  loc: Loc;
}

/** An input entry: one path, a glob, or alternatives of which one is used; any may be expanded by `each`. */
export type InputSpec =
  | { kind: 'path'; template: Template; each: EachSpec[] }
  /** Every existing file the glob matches (placeholders rendered per job first), sorted. */
  | { kind: 'glob'; template: Template; each: EachSpec[] }
  | { kind: 'any'; templates: Template[]; build: number; each: EachSpec[]; loc: Loc };

export type RunSpec =
  | { kind: 'shell'; text: string; loc: Loc }
  | { kind: 'argv'; args: string[]; loc: Loc }
  /** `task: [NAME, args...]`: a task plugin run inside dax (see graph/plugins.ts). */
  | { kind: 'task'; name: string; args: string[]; loc: Loc };

export interface RuleSpec {
  name: string;
  loc: Loc;
  /** Directory of the file that declared the rule: relative paths resolve against it. */
  dir: string;
  outputs: Template[];
  inputs: InputSpec[];
  /** Files this rule's outputs make obsolete (removed before it runs and once its outputs exist). */
  supersedes: Template[];
  run?: RunSpec;
  resources: Record<string, number>; // default { jobs: 1 }
  retries: number; // default 0
  timeout?: number; // seconds
  cwd?: Template; // default: the project directory
  env: Record<string, string>;
  /** `check: NAME`: the output check run on every output (names are checked when compiling). */
  check?: { name: string; loc: Loc };
  description?: string;
  /** `outputs: atomic`: the command runs in a job directory; its outputs are moved in on success. */
  atomicOutputs?: boolean;
  /** `workers: [a, b]`: the only workers its jobs may run on (names checked when loading). */
  workers?: { names: string[]; loc: Loc };
  /** Keys the schema allows that are not modelled above, raw (none today). */
  extra: Record<string, unknown>;
}

export interface Config {
  projectDir: string; // absolute: the directory of the root Daxfile
  daxfile: string; // absolute path of the root Daxfile
  files: string[]; // every file read (root + includes), absolute
  vars: Record<string, Var>;
  limits: Record<string, number>; // 0 = unlimited
  /** limits.min_free in bytes (0: none): no new job starts while less is free. */
  minFree: number;
  limitLocs: Record<string, Loc>;
  wildcards: Record<string, WildcardSpec>;
  rules: RuleSpec[]; // declaration order: root file's rules after its includes' rules
  targets: Template[];
  /** Wildcards whose values runs and status report on (e.g. chunk). */
  report: string[];
  /** `workers:`: hosts that run jobs over SSH and Slurm clusters, in declaration order. */
  workers: Array<WorkerSpec | SlurmWorkerSpec>;
  /** `local:` this machine as a worker; false: jobs run only on `workers`. */
  local: { slots?: number } | false;
  /** The acquisitions' workspace (absolute): also {vars.workspace}. */
  workspace: string;
  /** Absolute directories outside the project that paths may reach through symlinks. */
  allowOutside: string[];
  /** Things that load but are likely not what was meant (a command cut by a YAML comment). */
  warnings?: ConfigError[];
  /** Where a key path was written, for error messages raised after loading. A plain function
   *  (no `this`): the cache takes it off the Config and puts a stand-in back. */
  locate: (file: string, path: Array<string | number>) => Loc;
}

/** The worker name of this machine. */
export const LOCAL_WORKER = 'local';

/** One entry of `workers:`: a host jobs run on through ssh. */
export interface WorkerSpec {
  kind: 'ssh';
  name: string;
  /** `[user@]host[:port]` or an ssh_config alias, as written. */
  ssh: string;
  slots: number;
  /** Absolute, on the host. */
  workdir: string;
  sharedFs: boolean;
  /** Which agent its sessions may run (the Daxfile's `agent`, auto by default). */
  agent: 'auto' | 'perl' | 'sh';
  pools: Record<string, number>;
  env: Record<string, string>;
  /** Jobs failed in a row after which the worker is marked down. */
  giveUpAfter: number;
  loc: Loc;
}

/** sbatch options of a Slurm worker, or a rule's overrides of them. */
export interface SlurmOptions {
  partition?: string;
  account?: string;
  qos?: string;
  /** A Slurm time (minutes, or [D-]H:M:S). */
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  extra: string[];
}

/** One entry of `workers:` with `slurm:`: a cluster jobs run on as batch jobs (the project on a
 * file system its nodes share). */
export interface SlurmWorkerSpec {
  kind: 'slurm';
  name: string;
  slurm: SlurmOptions;
  /** Jobs kept submitted at once (0 = unlimited). */
  slots: number;
  arraySize: number;
  /** Jobs of one rule run one after another in one array task, at most this many; 'auto': by
   * their last durations. */
  bundle: number | 'auto';
  /** sbatch calls a second at most. */
  submitRate: number;
  pollMs: number;
  graceMs: number;
  pools: Record<string, number>;
  env: Record<string, string>;
  /** Each rule's own options (rule `slurm:` over `resources:` cpus and mem_mb), by rule name. */
  rules: Record<string, SlurmOptions>;
  loc: Loc;
}
