// dax watch: a specification dropped into <workspace>/incoming/, or queued by dax queue from
// another process, starts within a second; SIGTERM stops the daemon cleanly.
import { afterAll, describe, expect, test } from 'vitest';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dax, removeProjects, sleep, start, waitFor } from '../engine/helpers.js';
import { acqProject, list, sources, spec, writeJson } from './helpers.js';

afterAll(removeProjects);

function absolute(dir: string, id: string): Record<string, unknown> {
  const s = spec(id);
  (s['sources'] as Array<Record<string, unknown>>)[1]!['location'] = join(dir, 'data/fcs.fits');
  (s['target'] as { source: Record<string, unknown> }).source['location'] = join(dir, 'data/dcs.fits');
  return s;
}

/** Started: left Scheduled (status.json says so) or already archived. */
function startedAt(dir: string, id: string): boolean {
  if (existsSync(join(dir, 'workspace/archive', id, 'status.json'))) return true;
  try {
    return !/"state": "Scheduled"/.test(readFileSync(join(dir, 'workspace/in-progress', id, 'status.json'), 'utf8'));
  } catch {
    return false;
  }
}

describe('dax watch', () => {
  test('picks up a dropped spec and a dax queue from another process by itself (bench:acq times it); SIGTERM stops it', async () => {
    const dir = acqProject();
    sources(dir);
    const w = start(dir, 'watch');
    await waitFor(() => /watching/.test(w.out.stderr), 'dax watch to start');
    await waitFor(() => /nothing to do/.test(w.out.stdout), 'its first pass');

    // Dropped by rename, as a writer should.
    writeFileSync(join(dir, 'workspace/incoming/.drop'), JSON.stringify(absolute(dir, 'DROP.1')));
    renameSync(join(dir, 'workspace/incoming/.drop'), join(dir, 'workspace/incoming/drop.json'));
    await waitFor(() => startedAt(dir, 'DROP.1'), 'the dropped acquisition to start').catch((e) => { throw new Error(String(e) + w.out.stdout + w.out.stderr); });
    await waitFor(() => existsSync(join(dir, 'workspace/archive/DROP.1/status.json')), 'it to complete');
    expect(list(join(dir, 'workspace/incoming'))).toEqual([]);

    const q = dax(dir, 'queue', writeJson(dir, 'q.json', absolute(dir, 'QUEUED.1')));
    expect(q.code).toBe(0);
    await waitFor(() => startedAt(dir, 'QUEUED.1'), 'the queued acquisition to start').catch((e) => { throw new Error(String(e) + w.out.stdout + w.out.stderr); });
    await waitFor(() => existsSync(join(dir, 'workspace/archive/QUEUED.1/status.json')), 'it to complete');

    // Written in place, in two parts: read once whole, not refused half-written.
    const text = JSON.stringify(absolute(dir, 'SLOW.1'));
    const slow = join(dir, 'workspace/incoming/slow.json');
    writeFileSync(slow, text.slice(0, 20));
    await sleep(60);
    appendFileSync(slow, text.slice(20));
    await waitFor(() => existsSync(join(dir, 'workspace/archive/SLOW.1/status.json')), 'the spec written in place to be queued and completed');
    expect(list(join(dir, 'workspace/incoming'))).toEqual([]);

    // A refused drop is set aside with its reason.
    writeFileSync(join(dir, 'workspace/incoming/.bad'), '{"id": ');
    renameSync(join(dir, 'workspace/incoming/.bad'), join(dir, 'workspace/incoming/bad.json'));
    await waitFor(() => existsSync(join(dir, 'workspace/incoming/bad.json.rejected.txt')), 'the bad spec to be refused');

    process.kill(w.pid, 'SIGTERM');
    const r = await w.done;
    expect([0, 130]).toContain(r.code);
    expect(r.stderr).toMatch(/dax watch: stopped/);
  });

  test('while the daemon runs, an operator\'s dax run gets exit 3 naming it; dax queue, status and abort work', async () => {
    const dir = acqProject();
    sources(dir);
    // Another target of the Daxfile that keeps the daemon's first pass busy.
    writeFileSync(join(dir, 'Daxfile.yaml'), readFileSync(join(dir, 'Daxfile.yaml'), 'utf8').replace('targets: [', "rules:\n  slow: { output: out/slow.txt, run: 'sleep 60 && echo > {output}' }\ntargets: [out/slow.txt, "));
    const w = start(dir, 'watch');
    await waitFor(() => /start\s+slow/.test(w.out.stdout), 'the daemon to run the slow job');
    const run = dax(dir, 'run');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/another dax run holds this project's lock/);
    const ok = (r: { code: number | null; stderr: string }): void => expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    ok(dax(dir, 'queue', writeJson(dir, 'q.json', absolute(dir, 'OP.1'))));
    expect(dax(dir, 'status', 'OP.1').stdout).toMatch(/OP\.1: Scheduled/);
    ok(dax(dir, 'abort', 'OP.1'));
    ok(dax(dir, 'status', '--json'));
    process.kill(w.pid, 'SIGTERM');
    const r = await w.done;
    expect(r.code).toBe(130); // the slow job was running: stopped and recorded
    expect(JSON.parse(readFileSync(join(dir, 'workspace/in-progress/OP.1/status.json'), 'utf8')).state).toBe('Aborted');
  });
});
