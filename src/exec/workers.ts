// The executor a Daxfile asks for: this machine (unless `local: false`) and its `workers:`
// (SSH hosts, Slurm clusters), narrowed by `--workers`.
import os from 'node:os';
import { LOCAL_WORKER, type Config } from '../config/model.js';
import { err, ok, type Result } from '../util/result.js';
import { workersOf, type Executor, type Worker } from './executor.js';
import { LocalWorker } from './local.js';
import { SlurmWorker } from './slurm/worker.js';
import { SshWorker } from './ssh/worker.js';
import type { TaskPlugin } from '../graph/plugins.js';

/** Slots of the local worker: --jobs, else local.slots, else limits.jobs, else the CPUs. */
export function localSlots(config: Config, jobs: number | undefined): number {
  return jobs ?? (config.local === false ? undefined : config.local.slots) ?? config.limits['jobs'] ?? os.availableParallelism();
}

/** The names of the Daxfile's workers, local first. */
export function workerNames(config: Config): string[] {
  return [...(config.local === false ? [] : [LOCAL_WORKER]), ...config.workers.map((w) => w.name)];
}

/** Each worker's name and slots, without making any of them (for planning without running). */
export function workerSlots(config: Config, jobs?: number): Array<{ name: string; slots: number }> {
  return [...(config.local === false ? [] : [{ name: LOCAL_WORKER, slots: localSlots(config, jobs) }]), ...config.workers.map((w) => ({ name: w.name, slots: w.slots }))];
}

/** `only`: --workers; a name that is not a worker of the Daxfile is an error saying which are. */
export function executorFor(config: Config, jobs: number | undefined, only?: string[], tasks?: ReadonlyMap<string, TaskPlugin>): Result<Executor, string> {
  const names = workerNames(config);
  for (const n of only ?? []) if (!names.includes(n)) return err(`--workers: '${n}' is not a worker of this Daxfile (workers: ${names.join(', ')})`);
  const wanted = (n: string): boolean => !only || only.includes(n);
  const workers: Worker[] = [];
  if (config.local !== false && wanted(LOCAL_WORKER)) workers.push(new LocalWorker(config.projectDir, localSlots(config, jobs), tasks));
  for (const w of config.workers) if (wanted(w.name)) workers.push(w.kind === 'slurm' ? new SlurmWorker(w, config.projectDir) : new SshWorker(w, config.projectDir));
  return ok(workersOf(...workers));
}
