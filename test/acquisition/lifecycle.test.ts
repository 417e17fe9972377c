// An acquisition from queue to archive with local sources and receivers, through the real CLI;
// failures that leave it in its state with an Error alert until the cause is fixed.
import { afterAll, describe, expect, test } from 'vitest';
import { chmodSync, existsSync, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dax, events, removeProjects, started } from '../engine/helpers.js';
import { fitsverify } from '../fits/helpers.js';
import { acqProject, ID, list, queue, sources, sourcesJson, spec, status, writeJson } from './helpers.js';

afterAll(removeProjects);

const PRODUCT = `${ID}.PROD.fits`;

describe('an acquisition with local sources', () => {
  test('Scheduled -> Completed: collected by hard link, merged into result/, released, archived, out of the queue', () => {
    const dir = acqProject();
    sources(dir);
    mkdirSync(join(dir, 'olas'));
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec(ID, { receivers: [{ type: 'olasReceiver', host: '', path: join(dir, 'olas') }] }))).code).toBe(0);
    const st = dax(dir, 'status', '--json');
    expect(JSON.parse(st.stdout).acquisitions.byState.Scheduled).toEqual([ID]);
    const r = dax(dir, 'run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(queue(dir)).toEqual([]);
    expect(existsSync(join(dir, 'workspace/in-progress', ID))).toBe(false);
    const s = status(dir, ID, 'archive');
    expect(s.state).toBe('Completed');
    expect(s.alerts).toEqual([]);
    expect(s.sources.map((x) => [x.state, x.method])).toEqual([['collected', 'hardlink'], ['collected', 'hardlink']]);
    // sources.json: each location's file and how its transfer went.
    const at = (f: string): { bytes: number; originMtimeMs: number } => ({ bytes: statSync(join(dir, f)).size, originMtimeMs: statSync(join(dir, f)).mtimeMs });
    const collected = { state: 'collected', attempts: 1, method: 'hardlink', collectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) };
    expect(sourcesJson(dir, ID, 'archive')).toEqual({
      'data/fcs.fits': { local: 'sources/1_fcs_fcs.fits', ...collected, ...at('data/fcs.fits') },
      'data/dcs.fits': { local: 'sources/target_dcs_dcs.fits', ...collected, ...at('data/dcs.fits') },
    });
    const product = join(dir, 'workspace/result', PRODUCT);
    const v = fitsverify(product);
    expect(v.report).toMatch(/0 error/);
    expect(v.ok).toBe(true);
    // The receiver got a hard link; the archived directory's result symlink still points at it.
    expect(statSync(join(dir, 'olas', PRODUCT)).ino).toBe(statSync(product).ino);
    expect(readlinkSync(join(dir, 'workspace/archive', ID, 'result'))).toBe(`../../result/${PRODUCT}`);
    expect(statSync(join(dir, 'workspace/archive', ID, 'result')).ino).toBe(statSync(product).ino);
    expect(list(join(dir, 'workspace/result'))).toEqual([PRODUCT]);
    expect(dax(dir, 'status', ID).stdout).toMatch(/Completed/);
    // Nothing is missing afterwards: a second run has nothing to do.
    const again = dax(dir, 'run');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do/);
  });

  test('a missing source: Error alert, stays Collecting; once the file appears dax resume ID completes it', () => {
    const dir = acqProject();
    sources(dir);
    renameSync(join(dir, 'data/fcs.fits'), join(dir, 'fcs.later'));
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec())).code).toBe(0);
    const r = dax(dir, 'run');
    expect(r.code).toBe(1);
    let s = status(dir);
    expect(s.state).toBe('Collecting');
    expect(s.error).toBe(true);
    expect(s.alerts).toEqual([expect.objectContaining({ severity: 'Error', description: expect.stringMatching(/data\/fcs\.fits.*not found/) })]);
    expect(dax(dir, 'status').stdout).toMatch(/Collecting \(1\)\n\s+TEST\S+\s+ERROR\n\s+Error: source fcs/);
    // sources.json and dax status ID: that source failed, and why; the other was collected.
    let transfers = sourcesJson(dir);
    expect(transfers['data/fcs.fits']).toEqual({ local: 'sources/1_fcs_fcs.fits', state: 'failed', attempts: 1, error: expect.stringMatching(/^source fcs data\/fcs\.fits: .*data\/fcs\.fits not found$/) });
    expect(transfers['data/dcs.fits']).toEqual(expect.objectContaining({ state: 'collected', attempts: 1 }));
    const one = dax(dir, 'status', ID).stdout;
    expect(one).toMatch(/^ {4}failed {7}data\/fcs\.fits -> sources\/1_fcs_fcs\.fits \(1 attempt\)\n {6}last error: source fcs .*not found$/m);
    expect(one).toMatch(/^ {4}collected {4}data\/dcs\.fits -> sources\/target_dcs_dcs\.fits \(hardlink, .*, 1 attempt, collected 20/m);
    expect(JSON.parse(dax(dir, 'status', ID, '--json').stdout).sources).toEqual([
      expect.objectContaining({ location: 'data/fcs.fits', state: 'failed', attempts: 1, error: transfers['data/fcs.fits']!.error }),
      expect.objectContaining({ location: 'data/dcs.fits', state: 'collected', attempts: 1 }),
    ]);
    // Still failing: still Collecting, never backwards, never Aborted.
    expect(dax(dir, 'run').code).toBe(1);
    expect(status(dir).state).toBe('Collecting');
    expect(sourcesJson(dir)['data/fcs.fits']).toEqual(expect.objectContaining({ state: 'failed', attempts: 2 }));
    renameSync(join(dir, 'fcs.later'), join(dir, 'data/fcs.fits'));
    const resumed = dax(dir, 'resume', ID);
    expect(resumed.stderr).toMatch(new RegExp(`resuming acquisition ${ID.replace(/\./g, '\\.')} \\(Collecting, error\\), not a run`));
    expect(resumed.code).toBe(0);
    s = status(dir, ID, 'archive');
    expect(s.state).toBe('Completed');
    expect(s.error).toBe(false);
    expect(s.alerts).toEqual([]);
    // Collected on the third attempt; the error is gone with the alert.
    transfers = sourcesJson(dir, ID, 'archive');
    expect(transfers['data/fcs.fits']).toEqual(expect.objectContaining({ state: 'collected', attempts: 3, bytes: statSync(join(dir, 'data/fcs.fits')).size }));
    expect(transfers['data/fcs.fits']!.error).toBeUndefined();
    expect(transfers['data/dcs.fits']).toEqual(expect.objectContaining({ state: 'collected', attempts: 1 }));
  });

  test('an acquisition queued by an older dax (sources.json a plain map) is collected and merged; its sources.json gets the transfer state', () => {
    const dir = acqProject();
    sources(dir);
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec())).code).toBe(0);
    const d = join(dir, 'workspace/in-progress', ID);
    writeFileSync(join(d, 'sources.json'), JSON.stringify({ 'data/fcs.fits': 'sources/1_fcs_fcs.fits', 'data/dcs.fits': 'sources/target_dcs_dcs.fits' }));
    const r = dax(dir, 'run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(status(dir, ID, 'archive').state).toBe('Completed');
    expect(fitsverify(join(dir, 'workspace/result', PRODUCT)).ok).toBe(true);
    expect(Object.values(sourcesJson(dir, ID, 'archive')).map((e) => [e.local, e.state])).toEqual([['sources/1_fcs_fcs.fits', 'collected'], ['sources/target_dcs_dcs.fits', 'collected']]);
  });

  // root writes into a read-only directory: that case runs only for other users.
  const kinds = ['missing', 'not a directory', ...(process.getuid?.() === 0 ? [] : ['read-only'])];
  test.each(kinds)('a %s receiver directory: Error alert, stays Releasing, completes after the fix', (kind) => {
    const dir = acqProject();
    sources(dir);
    const olas = join(dir, 'olas');
    if (kind === 'read-only') {
      mkdirSync(olas);
      chmodSync(olas, 0o555);
    }
    if (kind === 'not a directory') writeFileSync(olas, 'a file where the directory should be');
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec(ID, { receivers: [{ type: 'olasReceiver', host: '', path: olas }] }))).code).toBe(0);
    const r = dax(dir, 'run');
    expect(r.code).toBe(1);
    const s = status(dir);
    expect(s.state).toBe('Releasing');
    expect(s.alerts).toEqual([expect.objectContaining({ id: 'release/0', severity: 'Error', description: expect.stringMatching(/must exist and be writable/) })]);
    if (kind !== 'not a directory') expect(list(olas)).toEqual([]);
    if (kind === 'read-only') chmodSync(olas, 0o755);
    else {
      rmSync(olas, { force: true });
      mkdirSync(olas);
    }
    expect(dax(dir, 'run').code).toBe(0);
    expect(status(dir, ID, 'archive').state).toBe('Completed');
    expect(list(olas)).toEqual([PRODUCT]);
    expect(lstatSync(join(olas, PRODUCT)).isFile()).toBe(true);
  });

  test('dax run works the queue in FIFO order, each acquisition to the end before the next', () => {
    const dir = acqProject();
    sources(dir);
    for (const id of ['B.2', 'A.1', 'C.3']) expect(dax(dir, 'queue', writeJson(dir, `${id}.json`, spec(id))).code).toBe(0);
    const r = dax(dir, 'run', '--jobs', '1', '--json');
    expect(r.code).toBe(0);
    const order = started(r.stdout).map((j) => /\[(?:acq=)?([^,\]]+)/.exec(j)![1]);
    expect([...new Set(order)]).toEqual(['B.2', 'A.1', 'C.3']);
    expect(order).toEqual(['B.2', 'B.2', 'B.2', 'B.2', 'A.1', 'A.1', 'A.1', 'A.1', 'C.3', 'C.3', 'C.3', 'C.3']);
  });

  test.each([1, 2])('limits.daq: %i: at most that many acquisitions in progress at once, in FIFO order, whatever --jobs', (daq) => {
    const dir = acqProject(`limits: { daq: ${daq} }\n`);
    sources(dir);
    const ids = ['B.2', 'A.1', 'C.3', 'D.4'];
    for (const id of ids) expect(dax(dir, 'queue', writeJson(dir, `${id}.json`, spec(id))).code).toBe(0);
    const r = dax(dir, 'run', '--jobs', '8', '--json');
    expect(r.code).toBe(0);
    // In progress: from its first job's start to its release's end.
    const open = new Set<string>();
    let most = 0;
    const firsts: string[] = [];
    for (const e of events(r.stdout)) {
      if (e.type !== 'job-start' && e.type !== 'job-end') continue;
      const id = /\[(?:acq=)?([^,\]]+)/.exec(e.job as string)![1]!;
      if (e.type === 'job-start' && !open.has(id)) {
        open.add(id);
        firsts.push(id);
      }
      if (e.type === 'job-end' && e.rule === 'acq_release') open.delete(id);
      most = Math.max(most, open.size);
    }
    expect(most).toBe(daq);
    expect(firsts).toEqual(ids);
    expect(queue(dir)).toEqual([]);
  });

  test('dax abort: state Aborted, out of the queue, files kept, not run again', () => {
    const dir = acqProject();
    sources(dir);
    renameSync(join(dir, 'data/fcs.fits'), join(dir, 'fcs.later'));
    expect(dax(dir, 'queue', writeJson(dir, 'spec.json', spec())).code).toBe(0);
    expect(dax(dir, 'run').code).toBe(1);
    const a = dax(dir, 'abort', ID);
    expect(a.code).toBe(0);
    expect(status(dir).state).toBe('Aborted');
    expect(queue(dir)).toEqual([]);
    expect(list(join(dir, 'workspace/in-progress', ID, 'sources'))).toEqual(['target_dcs_dcs.fits']);
    const r = dax(dir, 'run');
    expect(r.code).toBe(0);
    expect(status(dir).state).toBe('Aborted');
  });
});
