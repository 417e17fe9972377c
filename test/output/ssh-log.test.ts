// A job's log on SSH workers (shared file system or not) has the same shape as a local one:
// each attempt's part starts with its header line, and the footer shows the last attempt's tail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('shared file system: a job that writes nothing leaves no log (an earlier run\'s is removed), as a local one; a long output whole', async () => {
    const wd = join(hosts.hosts.get('h1')!.dir, 'log-quiet');
    const dir = hostProject(hosts, {
      'Daxfile.yaml': `version: 1
local: false
workers:
  h1: { ssh: h1, slots: 2, workdir: ${wd}, shared_fs: true }
rules:
  quiet: { output: quiet.txt, run: [touch, '{output}'] }
  loud: { output: loud.txt, run: 'echo to stdout; echo to stderr >&2; touch {output}' }
  long: { output: long.txt, run: 'seq 1 200000; touch {output}' }
targets: [quiet.txt, loud.txt, long.txt]
`,
    });
    // Made as dax makes it for a job on a shared file system: the host's user writes there.
    mkdirSync(join(dir, '.dax/logs/quiet'), { recursive: true });
    chmodSync(join(dir, '.dax/logs/quiet'), 0o777);
    writeFileSync(join(dir, '.dax/logs/quiet/_.log'), 'an earlier run\n');
    const r = await runDax(hosts, dir, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, '.dax/logs/quiet/_.log'))).toBe(false);
    expect(readFileSync(join(dir, '.dax/logs/loud/_.log'), 'utf8').split('\n')).toEqual([
      expect.stringMatching(/^=== dax attempt 1 of 1 at \S+Z \(run \S+\): echo to stdout/),
      'to stdout',
      'to stderr',
      '',
    ]);
    // More than a pipe holds (1.3 MB): the agent copies while the job writes, all of it.
    const long = readFileSync(join(dir, '.dax/logs/long/_.log'), 'utf8').split('\n');
    expect(long).toHaveLength(200_002);
    expect(long.slice(1, 3)).toEqual(['1', '2']);
    expect(long.at(-2)).toBe('200000');
  }, 60_000);
});
