/**
 * Opens a report page in headless Chromium (puppeteer-core; the browser is Debian's `chromium`, or the executable
 * CHROMIUM_PATH names) and tells what rendered: console errors, page errors, requests that left the file, and per
 * chart its number of drawn marks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH
    }
  }
  throw new Error('no Chromium for the browser test: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to its executable');
}

export interface PageRender {
  /** data-rendered on <body>: done, error, or missing when it timed out */
  rendered: string | null;
  consoleErrors: string[];
  pageErrors: string[];
  /** requests to anything but the file itself (data: and about: URLs aside) */
  outsideRequests: string[];
  /** per chart container id: marks drawn (elements inside its SVG's data marks) */
  marks: Record<string, number>;
}

export async function renderPage(file: string, timeoutMs = 45_000): Promise<PageRender> {
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--allow-file-access-from-files'],
  });
  try {
    const page = await browser.newPage();
    const url = pathToFileURL(file).href;
    const out: PageRender = { rendered: null, consoleErrors: [], pageErrors: [], outsideRequests: [], marks: {} };
    page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => out.pageErrors.push(String((e as Error).message ?? e)));
    page.on('request', (r) => { const u = r.url(); if (u !== url && !u.startsWith('data:') && !u.startsWith('about:')) out.outsideRequests.push(u); });
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    await page.waitForFunction(() => document.body.hasAttribute('data-rendered'), { timeout: timeoutMs }).catch(() => undefined);
    out.rendered = await page.evaluate(() => document.body.getAttribute('data-rendered'));
    out.marks = await page.evaluate(() => {
      const counts: Record<string, number> = {};
      for (const el of Array.from(document.querySelectorAll('div.chart'))) {
        // data marks: the items of every mark group that is not an axis, legend or title
        counts[el.id] = el.querySelectorAll('svg g.role-mark > *').length;
      }
      return counts;
    });
    return out;
  } finally {
    await browser.close();
  }
}
