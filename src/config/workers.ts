// `workers:` and `local:` of the root Daxfile, and rules' `workers: [..]`: typed, with the
// checks the schema cannot make (two workers sharing a directory on one host, unknown names).
import path from 'node:path';
import type { Daxfile, SlurmOptions as RawSlurm, SlurmWorker } from './daxfile.types.js';
import { LOCAL_WORKER, type ConfigError, type Loc, type RuleSpec, type SlurmOptions, type SlurmWorkerSpec, type WorkerSpec } from './model.js';
import { didYouMean } from './suggest.js';
import type { SourceFile } from './yaml-source.js';
import { err, ok, type Result } from '../util/result.js';

export const DEFAULT_SLOTS = 4;
export const DEFAULT_GIVE_UP_AFTER = 3;

/** The host part of `[user@]host[:port]` (an alias stays as it is). */
export function hostOf(ssh: string): string {
  const at = ssh.lastIndexOf('@');
  const rest = at >= 0 ? ssh.slice(at + 1) : ssh;
  const m = /^\[(.*)\](?::\d+)?$/.exec(rest) ?? /^([^:]*)(?::\d+)?$/.exec(rest);
  return (m?.[1] ?? rest).toLowerCase();
}

function within(a: string, b: string): boolean {
  const r = path.posix.relative(b, a);
  return r === '' || (!r.startsWith('..') && !path.posix.isAbsolute(r));
}

export function workerSpecs(root: SourceFile, rules: RuleSpec[] = []): Result<{ workers: Array<WorkerSpec | SlurmWorkerSpec>; local: { slots?: number } | false }, ConfigError> {
  const d = root.data as Partial<Daxfile>;
  const workers: Array<WorkerSpec | SlurmWorkerSpec> = [];
  for (const [name, w] of Object.entries(d.workers ?? {})) {
    const loc = root.locate(['workers', name]);
    if (name === LOCAL_WORKER) {
      return err({ loc, key: `workers.${name}`, message: `'${LOCAL_WORKER}' is this machine's worker, not a host`, hint: 'give the host another name, or set local: { slots: N }' });
    }
    if ('slurm' in w) {
      const s = slurmWorker(root, name, w, rules);
      if (!s.ok) return s;
      workers.push(s.value);
      continue;
    }
    const workdir = path.posix.normalize(w.workdir);
    for (const o of workers) {
      if (o.kind === 'ssh' && hostOf(o.ssh) === hostOf(w.ssh) && (within(workdir, o.workdir) || within(o.workdir, workdir))) {
        return err({
          loc: root.locateValue(['workers', name, 'workdir']),
          key: `workers.${name}.workdir`,
          message: `workers '${o.name}' and '${name}' are on the same host (${hostOf(w.ssh)}) and share the working directory ${o.workdir === workdir ? workdir : `${o.workdir} / ${workdir}`}`,
          hint: 'give each worker a directory of its own (neither inside the other)',
        });
      }
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(w.env ?? {})) env[k] = String(v);
    workers.push({
      kind: 'ssh', name, ssh: w.ssh, slots: w.slots ?? DEFAULT_SLOTS, workdir, sharedFs: w.shared_fs === true, agent: w.agent ?? 'auto', pools: { ...(w.pools ?? {}) }, env,
      giveUpAfter: w.give_up_after ?? DEFAULT_GIVE_UP_AFTER, loc,
    });
  }
  const local = d.local === false ? false : { ...(d.local?.slots !== undefined ? { slots: d.local.slots } : {}) };
  if (local === false && workers.length === 0) {
    return err({ loc: root.locateValue(['local']), key: 'local', message: 'local: false leaves no worker to run jobs on', hint: 'declare hosts under workers:, or remove local: false' });
  }
  return ok({ workers, local });
}

/** sbatch options dax sets itself: a user's would break what it relies on. */
const OWN_OPTIONS: Array<[RegExp, string]> = [
  [/^(--array|-a)(=|$)/, 'dax groups jobs into arrays itself'],
  [/^(--dependency|-d)(=|$)/, 'dax owns the order of jobs (a Slurm dependency on a failed job can pend forever)'],
  [/^--requeue$/, 'dax submits with --no-requeue and retries jobs itself, so a job never runs twice behind its back'],
  [/^(--output|-o|--error|-e|--chdir|-D|--job-name|-J|--parsable|--wait|-W)(=|$)/, 'dax sets it (status and logs live in .dax/slurm/)'],
];

export const SLURM_DEFAULTS = { slots: 100, arraySize: 1000, bundle: 1, submitRate: 5, poll: 5, grace: 30 };

/** `where(i)`: where extra[i] was written. */
function slurmOptions(key: string, where: (i: number) => Loc, raw: RawSlurm): Result<SlurmOptions, ConfigError> {
  const extra = [...(raw.extra ?? [])];
  for (const [i, x] of extra.entries()) {
    const own = OWN_OPTIONS.find(([re]) => re.test(x));
    if (own) return err({ loc: where(i), key: `${key}.extra.${i}`, message: `sbatch option ${x} is not allowed here: ${own[1]}`, hint: 'remove it from extra:' });
  }
  return ok({
    ...(raw.partition !== undefined ? { partition: raw.partition } : {}),
    ...(raw.account !== undefined ? { account: raw.account } : {}),
    ...(raw.qos !== undefined ? { qos: raw.qos } : {}),
    ...(raw.time !== undefined ? { time: String(raw.time) } : {}),
    ...(raw.mem !== undefined ? { mem: raw.mem } : {}),
    ...(raw.cpus_per_task !== undefined ? { cpusPerTask: raw.cpus_per_task } : {}),
    extra,
  });
}

/** A rule's own options: its `slurm:` over what its `resources:` mean to Slurm (cpus ->
 * --cpus-per-task, mem_mb -> --mem in MB). Only rules that differ are listed. */
function ruleSlurm(rule: RuleSpec): Result<SlurmOptions | undefined, ConfigError> {
  const raw = rule.extra['slurm'] as RawSlurm | undefined;
  const cpus = rule.resources['cpus'];
  const mem = rule.resources['mem_mb'];
  if (!raw && cpus === undefined && mem === undefined) return ok(undefined);
  // A rule may come from an included file, which the root's locator cannot place: the rule's loc can.
  const own = raw ? slurmOptions(`rules.${rule.name}.slurm`, () => rule.loc, raw) : ok<SlurmOptions>({ extra: [] });
  if (!own.ok) return own;
  return ok({
    ...(cpus !== undefined && cpus > 0 ? { cpusPerTask: cpus } : {}),
    ...(mem !== undefined && mem > 0 ? { mem: `${mem}M` } : {}),
    ...own.value,
  });
}

function slurmWorker(root: SourceFile, name: string, w: SlurmWorker, rules: RuleSpec[]): Result<SlurmWorkerSpec, ConfigError> {
  const loc = root.locate(['workers', name]);
  if (w.shared_fs === false) {
    return err({
      loc: root.locateValue(['workers', name, 'shared_fs']), key: `workers.${name}.shared_fs`,
      message: `a Slurm worker needs the project on a file system the cluster's nodes share: jobs read their inputs, write their outputs and record their status in the project directory; shared_fs: false is not supported`,
      hint: 'put the project on the cluster\'s shared file system (and remove shared_fs: false), or use an SSH worker with shared_fs: false to copy files',
    });
  }
  const opts = slurmOptions(`workers.${name}.slurm`, (i) => root.locateValue(['workers', name, 'slurm', 'extra', i]), w.slurm);
  if (!opts.ok) return opts;
  const perRule: Record<string, SlurmOptions> = {};
  for (const r of rules) {
    const o = ruleSlurm(r);
    if (!o.ok) return o;
    if (o.value) perRule[r.name] = o.value;
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.env ?? {})) env[k] = String(v);
  return ok({
    kind: 'slurm', name, slurm: opts.value, slots: w.slots ?? SLURM_DEFAULTS.slots, arraySize: w.array_size ?? SLURM_DEFAULTS.arraySize,
    bundle: w.bundle === undefined ? SLURM_DEFAULTS.bundle : w.bundle === 'auto' ? 'auto' : Number(w.bundle), submitRate: w.submit_rate ?? SLURM_DEFAULTS.submitRate, pollMs: Math.round((w.poll ?? SLURM_DEFAULTS.poll) * 1000), graceMs: Math.round((w.grace ?? SLURM_DEFAULTS.grace) * 1000),
    pools: { ...(w.pools ?? {}) }, env, rules: perRule, loc,
  });
}

/** Every name a rule is pinned to is a worker of the Daxfile. */
export function checkPins(rules: RuleSpec[], workers: Array<WorkerSpec | SlurmWorkerSpec>, local: { slots?: number } | false): ConfigError | undefined {
  const names = [...(local === false ? [] : [LOCAL_WORKER]), ...workers.map((w) => w.name)];
  for (const r of rules) {
    for (const n of r.workers?.names ?? []) {
      if (names.includes(n)) continue;
      const hint = n === LOCAL_WORKER ? 'the Daxfile says local: false' : didYouMean(n, names) ?? `declare it under workers:, or use one of: ${names.join(', ')}`;
      return { loc: r.workers!.loc, key: `rules.${r.name}.workers`, message: `rule '${r.name}' names worker '${n}', which is not a worker of this Daxfile (workers: ${names.join(', ')})`, hint };
    }
  }
  return undefined;
}
