// report: names a wildcard that exists; dax runs --limit takes a whole number.
import { afterAll, describe, expect, it } from 'vitest';
import { dax, project, removeProjects } from '../engine/helpers.js';

afterAll(() => removeProjects());

const daxfile = (report: string): string => `version: 1
wildcards:
  chunk: { values: [1, 2] }
rules:
  gen:
    output: out/{chunk}_{table}.txt
    run: touch {output}
targets: ['out/{chunk}_a.txt']
report: ${report}
`;

describe('report: and --limit', () => {
  it('report: [nosuch] is a config error at its item, exit 2', () => {
    const dir = project({ 'Daxfile.yaml': daxfile('[chunk, nosuch]') });
    const r = dax(dir, 'run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dax: Daxfile\.yaml:9:17: report\[1\]: \{nosuch\} is not a wildcard of this Daxfile \(wildcards: chunk, table\)\n/);
    const typo = dax(project({ 'Daxfile.yaml': daxfile('[chunck]') }), 'run', '-n');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/hint: did you mean 'chunk'\?/);
  });

  it('report: over a wildcard of rule outputs only is fine', () => {
    const r = dax(project({ 'Daxfile.yaml': daxfile('[table]') }), 'run', '-n');
    expect(r.code, r.stderr).toBe(0);
  });

  it('dax runs --limit abc is a usage error, exit 2', () => {
    const dir = project({ 'Daxfile.yaml': daxfile('[chunk]') });
    for (const bad of ['abc', '0', '-3', '1.5', '']) {
      const r = dax(dir, 'runs', '--limit', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toBe(`dax: --limit expects a whole number >= 1, got ${JSON.stringify(bad)}\n`);
    }
    expect(dax(dir, 'runs', '--limit', '3').code).toBe(0);
  });
});
