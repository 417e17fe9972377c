import type { SpawnSyncReturns } from 'node:child_process';

export const NODE: string;
export const PARTITION: string;

export interface Cluster {
  /** The cluster's own directory: slurm.conf, munge, state, logs. */
  dir: string;
  conf: string;
  /** SLURM_CONF for every client process (dax's included). */
  env: Record<string, string>;
  partition: string;
  node: string;
  /** Runs a Slurm client command with the cluster's environment. */
  run(args: string[]): SpawnSyncReturns<string>;
  /** Job ids (`array_index` for array tasks) pending or running now. */
  queue(): string[];
  stop(): Promise<void>;
}

/** `conf`: slurm.conf keys to replace or add (null drops one). */
export function startCluster(opts?: { cpus?: number; conf?: Record<string, string | null> }): Promise<Cluster>;
