// The local executor starts jobs natively (posix_spawn, native/spawn.cc) when the addon is
// built, else with child_process (DAX_NO_NATIVE=1 forces that). Both must behave the same.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { daxEnv, events, groupGone, project, read, removeProjects, repo } from './helpers.js';

afterAll(() => removeProjects());

it('npm ci built the native spawner and the SSH workers\' agent program', () => {
  expect(existsSync(join(repo, 'build/Release/dax_spawn.node'))).toBe(true);
  expect(existsSync(join(repo, 'build/Release/dax-agent'))).toBe(true);
});

const DAXFILE = `version: 1
wildcards:
  w: { values: [ok, fails, missing, killed, env, slow, signals] }
rules:
  job:
    output: out/{w}.txt
    timeout: 2s
    run: [sh, -c, 'case "$0" in ok) echo to-out; echo to-err >&2; echo done > "$1";; fails) echo bad >&2; exit 7;; missing) exec /no/such/program;; killed) kill -9 $$;; env) echo "$DAX_JOB $DAX_ATTEMPT $FROM_ENV" > "$1";; slow) echo $$ > slow.pid; sleep 30 & wait;; signals) grep -E "^Sig(Blk|Ign)" /proc/self/status > "$1";; esac', '{w}', '{output}']
    env: { FROM_ENV: from-env }
targets: ['out/{w}.txt']
`;

for (const mode of ['native', 'child_process'] as const) {
  describe(`jobs started with ${mode}`, () => {
    it('exit codes, signals, logs, environment and timeouts', async () => {
      const dir = project({ 'Daxfile.yaml': DAXFILE });
      const extra: Record<string, string> = mode === 'child_process' ? { DAX_NO_NATIVE: '1' } : {};
      const r = daxEnv(dir, extra, 'run', '-k', '--json', '--jobs', '6');
      expect(r.code).toBe(1);
      const ends = new Map(events(r.stdout).filter((e) => e.type === 'job-end').map((e) => [e.job as string, e]));
      expect(ends.get('job[w=ok]')).toMatchObject({ status: 'ok', exit: 0 });
      // The attempt's header line, then what the job wrote.
      expect(read(dir, '.dax/logs/job/ok.log')).toMatch(/^=== dax attempt 1 of 1 at \S+Z \(run \S+\): sh -c .*\nto-out\nto-err\n$/);
      expect(ends.get('job[w=fails]')).toMatchObject({ status: 'failed', exit: 7, logTail: ['bad'] });
      expect(ends.get('job[w=missing]')).toMatchObject({ status: 'failed' });
      expect(ends.get('job[w=killed]')).toMatchObject({ status: 'failed', signal: 'SIGKILL' });
      expect(read(dir, 'out/env.txt')).toBe('job[w=env] 1 from-env\n');
      // No signal blocked or ignored (dax ignores SIGPIPE; glibc's own 32 and 33 included).
      expect(read(dir, 'out/signals.txt')).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
      expect(ends.get('job[w=slow]')).toMatchObject({ status: 'failed', why: 'timed out after 2s' });
      // The timeout stopped the job's whole process group (the job is its leader), the
      // background sleep included.
      const pgid = Number(read(dir, 'slow.pid'));
      await groupGone(pgid, 10_000);
    });
  });
}
