// Pools: a job holds all the units it asks for while it runs; no pool is ever exceeded.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, removeProjects, project, read } from './helpers.js';

afterAll(() => removeProjects());

// A job that records which jobs are running: it marks itself active, writes the list of marks
// before and after a short sleep, and unmarks itself.
const RECORD = `|
      touch "active/$DAX_JOB"
      (ls active | tr '\\n' ' '; echo) >> {output}
      sleep 0.3
      (ls active | tr '\\n' ' '; echo) >> {output}
      rm "active/$DAX_JOB"`;

/** Every snapshot of running jobs the jobs recorded. */
function snapshots(dir: string, outputs: string[]): string[][] {
  const out: string[][] = [];
  for (const o of outputs) for (const l of read(dir, o).split('\n').filter(Boolean)) out.push(l.trim().split(' '));
  return out;
}

describe('pools', () => {
  it('limits: { merge: 2 } under --jobs 4: never more than 2 merge jobs at once, and 2 do run together', () => {
    const dir = project({
      'active/.keep': '',
      'Daxfile.yaml': `version: 1
limits:
  merge: 2
wildcards:
  i:
    values: [1, 2, 3, 4, 5, 6, 7, 8]
rules:
  merge:
    output: out/{i}.txt
    resources:
      jobs: 1
      merge: 1
    run: ${RECORD}
targets:
  - out/{i}.txt
`,
    });
    const r = dax(dir, 'run', '--jobs', '4');
    expect(r.code, r.stderr).toBe(0);
    const snaps = snapshots(
      dir,
      Array.from({ length: 8 }, (_, k) => `out/${k + 1}.txt`),
    ).map((s) => s.filter((j) => j.startsWith('merge')));
    expect(snaps).toHaveLength(16);
    expect(Math.max(...snaps.map((s) => s.length))).toBe(2);
  });

  it('jobs: 2 under --jobs 3: two such jobs never overlap, and a 1-unit job runs beside one', () => {
    const dir = project({
      'active/.keep': '',
      'Daxfile.yaml': `version: 1
wildcards:
  i:
    values: [1, 2, 3, 4]
rules:
  heavy:
    output: out/heavy/{i}.txt
    resources:
      jobs: 2
    run: ${RECORD}
  light:
    output: out/light/{i}.txt
    run: ${RECORD}
targets:
  - out/heavy/{i}.txt
  - out/light/{i}.txt
`,
    });
    const r = dax(dir, 'run', '--jobs', '3');
    expect(r.code, r.stderr).toBe(0);
    const outs = [1, 2, 3, 4].flatMap((i) => [`out/heavy/${i}.txt`, `out/light/${i}.txt`]);
    const snaps = snapshots(dir, outs).map((s) => s.filter((j) => j !== '.keep'));
    expect(snaps).toHaveLength(16);
    const units = (s: string[]): number => s.reduce((n, j) => n + (j.startsWith('heavy') ? 2 : 1), 0);
    expect(Math.max(...snaps.map((s) => s.filter((j) => j.startsWith('heavy')).length))).toBe(1);
    expect(Math.max(...snaps.map(units))).toBeLessThanOrEqual(3);
    // The pool was used: some snapshot shows a heavy job with a light one beside it.
    expect(snaps.some((s) => s.some((j) => j.startsWith('heavy')) && s.some((j) => j.startsWith('light')))).toBe(true);
  });
});
