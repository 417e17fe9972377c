// Tasks (`task: [NAME, args...]`): dax's own steps run inside dax. The names and where they may
// run are checked when the Daxfile loads; what they do is tested with the acquisitions.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, project, removeProjects } from './helpers.js';

afterAll(() => removeProjects());

const daxfile = (rule: string): string => `version: 1\nworkers:\n  w1: { ssh: w1.example, workdir: /srv/x }\nrules:\n  a:\n    output: out/a.txt\n${rule}`;

describe('task: rules', () => {
  it('an unknown task is a config error naming the known ones, with did-you-mean', () => {
    const r = dax(project({ 'Daxfile.yaml': daxfile("    task: [acq_colect, x]\n") }), 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Daxfile\.yaml:7:\d+: .*unknown task 'acq_colect'; known tasks: acq_collect, acq_merge, acq_release/);
    expect(r.stderr).toMatch(/did you mean 'acq_collect'/);
  });

  it('run: and task: together are refused', () => {
    const r = dax(project({ 'Daxfile.yaml': daxfile("    run: touch {output}\n    task: [acq_release, ws, id]\n") }), 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rule 'a' has both run: and task:/);
  });

  it('a task cannot be sent to a worker host', () => {
    const r = dax(project({ 'Daxfile.yaml': daxfile("    task: [acq_release, ws, id]\n    workers: [w1]\n") }), 'run', '-n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rule 'a' runs a task, which runs inside dax on this machine/);
    expect(r.stderr).toMatch(/workers: \[local\]/);
  });
});
