// Job logs under .dax/logs/: a job that printed nothing has none (its attempt's header goes in
// with its first output), never an earlier run's; a failure that printed nothing still has its
// header, and a retry's log starts with the attempts before it.
import { afterAll, describe, expect, it } from 'vitest';
import { daxEnv, exists, project, read, removeProjects, write } from './helpers.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

afterAll(() => removeProjects());

const HEADER = (n: number, of: number, cmd: string): string => `=== dax attempt ${n} of ${of} at \\S+Z \\(run \\S+\\): ${cmd}\\n`;

for (const mode of ['native', 'child_process'] as const) {
  const extra: Record<string, string> = mode === 'child_process' ? { DAX_NO_NATIVE: '1' } : {};
  describe(`job logs, jobs started with ${mode}`, () => {
    it("a job that printed nothing this time shows none of an earlier run's log", () => {
      const dir = project({
        'Daxfile.yaml': `version: 1
rules:
  say:
    output: out.txt
    run: if [ -e loud ]; then echo loud words; fi; echo x > {output}
targets: [out.txt]
`,
        loud: '',
      });
      expect(daxEnv(dir, extra, 'run').code).toBe(0);
      expect(read(dir, '.dax/logs/say/_.log')).toMatch(new RegExp(`^${HEADER(1, 1, 'if .*')}loud words\\n$`));
      rmSync(join(dir, 'loud'));
      const again = daxEnv(dir, extra, 'run', '-B');
      expect(again.code, again.stderr).toBe(0);
      const run = /run (\S+) succeeded/.exec(again.stdout)?.[1];
      const log = daxEnv(dir, extra, 'log', 'say');
      expect(log.code).toBe(0);
      expect(log.stdout).toBe('');
      expect(log.stderr).toBe(`dax: say printed nothing (its last attempt: run ${run})\n`);
      // The native spawner makes the log only when the job writes to it.
      if (mode === 'native') expect(exists(dir, '.dax/logs/say/_.log')).toBe(false);
      else expect(read(dir, '.dax/logs/say/_.log')).toMatch(new RegExp(`^${HEADER(1, 1, 'if .*')}$`));
    });

    it('a failure that printed nothing has a log of its header; a retry appends its own', () => {
      const dir = project({
        'Daxfile.yaml': `version: 1
rules:
  silent:
    output: a.txt
    run: exit 4
  twice:
    output: b.txt
    retries: 1
    run: exit 5
targets: [a.txt, b.txt]
`,
      });
      write(dir, '.dax/logs/silent/_.log', 'left by an earlier run\n');
      const r = daxEnv(dir, extra, 'run', '-k');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^ {4}log: \.dax\/logs\/silent\/_\.log \(empty\)$/m);
      expect(r.stderr).toMatch(/^ {4}log: \.dax\/logs\/twice\/_\.log \(empty\)$/m);
      expect(read(dir, '.dax/logs/silent/_.log')).toMatch(new RegExp(`^${HEADER(1, 1, 'exit 4')}$`));
      expect(read(dir, '.dax/logs/twice/_.log')).toMatch(new RegExp(`^${HEADER(1, 2, 'exit 5')}${HEADER(2, 2, 'exit 5')}$`));
    });
  });
}
