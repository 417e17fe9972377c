// A job's log on SSH workers (shared file system or not) has the same shape as a local one:
// each attempt's part starts with its header line, and the footer shows the last attempt's tail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHosts, type Hosts } from '../ssh/hosts.js';
import { hostProject, runDax } from '../ssh/run.js';

let hosts: Hosts;
beforeAll(async () => {
  hosts = await startHosts(['h1']);
}, 30_000);
afterAll(async () => {
  await hosts?.stop();
});

describe('job logs on ssh workers', () => {
  for (const shared of [true, false]) {
    it(`${shared ? 'shared file system' : 'own file system'}: one header line per attempt, the footer with the last attempt's tail`, async () => {
      const wd = join(hosts.hosts.get('h1')!.dir, shared ? 'log-shared' : 'log-own');
      const dir = hostProject(hosts, {
        'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 1, workdir: ${wd}${shared ? ', shared_fs: true' : ''} }
rules:
  flaky:
    output: out.txt
    retries: 1
    run: 'echo "attempt $DAX_ATTEMPT on $DAX_WORKER"; exit 9'
targets: [out.txt]
`,
      });
      const r = await runDax(hosts, dir, 'run');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/ retrying flaky \(attempt 2 of 2\): exit code 9 \(log: \.dax\/logs\/flaky\/_\.log\)$/m);
      const log = readFileSync(join(dir, '.dax/logs/flaky/_.log'), 'utf8').split('\n');
      expect(log).toEqual([
        expect.stringMatching(/^=== dax attempt 1 of 2 at \S+Z \(run \S+\): echo "attempt \$DAX_ATTEMPT on \$DAX_WORKER"; exit 9$/),
        'attempt 1 on h1',
        expect.stringMatching(/^=== dax attempt 2 of 2 at /),
        'attempt 2 on h1',
        '',
      ]);
      expect(r.stderr).toMatch(/^ {2}flaky \(exit code 9, after \S+, attempt 2 of 2, on h1\)\n.*\n {4}log: \.dax\/logs\/flaky\/_\.log, last 1 line:\n {6}\| attempt 2 on h1$/m);
    }, 60_000);
  }
});
