// The run report at scale: a synthetic record of a run of 107,796 jobs (every chunk of a
// full-sky 85-stripe chunking, 12 jobs each) on 48 local slots and 96 batch slots with queue
// waits, 2% failed. The jobs are the Daxfile's own (from a dry run), so the sky map's chunks
// are the plan's. The page must stay under 20 MB and open in a few seconds.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openPage, screenshot, startBrowser } from '../browser.js';
import { DAX, dax, env, project, removeProjects } from '../engine/helpers.js';
import type { AttemptRecord, RunRecord } from '../../src/events/recorder.js';

const DAXFILE = `version: 1
wildcards:
  chunk: { pattern: '[0-9]+', chunks: { stripes: 85, substripes: 12 } }
  band: { values: [u, g, r, i, z, y, a, b, c, d, e] }
rules:
  measure:
    output: 'out/{chunk}/{band}.txt'
    run: 'echo {chunk} {band} > {output}'
  combine:
    input: ['out/{chunk}/u.txt', 'out/{chunk}/g.txt']
    output: 'out/{chunk}/all.txt'
    run: 'cat {input} > {output}'
report: [chunk]
targets: ['out/{chunk}/all.txt', 'out/{chunk}/{band}.txt']
`;

const RUN = '20260101-000000-beef';
let browser: Browser;

beforeAll(async () => {
  browser = await startBrowser();
});
afterAll(async () => {
  await browser?.close();
  removeProjects();
});

/** The plan's jobs, from `dax run -n --json` (its output, some 25 MB, goes to a file). */
function planned(dir: string): Array<{ job: string; rule: string }> {
  const fd = openSync(join(dir, 'plan.jsonl'), 'w');
  try {
    const r = spawnSync(process.execPath, [DAX, 'run', '-n', '--json'], { cwd: dir, env: env(), stdio: ['ignore', fd, 'pipe'], timeout: 120_000 });
    expect(r.status).toBe(0);
  } finally {
    closeSync(fd);
  }
  return readFileSync(join(dir, 'plan.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"type":"plan"'))
    .map((l) => JSON.parse(l) as { job: string; rule: string });
}

function synthetic(plan: Array<{ job: string; rule: string }>): RunRecord {
  const t0 = Date.UTC(2026, 0, 1);
  const LOCAL = 48;
  const BATCH = 96;
  const free = new Array<number>(LOCAL + BATCH).fill(t0);
  let seed = 1;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const attempts: AttemptRecord[] = plan.map((p, i) => {
    const lane = i % (LOCAL + BATCH);
    const batch = lane >= LOCAL;
    const start = free[lane]! + (batch ? Math.floor(rnd() * 20_000) : 0);
    const end = start + 1000 + Math.floor(rnd() * 60_000);
    const failed = rnd() < 0.02;
    const a: AttemptRecord = {
      job: p.job, rule: p.rule, attempt: 1, worker: batch ? 'slurm' : 'local', slot: batch ? lane - LOCAL : lane, log: `.dax/logs/${p.rule}/${i}.log`,
      start, end, status: failed ? 'failed' : 'ok', exit: failed ? 1 : 0,
      ...(batch ? { queued: free[lane]!, node: `node${lane % 7}` } : {}),
      ...(failed ? { why: 'exit code 1', logTail: ['reading input', `error: ${p.job} is corrupt at row ${i}`, 'giving up'] } : {}),
    };
    free[lane] = end;
    return a;
  });
  const failed = attempts.filter((a) => a.status === 'failed').length;
  return {
    format: 1, run: RUN, start: t0, end: Math.max(...free), result: 'failed', targets: [], sets: {}, jobs: plan.length,
    counts: { total: plan.length, upToDate: 0, toRun: plan.length, done: plan.length - failed, failed, skipped: 0, incomplete: 0, running: 0 },
    attempts, skipped: [], notices: [], reports: [],
  };
}

it('renders a 100,000-job run: under 20 MB, every bar and chunk counted, hover works, opens in seconds', async () => {
  const dir = project({ 'Daxfile.yaml': DAXFILE });
  const plan = planned(dir);
  expect(plan.length).toBe(8983 * 12);
  const rec = synthetic(plan);
  mkdirSync(join(dir, '.dax/runs'), { recursive: true });
  writeFileSync(join(dir, '.dax/runs', `${RUN}.json`), JSON.stringify(rec));

  const t0 = performance.now();
  const r = dax(dir, 'report', RUN, '-o', 'big.html');
  const writeMs = performance.now() - t0;
  expect(r.code, r.stderr).toBe(0);
  const size = statSync(join(dir, 'big.html')).size;
  expect(size).toBeLessThan(20 * 1024 * 1024);

  const { page, errors, requests, loadMs } = await openPage(browser, join(dir, 'big.html'));
  // The machine is shared by several engineers' test runs: the 3 s goal is reported, and only
  // a page far beyond it fails.
  process.stdout.write(`report of ${plan.length} jobs: ${(size / 1024 / 1024).toFixed(1)} MB, written in ${Math.round(writeMs)} ms, loaded in ${loadMs} ms (goal: 3000)\n`);
  expect(loadMs).toBeLessThan(15_000);
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
  expect(await page.locator('#timeline').getAttribute('data-bars')).toBe(String(plan.length));
  expect(await page.locator('#timeline').getAttribute('data-failed')).toBe(String(rec.counts!.failed));
  expect(await page.locator('#skymap').getAttribute('data-chunks')).toBe('8983');
  const i = rec.attempts.findIndex((a) => a.status === 'failed' && a.worker === 'slurm');
  await page.locator('#timeline canvas').scrollIntoViewIfNeeded();
  const pt = await page.evaluate((k) => (window as unknown as { daxReport: { barPoint: (x: number) => { x: number; y: number } } }).daxReport.barPoint(k), i);
  await page.mouse.move(pt.x, pt.y);
  const tip = await page.locator('#tooltip').innerText();
  expect(tip).toContain(rec.attempts[i]!.job);
  expect(tip).toMatch(/queued[\s\S]*waited/);
  expect(tip).toContain('is corrupt at row');
  expect(await screenshot(page, join(dir, 'big.png'))).toBeGreaterThan(20_000);
  await page.context().close();
}, 300_000);
