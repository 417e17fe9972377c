// `dax status` for Slurm workers: the jobs of the given runs (the live one, or the last, whose
// jobs a kill -9 left in the queue) pending and running in the cluster now, by Slurm job id.
// One squeue call per worker.
import type { Config } from '../../config/model.js';
import { runSlurm } from './commands.js';
import { jobName } from './layout.js';

export interface SlurmQueueStatus {
  worker: string;
  pending: string[];
  running: string[];
  /** Why the queue could not be read. */
  error?: string;
}

export async function slurmStatus(config: Config, runs: string[]): Promise<SlurmQueueStatus[]> {
  const out: SlurmQueueStatus[] = [];
  for (const w of config.workers) {
    if (w.kind !== 'slurm' || runs.length === 0) continue;
    const r = await runSlurm('squeue', ['-h', '-r', `--name=${runs.map(jobName).join(',')}`, '-o', '%F_%K|%T'], w.env);
    if (!r.ok) {
      out.push({ worker: w.name, pending: [], running: [], error: r.error.message });
      continue;
    }
    const s: SlurmQueueStatus = { worker: w.name, pending: [], running: [] };
    for (const line of r.value.split('\n')) {
      const [id, state] = line.trim().split('|');
      if (!id || !state) continue;
      (state === 'PENDING' ? s.pending : s.running).push(id);
    }
    out.push(s);
  }
  return out;
}

/** One line per worker: `cluster (Slurm): 3 pending (12_4 12_5 12_6), 2 running (12_0 12_1)`. */
export function describeSlurmStatus(s: SlurmQueueStatus): string {
  if (s.error) return `${s.worker} (Slurm): cannot read the queue: ${s.error}`;
  const ids = (l: string[]): string => (l.length === 0 ? '' : ` (${l.slice(0, 10).join(' ')}${l.length > 10 ? ` and ${l.length - 10} more` : ''})`);
  return `${s.worker} (Slurm): ${s.pending.length} pending${ids(s.pending)}, ${s.running.length} running${ids(s.running)}`;
}
