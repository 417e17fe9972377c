/* eslint-disable */
// Generated from the JSON schema by `npm run gen:types`. Do not edit by hand.

/**
 * The Daxfile format version. Must be 1.
 */
export type DaxfileVersion = 1;
/**
 * Files (relative to this file) merged in order before this file. An included file may contain only vars, limits, wildcards, rules and include. A rule name defined twice is an error; this file's vars, limits and wildcards win over included ones.
 */
export type IncludedRuleLibraries = Path | Path[];
/**
 * A file path, relative to the file that contains it.
 */
export type Path = string;
/**
 * A scalar or a list of scalars.
 */
export type VariableValue = Scalar | Scalar[];
/**
 * A string, number or boolean.
 */
export type Scalar = string | number | boolean;
/**
 * Below this much free space on the project's file system, dax starts no new job (with a warning) until space is back. Bytes, or with a unit: 500M, 10G, 1.5T (powers of 1024).
 */
export type FreeSpaceToKeep = number | string;
/**
 * How many units of this pool running jobs may hold at once; 0 means unlimited.
 */
export type PoolCapacity = number;
/**
 * A regular expression a value must match in full (default: [^/]+).
 */
export type Pattern = string;
/**
 * One value of the domain.
 */
export type Value = string | number;
/**
 * Domain: the list of values.
 */
export type Values = Value[];
/**
 * Domain: a file (relative to this file) with one value per line; for integers also an inclusive range a:b.
 */
export type ValuesFile = string;
/**
 * Domain: the values the wildcard takes in the files that exist, e.g. data/raw/{sample}.fastq (relative to this file; text outside placeholders is literal; each match's value must match the wildcard's pattern). Sorted, without repeats.
 */
export type ValuesFromFiles = string;
/**
 * numStripes: the number of latitude stripes (>= 1).
 */
export type Stripes = number;
/**
 * numSubStripesPerStripe (>= 1).
 */
export type SubStripesPerStripe = number;
/**
 * [min, max] in degrees.
 *
 * @minItems 2
 * @maxItems 2
 */
export type RightAscensionRange = [number, number];
/**
 * [min, max] in degrees, within [-90, 90].
 *
 * @minItems 2
 * @maxItems 2
 */
export type DeclinationRange = [number, number];
/**
 * Domain: explicit chunk ids (a string may be an inclusive range a:b), or { file: PATH } naming a chunk list file (one id or range a:b per line).
 */
export type ChunkIds =
  | ChunkIdOrRange[]
  | {
      file: ChunkListFile;
    };
/**
 * An integer id, or a string id or range a:b.
 */
export type ChunkIdOrRange = number | string;
/**
 * A file (relative to this file) with one chunk id or range a:b per line.
 */
export type ChunkListFile = string;
/**
 * An empty domain (an empty values list or file, a glob that matches nothing) is an error when a target expands over it, unless this is true: then the target expands to nothing and an input over the domain is empty.
 */
export type AllowAnEmptyDomain = boolean;
/**
 * Path pattern or list. All outputs of a rule carry the same wildcards.
 */
export type Outputs = PathPattern | PathPattern[];
/**
 * A path relative to this file, with placeholders {WILDCARD} and {vars.NAME}; {{ and }} are literal braces.
 */
export type PathPattern = string;
/**
 * Path pattern or list of path patterns and input sets ({path|any, build, each}). May use the outputs' wildcards and {vars.NAME}.
 */
export type Inputs = PathPattern | (PathPattern | InputSet)[];
/**
 * A path relative to this file, with placeholders {WILDCARD} and {vars.NAME}; {{ and }} are literal braces.
 */
export type PathPattern1 = string;
/**
 * Path patterns, in order of preference when they exist.
 *
 * @minItems 2
 */
export type Alternatives = [PathPattern, PathPattern, ...PathPattern[]];
/**
 * A path relative to this file, with placeholders {WILDCARD} and {vars.NAME}; {{ and }} are literal braces.
 */
export type PathPattern2 = string;
/**
 * Index in `any` of the alternative to build when none exists (default 0).
 */
export type WhichToBuild = number;
/**
 * A string runs under /bin/sh -c (values shell-quoted); a list is an argv run without a shell. Placeholders: {WILDCARD}, {vars.NAME}, {input}, {output}, {input[i]}, {output[i]}; {{ and }} are literal braces.
 */
export type Command = string | [string, ...string[]];
/**
 * Instead of run: one of dax's own tasks, run inside dax on this machine (no process is started), e.g. [acq_collect, '{vars.workspace}', '{acq}', '{acq_source}', '{output}']: the task's name, then its arguments, with run's placeholders. The rule runs on the local worker only.
 *
 * @minItems 1
 */
export type Task = [string, ...string[]];
/**
 * How many units of the pool the job holds.
 */
export type Units = number;
/**
 * Extra attempts after a failure (default 0).
 */
export type Retries = number;
/**
 * A number of seconds, or a duration with unit s, m or h (e.g. 30s, 10m, 2h, 1h30m).
 */
export type Timeout = number | string;
/**
 * The command's working directory, relative to this file (default: the project directory). Placeholders allowed.
 */
export type WorkingDirectory = string;
/**
 * The variable's value; numbers and booleans become strings.
 */
export type Value1 = string | number | boolean;
/**
 * The name of a check run on every output after the job succeeds, and when deciding what is up to date: csv (the last line is newline-terminated and every row has the same number of fields). An unknown name is a config error listing the known checks.
 */
export type OutputCheck = string;
/**
 * The workers (names under workers:, or local) this rule's jobs may run on; default: any.
 *
 * @minItems 1
 */
export type Workers = [Name, ...Name[]];
/**
 * A name: letters, digits and _, not starting with a digit.
 */
export type Name = string;
/**
 * atomic: the command runs in a directory of its own under .dax/jobs/, so the outputs it writes under their own names (not through {output}) are moved into place only when it succeeds. In that directory the project's top-level entries are links to the real ones, and the directories leading to the outputs are the job's own: read inputs through {input}. Not with cwd.
 */
export type HowOutputsAreWritten = 'atomic';
/**
 * What the rule does, for humans (shown by status and -n).
 */
export type Description = string;
/**
 * Path patterns (with this rule's wildcards) of files this rule's outputs make obsolete, e.g. a chunk's edge-only file superseded by its complete file: they are removed before the job runs, and whenever this job's outputs exist.
 */
export type Supersedes = PathPattern | PathPattern[];
/**
 * sbatch --partition.
 */
export type Partition = string;
/**
 * sbatch --account.
 */
export type Account = string;
/**
 * sbatch --qos.
 */
export type QOS = string;
/**
 * sbatch --time: minutes, or a Slurm time such as 30, 1:30:00 or 2-00:00:00. A rule's timeout: gives --time where this is not set.
 */
export type TimeLimit = string | number;
/**
 * sbatch --mem: per node, with a unit K, M, G or T (e.g. 8G, 500M).
 */
export type Memory = string;
/**
 * sbatch --cpus-per-task.
 */
export type CPUsPerTask = number;
/**
 * Further sbatch arguments, each one word (e.g. --constraint=haswell). Not --array, --dependency, --requeue, --output, --error, --chdir, --job-name or --parsable: dax sets those.
 */
export type ExtraSbatchArguments = string[];
/**
 * A path, a pattern with wildcards, or a rule name.
 */
export type Target = string;
/**
 * What `dax run` builds when no target is named on the command line: paths, patterns with wildcards (expanded over their domains) or rule names.
 */
export type DefaultTargets = Target[];
/**
 * A name of letters, digits and _, not starting with a digit; input, output and vars are reserved.
 */
export type WildcardName = string;
/**
 * Wildcards (e.g. chunk) whose values dax reports on at the end of a run and in dax status: finished, failed, not started, incomplete; the failed values are written to .dax/failed-<name>.txt.
 */
export type ReportByWildcard = WildcardName[];
/**
 * [user@]host[:port], or a Host alias of ~/.ssh/config.
 */
export type Host = string;
/**
 * Jobs it runs at once (default 4; at most 8 share one SSH connection).
 */
export type Slots = number;
/**
 * An absolute directory on the host that is this worker's own: one directory per attempt below it, and (without shared_fs) the inputs it holds. Two workers never share one.
 */
export type WorkingDirectory1 = string;
/**
 * The program that starts and records this host's jobs, one per connection. auto (default): dax's own compiled agent, copied once into workdir when the host has this machine's system and architecture, else perl, else sh. perl: never copy a program to the host (perl, else sh). sh: the POSIX shell loop only.
 */
export type Agent = 'auto' | 'perl' | 'sh';
/**
 * true: the host sees the project directory at the same path (jobs read and write it there). false (default): inputs are copied there with rsync before a job runs and its outputs copied back after it succeeds.
 */
export type SharedFileSystem = boolean;
/**
 * Mark the worker down after this many jobs in a row failed on it (default 3); its jobs go to other workers.
 */
export type GiveUpAfter = number;
/**
 * Jobs dax keeps submitted (pending or running) at once (default 100; 0 = unlimited).
 */
export type Slots1 = number;
/**
 * At most this many jobs in one job array (default 1000; keep it below the cluster's MaxArraySize).
 */
export type ArraySize = number;
/**
 * Jobs of one rule run one after another in one array task, at most this many (default 1: a task per job); auto: packed by how long each job took last time, about a minute a task (a job with no such record runs in a task of its own). For jobs shorter than a few seconds, where the cluster's start of a task costs more than the job; each job keeps its own status, log, timeout and result. A task's time limit is the bundle's: a rule's timeout: times its jobs (plus a minute), or the time: you set.
 */
export type Bundle = number | string;
/**
 * At most this many sbatch calls a second (default 5).
 */
export type SubmissionRate = number;
/**
 * Shortest wait in seconds between two looks at the queue (one squeue call for all of the run's jobs; default 5). While jobs' start and end hints keep coming, the wait doubles up to 30 s (or poll, if longer).
 */
export type PollInterval = number;
/**
 * Seconds a job gone from the queue may take to show its status file (a shared file system's cache) before it fails (default 30).
 */
export type GracePeriod = number;
/**
 * Must be true (the default): the nodes see the project directory at the same path. A Slurm worker cannot copy files.
 */
export type SharedFileSystem1 = boolean;
/**
 * This machine as a worker: { slots: N } (default: --jobs, else limits.jobs, else the CPU count), or false to run every job on the workers: hosts.
 */
export type TheLocalWorker =
  | false
  | {
      slots?: Slots2;
    };
/**
 * Jobs it runs at once (0 = unlimited).
 */
export type Slots2 = number;
/**
 * Directories (absolute, or relative to this Daxfile) that inputs, outputs and cwd may reach through symbolic links. Without them, a path whose directory resolves outside the project directory is a config error.
 */
export type PlacesOutsideTheProject = Path[];
/**
 * A file path, relative to the file that contains it.
 */
export type Path1 = string;

/**
 * A dax pipeline (Daxfile.yaml, version 1): rules with named wildcards and file dependencies. See the README.
 */
export interface Daxfile {
  version: DaxfileVersion;
  include?: IncludedRuleLibraries;
  vars?: Variables;
  limits?: ResourcePools;
  wildcards?: Wildcards;
  rules?: Rules;
  targets?: DefaultTargets;
  report?: ReportByWildcard;
  workers?: Workers1;
  local?: TheLocalWorker;
  allow_outside?: PlacesOutsideTheProject;
  workspace?: Path1;
}
/**
 * NAME -> scalar or list of scalars, used as {vars.NAME}. Precedence: --set NAME=VALUE > Daxfile > environment DAX_VAR_NAME.
 */
export interface Variables {
  [k: string]: VariableValue;
}
/**
 * Pool NAME -> capacity, an integer >= 0 (0 means unlimited). `jobs` is the default of --jobs (else the CPU count).
 */
export interface ResourcePools {
  min_free?: FreeSpaceToKeep;
  [k: string]: PoolCapacity | FreeSpaceToKeep | undefined;
}
/**
 * NAME -> constraint (pattern) and/or domain (values, file, glob, chunks, ids). Used as {NAME} in rule outputs, inputs and commands.
 */
export interface Wildcards {
  [k: string]: Wildcard;
}
/**
 * A constraint (pattern) and/or a domain: at most one of values, file, glob, chunks, ids, acquisitions.
 */
export interface Wildcard {
  pattern?: Pattern;
  values?: Values;
  file?: ValuesFile;
  glob?: ValuesFromFiles;
  chunks?: SkyChunkSet;
  ids?: ChunkIds;
  allow_empty?: AllowAnEmptyDomain;
  acquisitions?: QueuedAcquisitions;
}
/**
 * Domain: the chunk ids of a sky partitioning (Qserv chunker), optionally only those intersecting a region.
 */
export interface SkyChunkSet {
  stripes: Stripes;
  substripes: SubStripesPerStripe;
  region?: Region;
}
/**
 * Only chunks intersecting this box (degrees); ra ranges may wrap through 0.
 */
export interface Region {
  ra: RightAscensionRange;
  dec: DeclinationRange;
}
/**
 * Domain: the ids in the workspace's queue.json, in FIFO order (write acquisitions: {}).
 */
export interface QueuedAcquisitions {}
/**
 *  Required unless an included file defines rules.
 */
export interface Rules {
  [k: string]: Rule;
}
/**
 * How to make outputs from inputs.
 */
export interface Rule {
  output: Outputs;
  input?: Inputs;
  run?: Command;
  task?: Task;
  resources?: Resources;
  retries?: Retries;
  timeout?: Timeout;
  cwd?: WorkingDirectory;
  env?: Environment;
  check?: OutputCheck;
  workers?: Workers;
  outputs?: HowOutputsAreWritten;
  description?: Description;
  supersedes?: Supersedes;
  slurm?: SlurmOptionsOfThisRule;
}
/**
 * Inputs computed per job. `path` is one path pattern; `glob` is every existing file a glob matches; `any` lists alternatives: the first that exists or that a job of this run makes is used, else the one at index `build` is built. `each` expands the entry over values: NAME -> [function, args...], e.g. n: [neighbours, '{chunk}', '{vars.edge_width}', '{vars.stripes}', '{vars.substripes}'] or c: [domain, chunk]; {NAME} may then be used in the paths.
 */
export interface InputSet {
  path?: PathPattern1;
  any?: Alternatives;
  glob?: PathPattern2;
  build?: WhichToBuild;
  each?: ExpandOver;
}
/**
 * NAME -> [function, args...]: the entry is repeated for every value the function gives. Functions: domain (a wildcard's domain), and those of plugins (neighbours, neighbourhood).
 */
export interface ExpandOver {
  /**
   * @minItems 1
   */
  [k: string]: [string | number, ...(string | number)[]];
}
/**
 * Pools held while the job runs: NAME -> units (integer >= 1). Default { jobs: 1 }.
 */
export interface Resources {
  [k: string]: Units;
}
/**
 * KEY -> value added to the job's environment (placeholders allowed).
 */
export interface Environment {
  [k: string]: Value1;
}
/**
 * Overrides of the Slurm worker's sbatch options for this rule's jobs (e.g. mem: 8G); extra is added to the worker's.
 */
export interface SlurmOptionsOfThisRule {
  partition?: Partition;
  account?: Account;
  qos?: QOS;
  time?: TimeLimit;
  mem?: Memory;
  cpus_per_task?: CPUsPerTask;
  extra?: ExtraSbatchArguments;
}
/**
 * NAME -> a worker: an SSH host that runs jobs over OpenSSH (the system ssh and rsync, ~/.ssh/config, agent and known_hosts; host keys are always checked), or a Slurm cluster that runs them as batch jobs ({ slurm: {...} }; the project must be on a file system the cluster's nodes share). The local machine is the worker `local` (see local:).
 */
export interface Workers1 {
  [k: string]: SSHWorker | SlurmWorker;
}
/**
 * A host jobs run on through ssh.
 */
export interface SSHWorker {
  ssh: Host;
  slots?: Slots;
  workdir: WorkingDirectory1;
  agent?: Agent;
  shared_fs?: SharedFileSystem;
  pools?: PerHostPools;
  env?: Environment1;
  give_up_after?: GiveUpAfter;
}
/**
 * Pool NAME -> how much of it this host's running jobs may hold, in addition to the global limits.
 */
export interface PerHostPools {
  [k: string]: number;
}
/**
 * Variables set for every job on this host (a job's own env: wins).
 */
export interface Environment1 {
  [k: string]: string | number | boolean;
}
/**
 * A Slurm cluster that runs jobs as batch jobs, submitted from this machine with sbatch (grouped into job arrays). The cluster's nodes must see the project directory at the same path (a shared file system): a job writes its status there.
 */
export interface SlurmWorker {
  slurm: SlurmOptions;
  slots?: Slots1;
  array_size?: ArraySize;
  bundle?: Bundle;
  submit_rate?: SubmissionRate;
  poll?: PollInterval;
  grace?: GracePeriod;
  shared_fs?: SharedFileSystem1;
  pools?: PerHostPools1;
  env?: Environment2;
}
/**
 * sbatch options: partition, account, qos, time, mem, cpus_per_task, and extra sbatch arguments.
 */
export interface SlurmOptions {
  partition?: Partition;
  account?: Account;
  qos?: QOS;
  time?: TimeLimit;
  mem?: Memory;
  cpus_per_task?: CPUsPerTask;
  extra?: ExtraSbatchArguments;
}
/**
 * Pool NAME -> how much of it this host's running jobs may hold, in addition to the global limits.
 */
export interface PerHostPools1 {
  [k: string]: number;
}
/**
 * Variables set for every job on the cluster (a job's own env: wins); also SLURM_CONF and the like for sbatch and squeue.
 */
export interface Environment2 {
  [k: string]: string | number | boolean;
}
