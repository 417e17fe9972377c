// Node failure on a real Slurm: the node of a running job is set DOWN (scontrol), Slurm ends the
// job NODE_FAIL; dax takes it as lost (the cluster's doing, not the job's): back to its queue,
// `retries: 0` not spent, run again once the node is back. Its own cluster: the test takes the
// node down.
import { expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { DAX, env, events, project, read, waitFor, type Result } from '../engine/helpers.js';
import { fileCluster } from './cluster.js';

const theCluster = fileCluster();

it('a job whose node fails is lost, not failed: it runs again when the node is back, retries unspent', async () => {
  const dir = project({
    'Daxfile.yaml': `version: 1
local: false
workers:
  cluster:
    slurm: { partition: ${theCluster().partition} }
    poll: 0.3
    grace: 3
rules:
  slow:
    output: out.txt
    retries: 0
    # When the node goes down, its sleep may die before the shell does: the shell must not go on
    # to make the output and exit 0 (a job that did its work is rightly ok, whatever the node).
    run: if [ "$DAX_ATTEMPT" = 1 ]; then sleep 60 || exit 1; fi; echo done > {output}
targets: [out.txt]
`,
  });
  const child = spawn(process.execPath, [DAX, 'run', '--json'], { cwd: dir, env: env(theCluster().env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Result>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr, ms: 0 })));
  await waitFor(() => events(stdout).some((e) => e.type === 'job-start'), 'the job running', 30_000);
  const id = String(events(stdout).find((e) => e.type === 'job-start')!.handle);
  expect(theCluster().run(['scontrol', 'update', `NodeName=${theCluster().node}`, 'State=DOWN', 'Reason=dax-test']).status).toBe(0);
  // What Slurm itself says of the job (squeue -t all keeps an ended job for MinJobAge).
  await waitFor(() => theCluster().run(['squeue', '-h', '-t', 'all', '-j', id, '-o', '%T']).stdout.trim() === 'NODE_FAIL', 'NODE_FAIL in squeue', 30_000);
  await waitFor(() => events(stdout).some((e) => e.type === 'job-end'), 'the lost job reported', 30_000);
  // The test cluster's slurmd re-registers at once (ReturnToService=2): the node may be back
  // already, and RESUME then says so.
  theCluster().run(['scontrol', 'update', `NodeName=${theCluster().node}`, 'State=RESUME']);
  const r = await done;
  expect(r.code, r.stderr).toBe(0);
  const ends = events(r.stdout).filter((e) => e.type === 'job-end');
  expect(ends[0]).toMatchObject({ status: 'lost', retry: true, attempt: 1 });
  expect(String(ends[0]!.why)).toMatch(/NODE_FAIL/);
  expect(ends[1]).toMatchObject({ status: 'ok', attempt: 2, maxAttempts: 1 });
  expect(read(dir, 'out.txt')).toBe('done\n');
}, 90_000);
