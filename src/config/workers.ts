// `workers:` and `local:` of the root Daxfile, and rules' `workers: [..]`: typed, with the
// checks the schema cannot make (two workers sharing a directory on one host, unknown names).
import path from 'node:path';
import type { Daxfile } from './daxfile.types.js';
import { LOCAL_WORKER, type ConfigError, type RuleSpec, type WorkerSpec } from './model.js';
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

export function workerSpecs(root: SourceFile): Result<{ workers: WorkerSpec[]; local: { slots?: number } | false }, ConfigError> {
  const d = root.data as Partial<Daxfile>;
  const workers: WorkerSpec[] = [];
  for (const [name, w] of Object.entries(d.workers ?? {})) {
    const loc = root.locate(['workers', name]);
    if (name === LOCAL_WORKER) {
      return err({ loc, key: `workers.${name}`, message: `'${LOCAL_WORKER}' is this machine's worker, not a host`, hint: 'give the host another name, or set local: { slots: N }' });
    }
    const workdir = path.posix.normalize(w.workdir);
    for (const o of workers) {
      if (hostOf(o.ssh) === hostOf(w.ssh) && (within(workdir, o.workdir) || within(o.workdir, workdir))) {
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
      name, ssh: w.ssh, slots: w.slots ?? DEFAULT_SLOTS, workdir, sharedFs: w.shared_fs === true, pools: { ...(w.pools ?? {}) }, env,
      giveUpAfter: w.give_up_after ?? DEFAULT_GIVE_UP_AFTER, loc,
    });
  }
  const local = d.local === false ? false : { ...(d.local?.slots !== undefined ? { slots: d.local.slots } : {}) };
  if (local === false && workers.length === 0) {
    return err({ loc: root.locateValue(['local']), key: 'local', message: 'local: false leaves no worker to run jobs on', hint: 'declare hosts under workers:, or remove local: false' });
  }
  return ok({ workers, local });
}

/** Every name a rule is pinned to is a worker of the Daxfile. */
export function checkPins(rules: RuleSpec[], workers: WorkerSpec[], local: { slots?: number } | false): ConfigError | undefined {
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
