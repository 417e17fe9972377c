// How the Slurm worker reads the states Slurm reports for a job that left without a status, with
// a scripted Slurm on PATH (no real cluster: these states are hard to cause on one). The first
// sbatch submits nothing that runs and squeue reports the state under test; later sbatch calls
// run their array's tasks at once, as a cluster would. The cluster's doing (node failure,
// preemption, boot failure) puts the job back in dax's queue: lost, not a failure, retries
// unspent. Anything else without a status is a failure, after the grace period, that says why.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daxEnv, events, project, read } from '../engine/helpers.js';

/** A directory with sbatch, squeue and scancel scripts; squeue reports `state` for array 101. */
function fakeSlurm(state: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'dax-fake-slurm-'));
  const script = (name: string, text: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${text}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script(
    'sbatch',
    `n=$(cat ${bin}/calls 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${bin}/calls
for a; do last=$a; case $a in --array=0-*) hi=\${a#--array=0-};; esac; done
if [ $n = 1 ]; then echo 101; exit 0; fi
i=0; while [ $i -le $hi ]; do SLURM_ARRAY_TASK_ID=$i SLURMD_NODENAME=fake1 sh "$last" >/dev/null 2>&1 & i=$((i + 1)); done
echo $((100 + n))`,
  );
  script('squeue', `echo '101|0|${state}|fake1'`);
  script('scancel', 'exit 0');
  return bin;
}

function run(state: string): { code: number | null; stdout: string; stderr: string; dir: string; calls: number } {
  const bin = fakeSlurm(state);
  const dir = project({
    'Daxfile.yaml': `version: 1
local: false
workers:
  cluster:
    slurm: { partition: fake }
    poll: 0.1
    grace: 0.5
rules:
  a:
    output: a.txt
    retries: 0
    run: echo ran > {output}
targets: [a.txt]
`,
  });
  const r = daxEnv(dir, { PATH: `${bin}:${process.env['PATH'] ?? ''}` }, 'run', '--json');
  return { ...r, dir, calls: Number(readFileSync(join(bin, 'calls'), 'utf8')) };
}

describe('Slurm states of a job gone without a status', () => {
  for (const state of ['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL']) {
    it(`${state}: lost, submitted again, retries unspent`, () => {
      const r = run(state);
      expect(r.code, r.stderr).toBe(0);
      const ends = events(r.stdout).filter((e) => e.type === 'job-end');
      expect(ends[0]).toMatchObject({ status: 'lost', retry: true, attempt: 1 });
      expect(String(ends[0]!.why)).toContain(`with ${state} on fake1`);
      expect(ends[1]).toMatchObject({ status: 'ok', attempt: 2 });
      expect(r.calls).toBe(2);
      expect(read(r.dir, 'a.txt')).toBe('ran\n');
    });
  }

  it('FAILED without a status: a failure after the grace period, with the state and a hint', () => {
    const r = run('FAILED');
    expect(r.code).toBe(1);
    const ends = events(r.stdout).filter((e) => e.type === 'job-end');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ status: 'failed', retry: false });
    expect(String(ends[0]!.why)).toMatch(/Slurm job 101_0 ended FAILED without recording an exit status .*do the cluster's nodes see the project directory\?/);
    expect(r.calls).toBe(1);
  });
});
