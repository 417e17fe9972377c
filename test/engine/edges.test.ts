// Edges a user meets with odd but legal input: long names, control characters in values.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dax, project, read, removeProjects } from './helpers.js';

afterAll(() => removeProjects());

describe('edges', () => {
  it('a legal 244-byte output name is built (its temporary name is hashed, not too long)', () => {
    const name = 'x'.repeat(240) + '.txt';
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  long:
    output: out/${name}
    run: echo made > {output}
targets: [out/${name}]
`,
    });
    const r = dax(dir, 'run');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(read(dir, `out/${name}`)).toBe('made\n');
    expect(readdirSync(join(dir, 'out'))).toEqual([name]);
  });

  it('newline and ESC characters in wildcard values are shown escaped in log lines, never raw', () => {
    const dir = project({
      'Daxfile.yaml': `version: 1
wildcards:
  v: { values: ["a\\nb", "c\\u001b[2Jd"] }
rules:
  job:
    output: 'out/{v}.txt'
    run: echo {v} > {output}; echo "bad\\033[31m" >&2; exit 1
targets: ['out/{v}.txt']
`,
    });
    const r = dax(dir, 'run', '-k');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('job[a\\nb]');
    expect(r.stdout).toContain('job[c\\e[2Jd]');
    expect(r.stdout).toContain('| bad\\e[31m');
    expect(r.stdout + r.stderr).not.toContain('\x1b');
    // Every line of the log is one event: none was forged by a newline in a value.
    for (const l of r.stdout.trimEnd().split('\n')) expect(l).toMatch(/^(\d{4}-\d\d-\d\dT|    \| )/);
  });
});
