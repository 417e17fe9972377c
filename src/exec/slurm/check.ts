// `dax workers` for a Slurm worker: the client commands are there, the controller answers and
// knows the partition, and a trivial job runs and writes into the project directory (which
// its nodes must share with this machine).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SlurmWorkerSpec } from '../../config/model.js';
import { runSlurm } from './commands.js';
import { sbatchOptions } from './worker.js';

export interface SlurmCheck {
  worker: string;
  host: string; // 'slurm' or slurm:<partition>
  connect: string; // 'ok' or why the controller cannot be used
  /** The trivial job: 'ran on NODE' or why not. */
  job: string;
  missing: string[];
  usable: boolean;
}

const PROGRAMS = ['sbatch', 'squeue', 'scancel'];

export async function checkSlurm(w: SlurmWorkerSpec, projectDir: string, waitMs = 60_000): Promise<SlurmCheck> {
  const result: SlurmCheck = { worker: w.name, host: w.slurm.partition ? `slurm:${w.slurm.partition}` : 'slurm', connect: 'ok', job: '-', missing: [], usable: false };
  for (const p of PROGRAMS) {
    const r = await runSlurm(p, ['--version'], w.env);
    if (!r.ok && r.error.missing) result.missing.push(p);
  }
  if (result.missing.length > 0) return { ...result, connect: `not found: ${result.missing.join(', ')}` };
  const part = await runSlurm('sinfo', ['-h', '-o', '%P|%a', ...(w.slurm.partition ? ['-p', w.slurm.partition] : [])], w.env);
  if (!part.ok) return { ...result, connect: part.error.message };
  if (w.slurm.partition && part.value.trim() === '') return { ...result, connect: `the cluster has no partition '${w.slurm.partition}'` };
  const down = part.value.split('\n').find((l) => /\|(down|inactive|drain)/.test(l));
  if (down) return { ...result, connect: `partition ${down.split('|')[0]} is ${down.split('|')[1]}` };
  result.job = await trivialJob(w, projectDir, waitMs);
  result.usable = result.job.startsWith('ran');
  return result;
}

/** Submits `hostname > FILE` in the project's .dax/ and waits for FILE. */
async function trivialJob(w: SlurmWorkerSpec, projectDir: string, waitMs: number): Promise<string> {
  const dir = path.join(projectDir, '.dax', 'slurm', w.name, `check-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'ran');
  const out = path.join(dir, 'slurm.out');
  try {
    const r = await runSlurm('sbatch', [
      '--parsable', '--no-requeue', '--job-name=dax-check', `--output=${out}`, `--error=${out}`, `--chdir=${projectDir}`,
      ...sbatchOptions({ ...w.slurm, time: '1' }, undefined, undefined), `--wrap=echo "$SLURMD_NODENAME" > ${file}.tmp && mv ${file}.tmp ${file}`,
    ], w.env);
    if (!r.ok) return `sbatch failed: ${r.error.message}`;
    const id = /^\d+/.exec(r.value.trim())?.[0] ?? '';
    const end = Date.now() + waitMs;
    let state = '';
    while (Date.now() < end) {
      const node = read(file);
      if (node !== undefined) return `ran on ${node.trim() || '?'}`;
      const q = await runSlurm('squeue', ['-h', '-t', 'all', '-j', id, '-o', '%T|%r'], w.env);
      state = q.ok ? q.value.trim() : state;
      if (q.ok && state !== '' && !/^(PENDING|RUNNING|CONFIGURING|COMPLETING)/.test(state)) {
        // Ended: the file may take a moment on a shared file system.
        await new Promise((res) => setTimeout(res, 2000));
        const late = read(file);
        if (late !== undefined) return `ran on ${late.trim() || '?'}`;
        const said = read(out)?.trim().split('\n').pop();
        return `job ${id} ended ${state.split('|')[0]} but wrote nothing to ${path.relative(projectDir, dir)}: do the nodes see the project directory?${said ? ` (${said})` : ''}`;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    await runSlurm('scancel', [id], w.env);
    return `job ${id} did not run within ${Math.round(waitMs / 1000)}s${state ? ` (${state.replace('|', ': ')})` : ''}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
