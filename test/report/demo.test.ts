// The report of the repository's own demo (Daxfile.yaml: the chunked catalog and three
// acquisitions), run in a copy of the repository: the sky map of its 20 chunks and each
// acquisition's states over time with its merge and transfer durations and alerts.
// `DAX_DOCS=1 npx vitest run test/report/demo.test.ts` also writes docs/report.png.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, startBrowser } from '../browser.js';
import { dax, repo, start } from '../engine/helpers.js';
import type { RunRecord } from '../../src/events/recorder.js';

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await startBrowser();
  // Named demo: the page's title is the project directory's name.
  dir = join(mkdtempSync(join(tmpdir(), 'dax-report-')), 'demo');
  mkdirSync(dir);
  for (const f of ['Daxfile.yaml', 'package.json']) copyFileSync(join(repo, f), join(dir, f));
  for (const d of ['rules', 'examples', 'schemas']) cpSync(join(repo, d), join(dir, d), { recursive: true });
  // The example tools import dax-pipeline (this package, by its own name) and dist/.
  for (const d of ['dist', 'node_modules', 'bin']) symlinkSync(join(repo, d), join(dir, d));
});

afterAll(async () => {
  await browser?.close();
  if (!process.env['DAX_TEST_KEEP']) rmSync(join(dir, '..'), { recursive: true, force: true });
});

it('shows the demo\'s chunks on the sky and its acquisitions\' states, durations and alerts', async () => {
  // Started, not run synchronously: on a busy machine the demo takes over a minute.
  const run = await start(dir, 'run', '--jobs', '8').done;
  expect(run.code, run.stderr).toBe(0);
  // The demo runs twice over (the catalog, then the acquisitions its first run queued): the
  // report of the first, the big one.
  const recs = readdirSync(join(dir, '.dax/runs')).map((n) => JSON.parse(readFileSync(join(dir, '.dax/runs', n), 'utf8')) as RunRecord);
  const first = recs.sort((a, b) => b.attempts.length - a.attempts.length)[0]!;
  // An alert, as a merge would raise one, in an archived acquisition's status.json.
  const archived = readdirSync(join(dir, 'workspace/archive')).sort();
  expect(archived).toHaveLength(3);
  const statusFile = join(dir, 'workspace/archive', archived[0]!, 'status.json');
  const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { alerts: unknown[]; times: Record<string, string> };
  status.alerts.push({ id: 'merge/keyword', severity: 'Warning', description: 'keyword EXPTIME dropped by a filter rule', timestamp: status.times['Merging'] });
  writeFileSync(statusFile, JSON.stringify(status, null, 2));

  const r = dax(dir, 'report', first.run, '-o', 'report.html');
  expect(r.code, r.stderr).toBe(0);
  const { page, errors, requests } = await openPage(browser, join(dir, 'report.html'), { width: 1280, height: 1750 });
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
  expect(await page.locator('#skymap').getAttribute('data-chunks')).toBe('20');
  expect(await page.locator('#skymap').getAttribute('data-finished')).toBe('20');
  expect(await page.locator('#timeline').getAttribute('data-bars')).toBe(String(first.attempts.length));
  const acq = page.locator('#acquisitions');
  expect(await acq.getAttribute('data-acquisitions')).toBe('3');
  const text = await acq.innerText();
  for (const id of archived) expect(text).toContain(id);
  expect(text.match(/Completed/g)!.length).toBeGreaterThanOrEqual(3);
  // transfer, merge and release durations of each acquisition
  expect(text).toMatch(/Completed\s+\d[\d.]*m?s\s+\d[\d.]*m?s\s+\d[\d.]*m?s/);
  expect(text).toContain('Warning: keyword EXPTIME dropped by a filter rule');
  expect(await acq.locator('.alertmark.Warning').count()).toBe(1);
  expect(await acq.locator('.seg').count()).toBeGreaterThanOrEqual(3 * 5);
  const shot = join(dir, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(readFileSync(shot).length).toBeGreaterThan(50_000);
  if (process.env['DAX_DOCS']) copyFileSync(shot, join(repo, 'docs/report.png'));
  await page.context().close();
}, 400_000);
