// What a person sees at an 80-column terminal: a status line that names the job running
// longest (elided to fit), blocked jobs after a failure, the elapsed time and an ETA; lines
// above it stamped with the time of day; the failure footer at the end.
import { afterAll, describe, expect, it } from 'vitest';
import { exists, project, read, removeProjects, waitFor, write } from '../engine/helpers.js';
import { onTerminal, startOnTerminal, statusFrames } from './pty.js';

afterAll(() => removeProjects());

const LONG = 'generate_the_catalogue_for_one_chunk_of_the_sky';

const DAXFILE = `version: 1
vars:
  pause: "0.8"
wildcards:
  chunk:
    values: [sky_chunk_00000001, sky_chunk_00000002, sky_chunk_00000003, sky_chunk_00000004]
rules:
  ${LONG}:
    output: sky/{chunk}.txt
    run: sleep {vars.pause}; echo {chunk} > {output}
  broken:
    output: out/broken.txt
    run: echo "the generator broke" >&2; exit 3
  after_broken:
    output: out/after.txt
    input: out/broken.txt
    run: cp {input} {output}
targets:
  - sky/{chunk}.txt
`;

const TIME = /^\d\d:\d\d:\d\d /;

describe('on a terminal', () => {
  it('the status line names the longest-running job, elided to 80 columns; lines show the time of day', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    const s = onTerminal(dir, ['run', '--jobs', '2']);
    expect(s.code, s.raw).toBe(0);
    const frames = statusFrames(s);
    expect(frames.length, s.raw).toBeGreaterThan(2);
    for (const f of frames) {
      expect(f.length, f).toBeLessThanOrEqual(79);
      expect(f).toMatch(/^\[\d\/4\] \| \d running \| elapsed \d+\.\ds/);
    }
    // The job that runs longest, and for how long, cut in the middle to fit.
    const naming = frames.filter((f) => f.includes('…'));
    expect(naming.length, frames.join('\n')).toBeGreaterThan(0);
    for (const f of naming) expect(f).toMatch(/ \| generate_\S*…\S*_0000000\d\] \d+\.\ds$/);
    // Lines above it: stamped HH:MM:SS, never the full ISO time.
    expect(s.raw).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    const lines = s.frames.filter((f) => !f.startsWith('['));
    expect(lines[0]).toMatch(new RegExp(`${TIME.source}run \\S+: 4 of 4 jobs to run \\(0 up to date\\): 4 output missing$`));
    expect(lines[lines.length - 1]).toMatch(new RegExp(`${TIME.source}run \\S+ succeeded: 4 done`));
  });

  it('the ETA comes from the durations of earlier runs, from the first frame on', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    expect(onTerminal(dir, ['run', '--jobs', '4']).code).toBe(0);
    // A changed var: every job runs again; the journal knows how long each took.
    const s = onTerminal(dir, ['run', '--jobs', '2', '--set', 'pause=0.9']);
    expect(s.code, s.raw).toBe(0);
    expect(s.frames.find((f) => TIME.test(f))).toMatch(/4 of 4 jobs to run \(0 up to date\): 4 command changed \(var pause\)$/);
    const frames = statusFrames(s);
    const first = frames.find((f) => f.startsWith('[0/4]') && / running /.test(f) && !f.startsWith('[0/4] | 0 running'));
    // Four jobs of about 0.8s on two slots: about 1.6s.
    expect(first, frames.join('\n')).toMatch(/ \| ETA (1|2)\.\ds \| /);
  });

  it('after a failure with -k: failed and blocked jobs on the status line, the footer at the end', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE });
    write(dir, 'Daxfile.yaml', DAXFILE.replace('  - sky/{chunk}.txt', '  - out/after.txt\n  - sky/{chunk}.txt'));
    const s = onTerminal(dir, ['run', '-k', '--jobs', '2']);
    expect(s.code, s.raw).toBe(1);
    const frames = statusFrames(s);
    expect(frames.some((f) => /^\[\d\/6\] \| \d running, 1 failed, 1 blocked \| /.test(f)), frames.join('\n')).toBe(true);
    expect(s.frames).toContainEqual(expect.stringMatching(new RegExp(`${TIME.source}FAILED broken \\d+ms: exit code 3 \\(log: \\.dax/logs/broken/_\\.log\\)$`)));
    const end = s.frames.slice(s.frames.indexOf('1 job failed:'));
    expect(end).toEqual([
      '1 job failed:',
      expect.stringMatching(/^ {2}broken \(exit code 3, after \d+ms\)$/),
      '    command: echo "the generator broke" >&2; exit 3',
      '    log: .dax/logs/broken/_.log, last 1 line:',
      '      | the generator broke',
      '1 job did not start: it depends on a failed job',
      expect.stringMatching(/^what now: fix the cause, then `dax resume \S+` runs what is left$/),
      expect.stringMatching(new RegExp(`${TIME.source}run \\S+ FAILED: 4 done, 1 failed, 1 not started, 0 up to date \\(6 jobs\\)`)),
    ]);
  });

  it('-p prints each command above the status line as its job starts', () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE.replace('"0.8"', '"0.1"') });
    const s = onTerminal(dir, ['run', '-p', '--jobs', '1']);
    expect(s.code, s.raw).toBe(0);
    for (let i = 1; i <= 4; i++) {
      const start = s.frames.findIndex((f) => new RegExp(`${TIME.source}start ${LONG}\\[(chunk=)?sky_chunk_0000000${i}\\]$`).test(f));
      expect(start, s.frames.join('\n')).toBeGreaterThan(0);
      expect(s.frames[start + 1]).toBe(`    $ sleep 0.1; echo sky_chunk_0000000${i} > sky/sky_chunk_0000000${i}.txt`);
    }
  });

  it('Ctrl-C: one line for the stopped jobs, and how to go on', async () => {
    const dir = project({ 'Daxfile.yaml': DAXFILE.replace('"0.8"', '"30"') });
    const run = startOnTerminal(dir, ['run', '--jobs', '3'], 'dax.pid');
    await waitFor(() => exists(dir, 'dax.pid') && read(dir, 'dax.pid').endsWith('\n'), 'dax to start');
    // Their starts are in the journal (a job that has printed nothing yet has no log).
    const starts = (): number => (exists(dir, '.dax/journal.jsonl') ? read(dir, '.dax/journal.jsonl').split('\n').filter((l) => l.startsWith('{"t":"start"')).length : 0);
    await waitFor(() => starts() === 3, 'three jobs to run');
    process.kill(Number(read(dir, 'dax.pid')), 'SIGINT');
    const s = await run;
    expect(s.code, s.raw).toBe(130);
    const lines = s.frames.filter((f) => !f.startsWith('['));
    expect(lines.filter((l) => /INCOMPLETE|stopped \d/.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^stopped 3 running jobs \\(incomplete\\): (${LONG}\\[(chunk=)?sky_chunk_0000000[123]\\](, |$)){3}`)),
    ]);
    expect(lines).toContainEqual('1 job did not start: the run was stopped');
    expect(lines).toContainEqual(expect.stringMatching(/^what now: `dax resume \S+` runs what is left$/));
    expect(lines[lines.length - 1]).toMatch(new RegExp(`${TIME.source}run \\S+ INTERRUPTED: 0 done, 3 incomplete, 1 not started`));
  });
});
