// An array task's script as the node runs it (sh, no Slurm needed): each job's start and end are
// lines of the task's record; a job already recorded as ended is not run again when the task
// runs a second time (requeued by hand); one whose kill file is there before it begins is
// recorded as killed and never runs.
import { expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayScripts, BUNDLED, killFile, recordFile } from '../../src/exec/slurm/layout.js';
import { wrapperLines } from '../../src/exec/remote/wrapper.js';

function setup(): { project: string; run: (index: number) => void; rec: (index: number) => string[] } {
  const project = mkdtempSync(join(tmpdir(), 'dax-slurm-script-'));
  const job = (n: number): string[] =>
    wrapperLines({ dir: '.', cwd: project, argv: ['sh', '-c', `echo ran >> ran.${n}`], env: { DAX_JOB: `j${n}` }, log: join(project, `log.${n}`), appendLog: false, mkdirs: [], links: [], outputs: [], hash: false, shared: BUNDLED });
  const { main, parts } = arrayScripts(project, 'w', 'r1', 0, [[job(0), job(1)], [job(2), job(3), job(4)]]);
  const batch = join(project, '.dax/slurm/w/r1/batch');
  mkdirSync(join(batch, '0'), { recursive: true });
  mkdirSync(join(project, '.dax/slurm/w/r1/rec'));
  writeFileSync(join(batch, '0.sh'), main);
  parts.forEach((p, c) => writeFileSync(join(batch, `0.${c}.sh`), p));
  return {
    project,
    run: (index) => {
      const r = spawnSync('sh', [join(batch, '0.sh')], { cwd: project, env: { ...process.env, SLURM_ARRAY_TASK_ID: String(index), SLURMD_NODENAME: 'n1' }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    },
    rec: (index) => readFileSync(recordFile(project, 'w', 'r1', 0, index), 'utf8').split('\n').filter((l) => l !== ''),
  };
}

it("a task records each job's start and end; run again, it skips the jobs recorded as ended", () => {
  const t = setup();
  t.run(1);
  expect(t.rec(1)).toEqual(['s 0 n1', 'e 0 0', 's 1 n1', 'e 1 0', 's 2 n1', 'e 2 0']);
  expect(existsSync(join(t.project, 'ran.0'))).toBe(false); // task 0's jobs are not task 1's
  // As if the task had been stopped before its last job ended: run again, only that job runs.
  writeFileSync(recordFile(t.project, 'w', 'r1', 0, 1), 's 0 n1\ne 0 0\ns 1 n1\ne 1 0\ns 2 n1\n');
  t.run(1);
  for (const n of [2, 3]) expect(readFileSync(join(t.project, `ran.${n}`), 'utf8')).toBe('ran\n');
  expect(readFileSync(join(t.project, 'ran.4'), 'utf8')).toBe('ran\nran\n');
  expect(t.rec(1).slice(5)).toEqual(['s 2 n1', 'e 2 0']);
});

it('a job whose kill file is there before it begins is recorded as killed and never runs; the next runs', () => {
  const t = setup();
  writeFileSync(killFile(t.project, 'w', 'r1', 0, 0, 0), 'TERM\n');
  t.run(0);
  expect(t.rec(0)).toEqual(['e 0 143', 's 1 n1', 'e 1 0']);
  expect(existsSync(join(t.project, 'ran.0'))).toBe(false);
  expect(readFileSync(join(t.project, 'ran.1'), 'utf8')).toBe('ran\n');
});
