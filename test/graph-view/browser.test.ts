// The SVG and HTML of dax graph in a real headless Chromium: nothing fetched, no console errors,
// the nodes, edges and legend in the DOM, colours by state after a failed run, zoom and pan,
// and screenshots that are not blank. DAX_WRITE_DOCS=1 also writes the demo's to docs/graph.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openPage, screenshot, startBrowser } from '../browser.js';
import { dax, exists, project, removeProjects, repo, start, waitFor, write } from '../engine/helpers.js';
import { SMALL, catalogCopy, graphviz, removeCopies, smallProject } from './helpers.js';

let browser: Browser;
const shots = mkdtempSync(join(tmpdir(), 'dax-graph-shots-'));

beforeAll(async () => {
  browser = await startBrowser();
});

afterAll(async () => {
  await browser.close();
  removeProjects();
  removeCopies();
  if (!process.env['DAX_TEST_KEEP']) rmSync(shots, { recursive: true, force: true });
});

/** What a state's colours are, as the page computes them. */
const FILL: Record<string, string> = {
  'up-to-date': 'rgb(200, 230, 201)',
  'to-run': 'rgb(255, 241, 193)',
  running: 'rgb(187, 222, 251)',
  failed: 'rgb(255, 205, 210)',
};

/** Each node's id, state, computed fill and hover text. */
async function nodes(page: Page): Promise<Array<{ id: string; state: string; fill: string; title: string }>> {
  return page.$$eval('svg .node', (gs) =>
    gs.map((g) => ({
      id: g.getAttribute('data-id') ?? '',
      state: g.getAttribute('data-state') ?? '',
      fill: getComputedStyle(g.querySelector('rect.box')!).fill,
      title: g.querySelector(':scope > title')?.textContent ?? '',
    })),
  );
}

/** Writes `dax graph ARGS -o FILE` in dir and returns the file's path. */
function graphFile(dir: string, file: string, ...args: string[]): string {
  const r = dax(dir, 'graph', ...args, '-o', file);
  expect(r.code, r.stderr).toBe(0);
  return join(dir, file);
}

describe('dax graph in a browser', () => {
  it('HTML after a failed run: nodes, edges, colours by state, hover text, legend, zoom and pan, nothing fetched', async () => {
    const dir = smallProject();
    expect(dax(dir, 'run', '-k').code).toBe(1);
    const { page, errors, requests } = await openPage(browser, graphFile(dir, 'graph.html'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const drawn = await nodes(page);
    expect(drawn.map((n) => n.id).sort()).toEqual(['gen', 'note', 'square', 'sum']);
    expect(await page.locator('svg .edge').count()).toBe(3);
    const by = new Map(drawn.map((n) => [n.id, n]));
    expect(by.get('square')).toMatchObject({ state: 'failed', fill: FILL['failed'] });
    expect(by.get('gen')).toMatchObject({ state: 'up-to-date', fill: FILL['up-to-date'] });
    expect(by.get('note')).toMatchObject({ state: 'up-to-date', fill: FILL['up-to-date'] });
    expect(by.get('sum')).toMatchObject({ state: 'to-run', fill: FILL['to-run'] });
    expect(by.get('square')!.title).toContain('3 jobs: 2 up to date, 1 failed');
    // The square node's bar: two thirds up to date, one third failed.
    const bar = await page.$$eval('svg .node[data-id="square"] rect.bar', (rs) => rs.map((r) => [r.getAttribute('class'), Number(r.getAttribute('width'))] as const));
    expect(bar.map(([c]) => c)).toEqual(['bar up-to-date', 'bar failed']);
    expect(bar[0]![1]).toBeCloseTo(2 * bar[1]![1], 0);
    // The legend names each state in its colour.
    const legend = await page.$$eval('#legend .item', (items) => items.map((i) => [i.textContent, getComputedStyle(i.querySelector('i')!).backgroundColor] as const));
    expect(legend).toEqual([['up to date', FILL['up-to-date']], ['to run', FILL['to-run']], ['running', FILL['running']], ['failed', FILL['failed']]]);
    expect(await page.locator('header').textContent()).toContain('4 rules, 8 jobs: 6 up to date, 1 to run, 1 failed');

    // Zoom in by the button and the wheel, pan by dragging, and fit again.
    const viewBox = (): Promise<number[]> => page.$eval('#view svg', (s) => (s.getAttribute('viewBox') ?? '').split(' ').map(Number));
    const fitted = await viewBox();
    await page.click('#zoom-in');
    const zoomed = await viewBox();
    expect(zoomed[2]!).toBeLessThan(fitted[2]!);
    await page.mouse.move(640, 450);
    await page.mouse.wheel(0, -400);
    await waitForChange(page, zoomed);
    const wheeled = await viewBox();
    expect(wheeled[2]!).toBeLessThan(zoomed[2]!);
    await page.mouse.down();
    await page.mouse.move(540, 400, { steps: 4 });
    await page.mouse.up();
    const panned = await viewBox();
    expect(panned[0]!).toBeGreaterThan(wheeled[0]!);
    expect(panned[2]).toBe(wheeled[2]);
    await page.click('#fit');
    expect(await viewBox()).toEqual(fitted);
    expect(errors).toEqual([]);
    expect(await screenshot(page, join(shots, 'small.png'))).toBeGreaterThan(15_000);
    await page.context().close();
  });

  it('the standalone SVG of the demo catalog: five rules, four edges, the legend; the job graph has every job and dependency', async () => {
    const dir = catalogCopy();
    const svg = await openPage(browser, graphFile(dir, 'graph.svg'));
    expect(svg.errors).toEqual([]);
    expect(svg.requests).toEqual([]);
    expect(await svg.page.locator('.node').count()).toBe(5);
    expect(await svg.page.locator('.edge').count()).toBe(4);
    expect(await svg.page.$$eval('.legend-item text', (ts) => ts.map((t) => t.textContent))).toEqual(['up to date', 'to run', 'running', 'failed']);
    expect(await screenshot(svg.page, join(shots, 'catalog-svg.png'))).toBeGreaterThan(15_000);
    await svg.page.context().close();

    // The job graph: the same jobs and edges Graphviz reads from the DOT.
    const dotDrawn = graphviz(dax(dir, 'graph', '--jobs').stdout);
    const jobs = await openPage(browser, graphFile(dir, 'jobs.html', '--jobs'));
    expect(jobs.errors).toEqual([]);
    expect(jobs.requests).toEqual([]);
    expect(await jobs.page.locator('svg .node').count()).toBe(dotDrawn.nodes.length);
    expect(dotDrawn.nodes.length).toBe(163);
    expect(await jobs.page.locator('svg .edge').count()).toBe(dotDrawn.edges.length);
    expect(await jobs.page.$$eval('svg .edge', (es) => es.every((e) => /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/.test(e.getAttribute('d') ?? '')))).toBe(true);
    await jobs.page.context().close();
  });

  it('a running job is drawn running while its run is live', async () => {
    const dir = project({
      'Daxfile.yaml': SMALL.replace(
        'targets: [sum.txt]',
        `  block:
    output: blocked.txt
    run: 'touch started; while [ ! -e go ]; do sleep 0.05; done; touch {output}'
targets: [sum.txt, blocked.txt]`,
      ),
    });
    const run = start(dir, 'run', '-k', 'blocked.txt');
    await waitFor(() => exists(dir, 'started'), 'the blocking job to start');
    const file = graphFile(dir, 'live.svg');
    write(dir, 'go', '');
    expect((await run.done).code).toBe(0);
    const { page, errors } = await openPage(browser, file);
    expect(errors).toEqual([]);
    const by = new Map((await nodes(page)).map((n) => [n.id, n]));
    expect(by.get('block')).toMatchObject({ state: 'running', fill: FILL['running'] });
    expect(by.get('block')!.title).toContain('1 job: 1 running');
    expect(by.get('sum')).toMatchObject({ state: 'to-run' });
    await page.context().close();
    expect(readFileSync(join(dir, 'live.svg'), 'utf8')).toContain('class="node running"');
  });

  it('the demo catalog after a partly failed run, as docs/graph.png shows it', async () => {
    const dir = catalogCopy();
    // The Object table's chunks made and ingested with a failing ingest command.
    // start(), not dax(): a busy machine can take longer than dax()'s 60 s limit.
    const r = await start(dir, 'run', '-k', '--set', 'ingest=false', 'out/ingested/Object/{chunk}.done').done;
    expect(r.code, r.stderr).toBe(1);
    const { page, errors, requests } = await openPage(browser, graphFile(dir, 'graph.html'), { width: 1200, height: 420 });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const by = new Map((await nodes(page)).map((n) => [n.id, n]));
    expect(by.get('catalog_ingest')).toMatchObject({ state: 'failed', fill: FILL['failed'] });
    expect(by.get('catalog_ingest')!.title).toContain('36 jobs: 24 to run, 12 failed');
    expect(by.get('catalog_generate_ct')!.title).toContain('36 jobs: 12 up to date, 24 to run');
    expect(by.get('catalog_publish')).toMatchObject({ state: 'to-run' });
    const png = join(shots, 'catalog.png');
    expect(await screenshot(page, png)).toBeGreaterThan(15_000);
    await page.context().close();
    if (process.env['DAX_WRITE_DOCS']) copyFileSync(png, join(repo, 'docs/graph.png'));
  }, 180_000); // 54 real jobs of the demo: ~10 s alone, several times that beside other tests
});

/** Waits for the wheel's zoom to reach the viewBox (wheel events are delivered asynchronously). */
async function waitForChange(page: Page, before: number[]): Promise<void> {
  await page.waitForFunction((b) => document.querySelector('#view svg')!.getAttribute('viewBox') !== b.join(' '), before);
}
