// Edges a user meets with odd but legal input: long names, control characters in values.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostTag } from '../../src/util/temp.js';
import { dax, deadPid, project, read, removeProjects } from './helpers.js';

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
    expect(r.stdout).toContain('job[v=a%0Ab]');
    expect(r.stderr).toContain('job[v=c%1B[2Jd]');
    expect(r.stderr).toContain('| bad\\e[31m');
    expect(r.stdout + r.stderr).not.toContain('\x1b');
    // Every line of the log is one event: none was forged by a newline in a value.
    for (const l of r.stdout.trimEnd().split('\n')) expect(l).toMatch(/^(\d{4}-\d\d-\d\dT|    \| )/);
    // The failures and the footer on stderr: each line an event, or the footer's own.
    for (const l of r.stderr.trimEnd().split('\n')) expect(l).toMatch(/^(\d{4}-\d\d-\d\dT|  |$|\d+ jobs? |what now: )/);
  });

  it('temporaries that killed writers left beside an output are removed when the job runs again, also without .dax/', () => {
    const host = hostTag();
    const dead = deadPid();
    const dir = project({
      'Daxfile.yaml': `version: 1
rules:
  a:
    output: out/a.txt
    run: echo a > {output}
targets: [out/a.txt]
`,
      // A tool killed mid-write (its pid is gone), and an attempt of a run dax was killed in.
      [`out/.dax-tmp.${host}.${dead}.a.txt`]: 'half',
      'out/.dax-tmp.20200101-000000-dead.1.a.txt': 'half',
      // A live process's temporary (this test's) and another host's are not litter.
      [`out/.dax-tmp.${host}.${process.pid}.other.txt`]: 'being written',
      'out/.dax-tmp.otherhost.1.a.txt': 'theirs',
    });
    const r = dax(dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([`.dax-tmp.${host}.${process.pid}.other.txt`, '.dax-tmp.otherhost.1.a.txt', 'a.txt'].sort());
  });
});
