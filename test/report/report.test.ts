// The run report (dax report, dax run --report, dax report --live) opened in a real headless
// Chromium: a real catalog run over a chunk set that wraps through RA 0, with one failing job.
// Timeline and sky map are canvases: the page states its counts in data- attributes and gives
// the screen point of a bar or a chunk (window.daxReport) so the mouse can be moved onto it.
import { catalogDaxfile } from '../catalog/daxfile.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, screenshot, startBrowser } from '../browser.js';
import { dax, exists, project, removeProjects, start, waitFor, write } from '../engine/helpers.js';
import type { RunRecord } from '../../src/events/recorder.js';

function catalog(): string {
  return project({
    'Daxfile.yaml': catalogDaxfile({
      rows: 100, ra: [359, 1], dec: [-1.5, 1.5], tables: ['Object'], vars: '  bad: none\n',
      rest: `rules:
  qa:
    description: a quality check of one ingested chunk
    input: '{vars.data}/ingested/Object/{chunk}.done'
    output: '{vars.data}/qa/{chunk}.txt'
    run: 'if [ {chunk} = {vars.bad} ]; then echo "qa: chunk {chunk} has no rows" >&2; echo "</script><b>not markup</b>" >&2; exit 4; fi; echo ok > {output}'
report: [chunk]
targets: ['{vars.data}/published.db', '{vars.data}/qa/{chunk}.txt']
`,
    }),
  });
}

function record(dir: string): RunRecord {
  const names = readdirSync(join(dir, '.dax/runs')).filter((n) => n.endsWith('.json'));
  expect(names).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, '.dax/runs', names[0]!), 'utf8')) as RunRecord;
}

/** Moves the mouse onto what `point` (a window.daxReport hook) names; returns the tooltip. */
async function hover(page: Page, canvas: string, hook: 'barPoint' | 'chunkPoint', arg: number): Promise<string> {
  await page.locator(`${canvas} canvas`).scrollIntoViewIfNeeded();
  const pt = await page.evaluate(([h, a]) => (window as unknown as { daxReport: Record<string, (x: number) => { x: number; y: number } | null> }).daxReport[h]!(a), [hook, arg] as const);
  expect(pt).not.toBeNull();
  await page.mouse.move(pt!.x, pt!.y);
  const tip = page.locator('#tooltip');
  expect(await tip.isVisible()).toBe(true);
  return tip.innerText();
}

let browser: Browser;
let dir: string;
let chunks: string[];
let bad: string;
let run: ReturnType<typeof dax>;

beforeAll(async () => {
  browser = await startBrowser();
  dir = catalog();
  chunks = dax(dir, 'chunks', '--from-daxfile', 'chunk').stdout.trim().split('\n');
  bad = chunks[1]!;
  run = dax(dir, 'run', '-k', '-j', '4', '--set', `bad=${bad}`, '--report', 'report.html');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  removeProjects();
});

describe('dax run --report', () => {
  it('writes one page at the end of a failed run, saying where', () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/wrote the report of run \S+ to report\.html/);
    expect(statSync(join(dir, 'report.html')).size).toBeGreaterThan(10_000);
  });

  it('opens offline without errors or requests, with one bar per attempt and one shape per chunk', async () => {
    const rec = record(dir);
    const { page, errors, requests } = await openPage(browser, join(dir, 'report.html'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const tl = page.locator('#timeline');
    expect(await tl.getAttribute('data-bars')).toBe(String(rec.attempts.length));
    expect(await tl.getAttribute('data-failed')).toBe('1');
    const sky = page.locator('#skymap');
    expect(await sky.getAttribute('data-chunks')).toBe(String(chunks.length));
    expect(await sky.getAttribute('data-failed')).toBe('1');
    expect(await sky.getAttribute('data-finished')).toBe(String(chunks.length - 1));
    const summary = await page.locator('header').innerText();
    expect(summary).toContain(rec.run);
    expect(summary).toContain(`bad=${bad}`);
    expect(await page.locator("#rules").innerText()).toMatch(/a quality check of one ingested chunk\s+6\s+5\s+1/);
    const size = await screenshot(page, join(dir, 'report.png'));
    expect(size).toBeGreaterThan(20_000);
    await page.context().close();
  });

  it('names the job, its times, exit and log tail when the mouse is over a bar', async () => {
    const rec = record(dir);
    const failed = rec.attempts.findIndex((a) => a.status === 'failed');
    const ok = rec.attempts.findIndex((a) => a.rule === 'catalog_publish');
    const { page } = await openPage(browser, join(dir, 'report.html'));
    const tip = await hover(page, '#timeline', 'barPoint', failed);
    expect(tip).toMatch(new RegExp(`qa\\[(chunk=)?${bad}\\]`));
    expect(tip).toContain('started');
    expect(tip).toMatch(/failed, exit 4/);
    expect(tip).toContain(`qa: chunk ${bad} has no rows`);
    expect(await hover(page, '#timeline', 'barPoint', ok)).toMatch(/catalog_publish[\s\S]*ok, exit 0/);
    await page.context().close();
  });

  it('lists the failure with its command, exit and log tail', async () => {
    const { page } = await openPage(browser, join(dir, 'report.html'));
    const f = page.locator('#failures');
    expect(await f.getAttribute('data-failures')).toBe('1');
    const text = await f.innerText();
    expect(text).toContain('exit code 4');
    expect(text).toContain(`if [ ${bad} = ${bad} ]; then`);
    expect(text).toContain(`qa: chunk ${bad} has no rows`);
    // Log lines are text, never markup, even one that would close the page's script.
    expect(text).toContain('</script><b>not markup</b>');
    expect(await f.locator('b').count()).toBe(0);
    await page.context().close();
  });

  it('shows each chunk of the set on the sky with its state and jobs on hover', async () => {
    const { page } = await openPage(browser, join(dir, 'report.html'));
    const tipBad = await hover(page, '#skymap', 'chunkPoint', Number(bad));
    expect(tipBad).toContain(`chunk ${bad}: failed`);
    expect(tipBad).toMatch(new RegExp(`failed\\s+qa\\[(chunk=)?${bad}\\]`));
    expect(tipBad).toMatch(new RegExp(`finished\\s+catalog_ingest\\[[^\\]]*${bad}[^\\]]*\\]`));
    const good = chunks[0]!;
    const tipGood = await hover(page, '#skymap', 'chunkPoint', Number(good));
    expect(tipGood).toContain(`chunk ${good}: finished`);
    // The set wraps through RA 0: its chunks' boxes straddle it.
    expect(`${tipBad}\n${tipGood}`).toMatch(/RA 35\d\.\d+°|RA 0\.000°/);
    await page.context().close();
  });
});

describe('dax report', () => {
  it('writes the last run\'s page under .dax/ by default, and the named run\'s', () => {
    const rec = record(dir);
    const r = dax(dir, 'report');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`.dax/report-${rec.run}.html`);
    expect(exists(dir, `.dax/report-${rec.run}.html`)).toBe(true);
    const named = dax(dir, 'report', rec.run, '-o', 'named.html');
    expect(named.code).toBe(0);
    expect(readFileSync(join(dir, 'named.html'), 'utf8')).toContain(rec.run);
  });

  it('refuses a run it has no record of, and a project without runs, with exit 2', () => {
    const r = dax(dir, 'report', '20000101-000000-dead');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no record of run 20000101-000000-dead');
    expect(r.stderr).toContain('dax runs');
    const empty = project({ 'Daxfile.yaml': 'version: 1\nrules:\n  a: { output: a.txt, run: touch a.txt }\ntargets: [a.txt]\n' });
    const e = dax(empty, 'report');
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('no run record');
    expect(exists(empty, '.dax/runs')).toBe(false);
  });

  it('--live shows a running run\'s running jobs', async () => {
    const live = project({
      'Daxfile.yaml': `version: 1
rules:
  quick: { output: quick.txt, run: 'echo done > quick.txt' }
  slow:
    output: slow.txt
    run: 'touch started; while [ ! -f go ]; do sleep 0.05; done; echo done > slow.txt'
targets: [quick.txt, slow.txt]
`,
    });
    const child = start(live, 'run', '-j', '2');
    try {
      await waitFor(() => exists(live, 'started') && exists(live, 'quick.txt'), 'the slow job to start');
      const r = dax(live, 'report', '--live', '-o', 'live.html');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('the state now');
      const { page, errors } = await openPage(browser, join(live, 'live.html'));
      expect(errors).toEqual([]);
      const tl = page.locator('#timeline');
      expect(await tl.getAttribute('data-running')).toBe('1');
      expect(await page.locator('header').innerText()).toMatch(/running/);
      const bars = Number(await tl.getAttribute('data-bars'));
      const tips: string[] = [];
      for (let i = 0; i < bars; i++) tips.push(await hover(page, '#timeline', 'barPoint', i));
      expect(tips.join('\n')).toMatch(/slow[\s\S]*running/);
      await page.context().close();
    } finally {
      write(live, 'go', '');
      await child.done;
    }
  });
});
