// The native SSH agent (native/agent.c, built by node-gyp as build/Release/dax-agent) against the
// perl one (PERL_AGENT): for the same requests, in the same directory, the same answers and the
// same files left behind (records, logs, outputs, the store), and what a user sees of a job.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { killScript } from '../../src/exec/ssh/scripts.js';
import { PERL_AGENT, perlFinishLine, perlLaunchLine } from '../../src/exec/ssh/agent-perl.js';
import type { LaunchSpec } from '../../src/exec/ssh/scripts.js';
import { deadPid, groupGone } from '../engine/helpers.js';
import { repo } from '../repo.js';

const NATIVE = join(repo, 'build', 'Release', 'dax-agent');
type Kind = 'perl' | 'native';
const KINDS: Kind[] = ['perl', 'native'];
const command = (k: Kind): [string, string[]] => (k === 'perl' ? ['perl', ['-e', PERL_AGENT]] : [NATIVE, []]);

interface Run {
  /** What the agent printed, its first line as `- agent KIND`. */
  out: string;
  /** Every file and directory under the root: contents, records' pids as PGID RECORDER. */
  files: Record<string, string>;
}

/** The files under root; each record's `PGID RECORDER` checked (a group of the job's own, not
 * the agent's, whose pid `agent` is) and written as those words, which differ between runs. */
function tree(root: string, agent: number[]): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const rel = p.slice(root.length + 1);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) files[rel] = `-> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        files[`${rel}/`] = '';
        walk(p);
      } else {
        let text = readFileSync(p, 'utf8');
        if (name.endsWith('.pid')) {
          const m = /^(\d+) (\d+)\n/.exec(text);
          if (m) {
            expect(agent).toContain(Number(m[2]));
            expect(Number(m[1])).toBeGreaterThan(1);
            expect(Number(m[1])).not.toBe(Number(m[2]));
            text = `PGID RECORDER\n${text.slice(m[0].length)}`;
          }
        }
        // Fds from 10 up are what the test runner passed on to the agent: they vary run to run.
        files[rel] = name === 'fds.log' ? text.replace(/^\d{2,}\n/gm, '') : text;
      }
    }
  };
  walk(root);
  return files;
}

/** Lines in the order of their ids (a stable sort: each request's own lines keep theirs), as
 * jobs that run at once may end in either order. */
const byId = (out: string): string => {
  const lines = out.split('\n');
  const last = lines.pop(); // '' after the last newline, or a line cut short
  const key = (l: string): string => (l.startsWith('- ') ? '' : l.split(' ')[0]!);
  const sorted = lines.map((l, i) => ({ l, i })).sort((a, b) => (key(a.l) < key(b.l) ? -1 : key(a.l) > key(b.l) ? 1 : a.i - b.i));
  return [...sorted.map((x) => x.l), last].join('\n');
};

/** The agent of `kind` given `lines`, its input then closed: what it printed and its pid. */
function agent(kind: Kind, lines: string[], env: Record<string, string> = {}): { out: string; pid: number } {
  const [cmd, args] = command(kind);
  const r = spawnSync(cmd, args, { input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
  expect(r.error).toBeUndefined();
  return { out: r.stdout.replace(`- agent ${kind}\n`, '- agent KIND\n'), pid: r.pid };
}

/** A scenario run through each agent in turn, in the same root (made anew by `setup` for each):
 * the native agent's answers and files are the perl one's. The perl run's, for more checks. */
function parity(root: string, setup: () => unknown, run: (kind: Kind) => { out: string; pids: number[] }): Run {
  const runs = KINDS.map((kind) => {
    for (const name of readdirSync(root)) rmSync(join(root, name), { recursive: true, force: true });
    setup();
    const r = run(kind);
    return { out: byId(r.out), files: tree(root, r.pids) };
  });
  expect(runs[1]).toEqual(runs[0]);
  return runs[0]!;
}

/** Requests made for the root, through each agent, one session each (`setup` may return the
 * pids of agents it ran: recorders of records found there). */
const simple = (root: string, setup: () => number[] | void, lines: string[], env?: Record<string, string>): Run => {
  let earlier: number[] = [];
  return parity(root, () => (earlier = setup() ?? []), (kind) => {
    const r = agent(kind, lines, env);
    return { out: r.out, pids: [r.pid, ...earlier] };
  });
};

function withRoot(fn: (root: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'dax-agent-native-'));
    try {
      await fn(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

/** A launch in root: the attempt under jobs/, run in work/, its log work/log. */
const spec = (root: string, name: string, argv: string[], more: Partial<LaunchSpec> = {}): LaunchSpec => ({
  dir: join(root, 'jobs', 'run', name), cwd: join(root, 'work'), argv, env: {}, log: join(root, 'work', `${name}.log`), appendLog: false,
  mkdirs: [], links: [], outputs: [], hash: false, ...more,
});
const L = (id: string, s: LaunchSpec): string => `${id} ${perlLaunchLine(s)}`;
const work = (root: string) => () => mkdirSync(join(root, 'work'));
/** The root as before a session's first request: no record, an empty work/. */
const afresh = (root: string): void => {
  rmSync(join(root, 'jobs'), { recursive: true, force: true });
  rmSync(join(root, 'work'), { recursive: true, force: true });
  mkdirSync(join(root, 'work'));
};

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');

/** An agent session fed a line at a time: `wait` for a line it printed, then `end` its input. */
function session(kind: Kind): { write(l: string): void; wait(re: RegExp): Promise<void>; end(): Promise<{ out: string; pid: number }> } {
  const [cmd, args] = command(kind);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const closed = once(child, 'close');
  return {
    write: (l) => child.stdin.write(`${l}\n`),
    wait: (re) => until(() => re.test(out)),
    async end() {
      child.stdin.end();
      await closed;
      return { out: out.replace(`- agent ${kind}\n`, '- agent KIND\n'), pid: child.pid! };
    },
  };
}

describe.skipIf(!existsSync(NATIVE))(
  existsSync(NATIVE) ? 'the native SSH agent' : `the native SSH agent: ${NATIVE} is missing (build it with \`npx node-gyp rebuild\`; it needs a C compiler and a static libc: apt-get install -y build-essential)`,
  () => {
    it('says which it is, answers an unknown request `end 2` and nothing to a line without a request', withRoot((root) => {
      const r = agent('native', ['j1 X a b', '', 'lonely', 'j2 ']);
      expect(r.out).toBe('- agent KIND\nj1 end 2\nj2 end 2\n');
      expect(spawnSync(NATIVE, [], { input: '', encoding: 'utf8' }).stdout).toBe('- agent native\n');
      expect(readdirSync(root)).toEqual([]);
    }));

    it('a job that writes: its log truncated or after its header, what it wrote, its status; the record in the same words', withRoot((root) => {
      const r = simple(root, () => {
        mkdirSync(join(root, 'work'));
        writeFileSync(join(root, 'work', 'w.log'), 'an earlier attempt\n');
      }, [
        L('j1', spec(root, 'w', ['sh', '-c', 'echo out; echo err >&2; exit 3'])),
        L('j2', spec(root, 'h', ['echo', 'after the header'], { header: '=== job h' })),
        L('j3', spec(root, 'lazy', ['echo', 'lazily'], { header: '=== job lazy', logOnOutput: true })),
      ]);
      expect(r.out).toBe('- agent KIND\nj1 status 3\nj2 status 0\nj3 status 0\n');
      expect(r.files['work/w.log']).toBe('out\nerr\n');
      expect(r.files['work/h.log']).toBe('=== job h\nafter the header\n');
      expect(r.files['work/lazy.log']).toBe('=== job lazy\nlazily\n');
      expect(r.files['jobs/run/w.pid']).toBe('PGID RECORDER\n3\n');
    }));

    it('a silent lazy job leaves no log and removes an earlier one; a retry (append) keeps it and adds to it', withRoot((root) => {
      const r = simple(root, () => {
        mkdirSync(join(root, 'work'));
        for (const n of ['silent', 'kept', 'added', 'appended']) writeFileSync(join(root, 'work', `${n}.log`), 'before\n');
      }, [
        L('j1', spec(root, 'silent', ['true'], { logOnOutput: true, header: '=== h' })),
        L('j2', spec(root, 'kept', ['true'], { logOnOutput: true, appendLog: true })),
        L('j3', spec(root, 'added', ['echo', 'again'], { logOnOutput: true, appendLog: true })),
        L('j4', spec(root, 'appended', ['echo', 'again'], { appendLog: true })),
      ]);
      expect(r.out).toBe('- agent KIND\nj1 status 0\nj2 status 0\nj3 status 0\nj4 status 0\n');
      expect(r.files['work/silent.log']).toBeUndefined();
      expect(r.files['work/kept.log']).toBe('before\n');
      expect(r.files['work/added.log']).toBe('before\nagain\n');
      expect(r.files['work/appended.log']).toBe('before\nagain\n');
    }));

    it('the job\'s variables over the agent\'s, its PATH to find its program, its cwd, argv with spaces, % and a newline, no fd of the agent and default signals', withRoot((root) => {
      const setup = (): void => {
        mkdirSync(join(root, 'work'));
        mkdirSync(join(root, 'bin'));
        writeFileSync(join(root, 'bin', 'hello-dax'), '#!/bin/sh\necho "hello from $0"\n');
        chmodSync(join(root, 'bin', 'hello-dax'), 0o755);
      };
      const r = simple(root, setup, [
        L('j1', spec(root, 'env', ['sh', '-c', 'echo "$DAX_T|$DAX_KEEP|$DAX_NEW"'], { env: { DAX_T: 'the job', DAX_NEW: 'a b%c' } })),
        L('j2', spec(root, 'path', ['hello-dax'], { env: { PATH: `${join(root, 'bin')}:/usr/bin:/bin` } })),
        L('j3', spec(root, 'cwd', ['sh', '-c', 'pwd; echo x > here'])),
        L('j4', spec(root, 'argv', ['printf', '[%s]\\n', 'a b', '100%', 'one\ntwo', ''])),
        // The shell's fds while it waits for ls (no pipe of its own then), and the signals the
        // job's grep was given (its own: the shell blocks every signal while it starts one).
        L('j5', spec(root, 'fds', ['sh', '-c', 'ls /proc/$$/fd; exec grep -E "^Sig(Blk|Ign)" /proc/self/status'])),
      ], { DAX_T: 'the agent', DAX_KEEP: 'kept' });
      expect(r.out).toBe('- agent KIND\nj1 status 0\nj2 status 0\nj3 status 0\nj4 status 0\nj5 status 0\n');
      expect(r.files['work/env.log']).toBe('the job|kept|a b%c\n');
      expect(r.files['work/path.log']).toBe(`hello from ${join(root, 'bin', 'hello-dax')}\n`);
      expect(r.files['work/cwd.log']).toBe(`${join(root, 'work')}\n`);
      expect(r.files['work/here']).toBe('x\n');
      expect(r.files['work/argv.log']).toBe('[a b]\n[100%]\n[one\ntwo]\n[]\n');
      // 0-2 only: none of the agents' files, pipes or signalfd (what their own parent passed on to
      // them, such as a test runner's high fd, goes on to the job through either).
      expect(r.files['work/fds.log']).toMatch(/^0\n1\n2\nSigBlk:\t0+\nSigIgn:\t0+\n$/);
    }));

    it('a job that cannot start: 127 for not found, 126 for not executable, the reason in its log; a missing cwd: `end 1` and no record', withRoot((root) => {
      const r = simple(root, () => {
        mkdirSync(join(root, 'work'));
        writeFileSync(join(root, 'work', 'plain'), 'echo no\n');
        chmodSync(join(root, 'work', 'plain'), 0o644);
      }, [
        L('j1', spec(root, 'missing', ['no-such-program-dax', 'x'])),
        L('j2', spec(root, 'lazy-missing', ['no-such-program-dax'], { logOnOutput: true })),
        L('j3', spec(root, 'plain', ['./plain'])),
        L('j4', spec(root, 'nowhere', ['true'], { cwd: join(root, 'no', 'such', 'dir') })),
      ]);
      expect(r.out).toBe('- agent KIND\nj1 status 127\nj2 status 127\nj3 status 126\nj4 end 1\n');
      expect(r.files['work/missing.log']).toBe('dax: no-such-program-dax: No such file or directory\n');
      expect(r.files['work/lazy-missing.log']).toBe('dax: no-such-program-dax: No such file or directory\n');
      expect(r.files['work/plain.log']).toBe('dax: ./plain: Permission denied\n');
      expect(r.files['jobs/run/missing.pid']).toBe('PGID RECORDER\n127\n');
      expect(r.files['jobs/run/nowhere.pid']).toBeUndefined();
    }));

    it('a kill that came before the launch stops the job (143), the group gone, its log only the header', withRoot(async (root) => {
      // The job gets the signal as it starts: what it did before that depends on timing, so it does nothing but wait.
      const s = spec(root, 'early', ['sh', '-c', 'sleep 30 & sleep 30'], { header: '=== header' });
      const t0 = Date.now();
      const r = simple(root, () => {
        mkdirSync(join(root, 'work'));
        expect(spawnSync('sh', ['-c', killScript(s.dir, 'SIGTERM')]).status).toBe(0);
      }, [L('j1', s)]);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.out).toBe('- agent KIND\nj1 status 143\n');
      expect(r.files['work/early.log']).toBe('=== header\n');
      expect(r.files['jobs/run/early.kill']).toBe('TERM\n');
      const [pgid] = readFileSync(`${s.dir}.pid`, 'utf8').split(' ');
      await groupGone(Number(pgid));
    }));

    it('a TERM through the record\'s group while the job runs: 143, what it wrote until then kept', withRoot(async (root) => {
      const s = spec(root, 'running', ['sh', '-c', 'echo started; sleep 30 & sleep 30'], { logOnOutput: true });
      const runs: Run[] = [];
      for (const kind of KINDS) {
        afresh(root);
        const a = session(kind);
        a.write(L('j1', s));
        await until(() => /^\d+ \d+\n/.test(read(`${s.dir}.pid`)) && read(s.log) === 'started\n');
        expect(spawnSync('sh', ['-c', killScript(s.dir, 'SIGTERM')]).status).toBe(0);
        await a.wait(/j1 status/);
        const r = await a.end();
        runs.push({ out: r.out, files: tree(root, [r.pid]) });
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[0]!.out).toBe('- agent KIND\nj1 status 143\n');
      expect(runs[0]!.files['work/running.log']).toBe('started\n');
      expect(runs[0]!.files['jobs/run/running.pid']).toBe('PGID RECORDER\n143\n');
    }));

    it('outputs: one written under its own name moved to its temporary, sizes and (hash=1) sha256sum\'s hashes, `- -` for one missing', withRoot((root) => {
      const outs = (name: string): Array<[string, string]> => [
        [join(root, 'jobs', 'run', name, 'a.tmp'), join(root, 'work', `${name}-a.txt`)],
        [join(root, 'jobs', 'run', name, 'b.tmp'), join(root, 'work', `${name}-b.txt`)],
      ];
      const job = (name: string, hash: boolean): LaunchSpec =>
        spec(root, name, ['sh', '-c', `printf 'some bytes\\n' > ${name}-a.txt`], { outputs: outs(name), hash, mkdirs: [join(root, 'jobs', 'run', name)] });
      const r = simple(root, work(root), [L('j1', job('hashed', true)), L('j2', job('sized', false)), L('j3', { ...job('failed', true), argv: ['sh', '-c', 'echo x > failed-a.txt; exit 1'] })]);
      const sum = createHash('sha256').update('some bytes\n').digest('hex');
      expect(r.out).toBe(`- agent KIND\nj1 out 11 ${sum}\nj1 out - -\nj1 status 0\nj2 out 11 -\nj2 out - -\nj2 status 0\nj3 out - -\nj3 out - -\nj3 status 1\n`);
      expect(r.files['jobs/run/hashed/a.tmp']).toBe('some bytes\n');
      expect(r.files['work/hashed-a.txt']).toBeUndefined();
      expect(r.files['jobs/run/hashed.outputs']).toBe(`11 ${sum}\n- -\n`);
      expect(r.files['work/failed-a.txt']).toBe('x\n'); // a failed job's output stays where it was written
    }));

    it('a retried launch of a finished attempt reports its status and outputs without running it again, whichever agent ran it', withRoot((root) => {
      const s = spec(root, 'once', ['sh', '-c', 'echo ran >> ran; printf xy > once-a; exit 5'], {
        outputs: [[join(root, 'jobs', 'run', 'once.a'), join(root, 'work', 'once-a')]],
      });
      for (const first of KINDS) {
        const r = simple(root, () => {
          mkdirSync(join(root, 'work'));
          const pid = agent(first, [L('j1', s)]).pid;
          writeFileSync(join(root, 'work', 'once-a'), 'not moved again');
          return [pid];
        }, [L('j2', s)]);
        expect(r.out).toBe('- agent KIND\nj2 out - -\nj2 status 5\n');
        expect(r.files['work/ran']).toBe('ran\n');
      }
    }));

    it('a launch of an attempt whose group and recorder are gone without a status: `gone`, its outputs\' lines first', withRoot((root) => {
      const s = spec(root, 'lost', ['sh', '-c', 'echo ran >> ran']);
      const dead = [deadPid(), deadPid()];
      const r = simple(root, () => {
        mkdirSync(join(root, 'work'));
        mkdirSync(join(root, 'jobs', 'run'), { recursive: true });
        writeFileSync(`${s.dir}.pid`, `${dead[0]} ${dead[1]}\n`);
        writeFileSync(`${s.dir}.outputs`, '3 -\n');
        return dead;
      }, [L('j1', s)]);
      expect(r.out).toBe('- agent KIND\nj1 out 3 -\nj1 status gone\n');
      expect(r.files['work/ran']).toBeUndefined();
    }));

    it('a dropped connection (its output gone, a SIGHUP) does not stop the recording: the job ends, its status in the record', withRoot(async (root) => {
      const s = spec(root, 'dropped', ['sh', '-c', 'sleep 0.3; echo still here'], { logOnOutput: true });
      const runs: Array<Record<string, string>> = [];
      for (const kind of KINDS) {
        afresh(root);
        const [cmd, args] = command(kind);
        const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
        const closed = once(child, 'close');
        child.stdin.write(`${L('j1', s)}\n`);
        await until(() => /^\d+ \d+\n/.test(read(`${s.dir}.pid`)));
        child.stdout.destroy(); // the session's end: its answers have nowhere to go
        child.kill('SIGHUP');
        child.stdin.end();
        await closed;
        runs.push(tree(root, [child.pid!]));
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[0]!['jobs/run/dropped.pid']).toBe('PGID RECORDER\n0\n');
      expect(runs[0]!['work/dropped.log']).toBe('still here\n');
    }));

    it('a launch of an attempt that runs (a retry within the session) waits for its end and reports it', withRoot(async (root) => {
      const s = spec(root, 'rejoined', ['sh', '-c', 'echo ran >> ran; sleep 0.3; exit 4']);
      const runs: Run[] = [];
      for (const kind of KINDS) {
        afresh(root);
        const a = session(kind);
        a.write(L('j1', s));
        await until(() => /^\d+ \d+\n/.test(read(`${s.dir}.pid`)));
        a.write(L('j2', s));
        await a.wait(/j1 status[^]*j2 status/);
        const r = await a.end();
        runs.push({ out: byId(r.out), files: tree(root, [r.pid]) });
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[0]!.out).toBe('- agent KIND\nj1 status 4\nj2 status 4\n');
      expect(runs[0]!.files['work/ran']).toBe('ran\n');
    }));

    it('`F` links each temporary into the store (making its directory) and removes the attempt and its record', withRoot((root) => {
      const dir = join(root, 'jobs', 'run', 'done');
      let ino = 0;
      const r = simple(root, () => {
        mkdirSync(join(dir, 'sub'), { recursive: true });
        writeFileSync(join(dir, 'a.tmp'), 'A');
        writeFileSync(join(dir, 'sub', 'b.tmp'), 'B');
        ino = statSync(join(dir, 'sub', 'b.tmp')).ino;
        writeFileSync(`${dir}.pid`, '1 2\n0\n');
        writeFileSync(`${dir}.outputs`, '1 -\n1 -\n');
        writeFileSync(`${dir}.kill`, 'TERM\n');
      }, [`j1 ${perlFinishLine(dir, [[join(dir, 'a.tmp'), join(root, 'store', 'x', 'a')], [join(dir, 'sub', 'b.tmp'), join(root, 'store', 'b')]])}`]);
      expect(r.out).toBe('- agent KIND\nj1 end 0\n');
      expect(r.files).toEqual({ 'jobs/': '', 'jobs/run/': '', 'store/': '', 'store/b': 'B', 'store/x/': '', 'store/x/a': 'A' });
      expect(statSync(join(root, 'store', 'b')).ino).toBe(ino); // linked, not copied
    }));

    it('many jobs at once, half of them silent: each its status, its log or none', withRoot((root) => {
      const n = 60;
      const lines = Array.from({ length: n }, (_, i) =>
        L(`j${String(i).padStart(3, '0')}`, spec(root, `m${i}`, i % 2 ? ['true'] : ['sh', '-c', `echo ${i}; exit ${i % 7}`], { logOnOutput: true })));
      const r = simple(root, work(root), lines);
      expect(r.out.split('\n').filter((l) => l.includes(' status ')).length).toBe(n);
      expect(Object.keys(r.files).filter((f) => f.endsWith('.log')).length).toBe(n / 2);
      expect(r.files['work/m14.log']).toBe('14\n');
      expect(r.out).toContain('j014 status 0\nj015 status 0\nj016 status 2\n');
    }));
  },
);
