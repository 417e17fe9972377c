// A real headless Chromium (Debian's `chromium`, driven by playwright-core) for the tests of the
// HTML pages dax writes. One browser per test file: start it in beforeAll, close it in afterAll.
// Every page is opened from a file:// URL with the network cut off, so a page that reaches for
// anything outside its own file shows up in `requests` and fails its test.
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireTool } from './tools.js';

export interface OpenedPage {
  page: Page;
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Every request the page made other than for its own file. */
  requests: string[];
  /** Milliseconds from navigation to the load event. */
  loadMs: number;
}

// The flags the machine's probe found necessary: without the background-networking ones Chromium
// keeps trying hosts this closed network refuses.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function startBrowser(): Promise<Browser> {
  const executablePath = requireTool('chromium', 'chromium');
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}

/** Opens an HTML file in a fresh context at the given viewport, recording errors and requests. */
export async function openPage(browser: Browser, file: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, offline: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const own = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (r.url() !== own && !r.url().startsWith('data:')) requests.push(r.url());
  });
  const t0 = Date.now();
  await page.goto(own, { waitUntil: 'load' });
  return { page, errors, requests, loadMs: Date.now() - t0 };
}

/** Writes a PNG screenshot and returns its size in bytes (a blank page compresses to very little). */
export async function screenshot(page: Page, file: string): Promise<number> {
  await page.screenshot({ path: file, fullPage: false });
  return statSync(file).size;
}
