// Job names a user can paste back (rule[w=v,...]) as TARGET of run, run -n, status, log, why.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, events, project, removeProjects } from '../engine/helpers.js';

afterAll(() => removeProjects());

const DAXFILE = `version: 1
wildcards:
  chunk: { values: ['7140', '7141'] }
  table: { values: [Object, Source] }
rules:
  ct:
    output: out/{table}/{chunk}.csv
    run: echo {chunk} {table} > {output}
  all:
    input: ['out/Object/7140.csv', 'out/Source/7141.csv']
    output: out/all.txt
    run: cat {input} > {output}
targets: ['out/{table}/{chunk}.csv', out/all.txt]
`;

describe('job names', () => {
  it('label the values in the order of the rule\'s wildcards, and are accepted back as targets', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const plan = dax(dir, 'run', '-n');
    expect(plan.stdout).toMatch(/^ct\[table=Object,chunk=7140\]: output missing: out\/Object\/7140\.csv$/m);
    // The printed name, pasted back: run -n, run, status, why, log.
    const n = dax(dir, 'run', '-n', 'ct[table=Source,chunk=7141]');
    expect(n.stdout).toMatch(/^ct\[table=Source,chunk=7141\]: output missing/m);
    expect(n.stdout).toMatch(/^1 of 1 jobs would run$/m);
    // The labels in any order name the same job.
    expect(dax(dir, 'run', '-n', 'ct[chunk=7141,table=Source]').stdout).toMatch(/^1 of 1 jobs would run$/m);
    const r = dax(dir, 'run', '--json', 'ct[table=Source,chunk=7141]');
    expect(r.code, r.stderr).toBe(0);
    expect(events(r.stdout).filter((e) => e.type === 'job-end').map((e) => e.job)).toEqual(['ct[table=Source,chunk=7141]']);
    expect(dax(dir, 'status', 'ct[table=Source,chunk=7141]').stdout).toMatch(/^ct\s+1\s+1\s/m);
    expect(dax(dir, 'why', 'ct[table=Source,chunk=7141]').stdout).toMatch(/^ct\[table=Source,chunk=7141\] is up to date: made by run \S+ at /);
    expect(dax(dir, 'log', 'ct[table=Source,chunk=7141]').code).toBe(0);
  });

  it('a misspelt rule or wildcard gets a did-you-mean, exit 2', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    for (const cmd of [['run', '-n'], ['status'], ['why'], ['log']]) {
      const r = dax(dir, ...cmd, 'cr[table=Object,chunk=7140]');
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/no job cr\[table=Object,chunk=7140\]: there is no rule 'cr'\n {2}hint: did you mean 'ct'\?/);
    }
    const label = dax(dir, 'run', '-n', 'ct[tble=Object,chunk=7140]');
    expect(label.code).toBe(2);
    expect(label.stderr).toMatch(/rule 'ct' has no wildcard 'tble'\n {2}hint: did you mean 'table'\?/);
    const count = dax(dir, 'run', '-n', 'ct[table=Object]');
    expect(count.stderr).toMatch(/rule 'ct' has 2 wildcards \(table, chunk\), not 1\n {2}hint: write it as ct\[table=…,chunk=…\]/);
    // A value outside its domain: the nearest job.
    const near = dax(dir, 'log', 'ct[table=Object,chunk=7142]');
    expect(near.code).toBe(1);
    expect(near.stderr).toMatch(/has no log: it has not run\n {2}hint: did you mean ct\[table=Object,chunk=7140\]\?/);
  });

  it('values that would make a name ambiguous or unprintable are escaped, and read back', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  v: { values: ['a,b', 'c]d', 'e%f'] }
rules:
  job: { output: 'out/{v}.txt', run: 'echo {v} > {output}' }
targets: ['out/{v}.txt']
`,
    });
    const n = dax(dir, 'run', '-n');
    expect(n.stdout).toContain('job[v=a%2Cb]: ');
    expect(n.stdout).toContain('job[v=c%5Dd]: ');
    expect(n.stdout).toContain('job[v=e%25f]: ');
    expect(dax(dir, 'run', 'job[v=c%5Dd]').code).toBe(0);
    expect(dax(dir, 'run', '-n').stdout).toMatch(/^2 of 3 jobs would run$/m);
  });
});
