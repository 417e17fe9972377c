// kill -9 of dax and its jobs during collect, during merge and during release: the next
// dax run continues each acquisition, nothing half-written is ever in sources/ under its final
// name, in result/ or in a receiver, and the product equals an uninterrupted run's (apart from
// DATE and the checksums).
import { afterAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dax, removeProjects, sleep, start } from '../engine/helpers.js';
import { fitsverify, imageExt, kv, primaryImage, writeFits } from '../fits/helpers.js';
import { acqProject, ID, list, queue, spec, status, withoutStamps, writeJson } from './helpers.js';

// Sources on another file system (tmpfs) are copied, not linked: collecting takes a while.
const shm = mkdtempSync('/dev/shm/dax-acq-');
const fcs = writeFits(join(shm, 'fcs.fits'), primaryImage(4, 4, [kv('INSTRUME', 'FCS')]), imageExt(2048, 2048, 'FCS'));
const dcs = writeFits(join(shm, 'dcs.fits'), primaryImage(2048, 2048, [kv('DETNAME', 'DCS')], 5), imageExt(8, 8, 'DCS'));
const PRODUCT = `${ID}.PROD.fits`;

afterAll(() => {
  removeProjects();
  rmSync(shm, { recursive: true, force: true });
});

/** A queued acquisition with `receivers` receiver directories (olas0, olas1, ...). */
function project(receivers = 1): { dir: string; olas: string[] } {
  const dir = acqProject();
  const olas = Array.from({ length: receivers }, (_, i) => join(dir, `olas${i}`));
  for (const d of olas) mkdirSync(d);
  const s = spec(ID, { receivers: olas.map((path) => ({ type: 'olasReceiver', host: '', path })) });
  (s['sources'] as Array<Record<string, unknown>>)[1]!['location'] = fcs;
  (s['target'] as { source: Record<string, unknown> }).source['location'] = dcs;
  expect(dax(dir, 'queue', writeJson(dir, 'spec.json', s)).code).toBe(0);
  return { dir, olas };
}

/** Whether a job of rule acq_STEP has started and not ended, by the run's --json events (the
 * steps run inside dax: there is no process of theirs to look for). */
function inStep(stdout: string, step: string): boolean {
  let open = 0;
  for (const line of stdout.split('\n').slice(0, -1)) {
    const e = JSON.parse(line) as { type: string; rule?: string };
    if (e.rule !== `acq_${step}`) continue;
    if (e.type === 'job-start') open++;
    else if (e.type === 'job-end') open--;
  }
  return open > 0;
}

/** Processes other than dax working in this project's workspace (an rsync, say). */
function workspacePids(dir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').some((a) => a.startsWith(join(dir, 'workspace')))) out.push(Number(e));
    } catch {
      continue;
    }
  }
  return out;
}

const stateOf = (dir: string): string | undefined => {
  try {
    return status(dir).state;
  } catch {
    return undefined;
  }
};

let reference: Buffer | undefined;
function uninterrupted(): Buffer {
  if (!reference) {
    const { dir } = project();
    expect(dax(dir, 'run').code).toBe(0);
    reference = withoutStamps(join(dir, 'workspace/result', PRODUCT));
  }
  return reference;
}

describe('kill -9 during an acquisition', () => {
  test.each([
    ['collect', 'Collecting'],
    ['merge', 'Merging'],
    ['release', 'Releasing'],
  ])('during %s: the next dax run continues it; nothing half-written; the same product', async (step, state) => {
    const want = uninterrupted();
    // A release is a few links and status writes, milliseconds: with many receivers it is
    // caught after its first delivery, before the acquisition is archived.
    const { dir, olas } = project(step === 'release' ? 12 : 1);
    const run = start(dir, 'run', '--jobs', '1', '--json');
    const end = Date.now() + 30_000;
    let during = false;
    while (Date.now() < end) {
      // A release takes milliseconds: it is killed wherever it is once the merge has ended.
      during = step === 'release' ? existsSync(join(olas[0]!, PRODUCT)) : inStep(run.out.stdout, step) && stateOf(dir) === state;
      if (during) break;
      await sleep(step === 'release' ? 0 : 1);
    }
    expect(during).toBe(true);
    process.kill(run.pid, 'SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(workspacePids(dir)).toEqual([]);
    // Not moved back (a release is quick: it may have archived the acquisition just before the kill).
    const archived = existsSync(join(dir, 'workspace/archive', ID, 'status.json'));
    const at = status(dir, ID, archived ? 'archive' : 'in-progress');
    expect(step === 'release' ? ['Merging', 'Releasing', 'Completed'] : [state]).toContain(at.state);
    if (step !== 'release') expect(archived).toBe(false);
    // Under their final names only whole files: collected sources have the origin's size,
    // result/ and the receiver hold nothing or a complete product.
    for (const s of at.sources) {
      const local = join(dir, 'workspace', archived ? 'archive' : 'in-progress', ID, s.local);
      const size = statSync(local, { throwIfNoEntry: false })?.size;
      if (size !== undefined) expect(size).toBe(statSync(s.local.includes('fcs') ? fcs : dcs).size);
    }
    for (const d of [join(dir, 'workspace/result'), ...olas]) {
      for (const f of list(d)) {
        expect(f).toBe(PRODUCT);
        expect(fitsverify(join(d, f)).ok).toBe(true);
      }
    }
    const r = dax(dir, 'run');
    expect(r.stderr).toMatch(/^dax: warning: took over the lock of a dax run that is no longer alive[^\n]*\n$/);
    expect({ code: r.code, stdout: r.stdout }).toMatchObject({ code: 0 });
    expect(queue(dir)).toEqual([]);
    expect(status(dir, ID, 'archive').state).toBe('Completed');
    expect(list(join(dir, 'workspace/result'))).toEqual([PRODUCT]);
    expect({ olas: olas.map(list), log: readFileSync(join(dir, 'workspace/archive', ID, 'logs/release.log'), 'utf8') }).toEqual({ olas: olas.map(() => [PRODUCT]), log: expect.anything() });
    expect(list(join(dir, 'workspace/archive', ID, 'sources'))).toEqual(['1_fcs_fcs.fits', 'target_dcs_dcs.fits']);
    expect(withoutStamps(join(dir, 'workspace/result', PRODUCT)).equals(want)).toBe(true);
    for (const d of olas) expect(fitsverify(join(d, PRODUCT)).ok).toBe(true);
  });
});
