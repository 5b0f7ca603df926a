// Opens reports in headless Chromium. Optional: skipped where /usr/bin/chromium is not installed.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { writeReport } from '../../viz/report.ts';
import { failedRecord, FAILED_STATE } from '../fixtures/records/failed.ts';
import { succeededRecord } from '../fixtures/records/succeeded.ts';
import { TRANSFER_RECORDS_AT_SCALE } from '../../workflow/transfer-records-at-scale.ts';

// The compiler's lib has no DOM; this is the one browser call the test makes.
interface Window {
  getComputedStyle(element: unknown): { stroke: string };
}

/** What the page measures in the browser: the compiler's lib has no DOM. */
interface Measured {
  getBoundingClientRect(): { height: number };
}
interface PageDocument {
  documentElement: { scrollWidth: number };
}

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

describe('viz/report in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let dir: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    // Loaded here, not with the file: only a machine with Chromium needs it (a quarter second).
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [label, record] of [['failed', failedRecord], ['succeeded', succeededRecord]] as const) {
    it(`opens the ${label} run's report with no console error and no request beyond the file`, async () => {
      const url = pathToFileURL(resolve(await writeReport(record, dir))).href;
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        if (request.url() !== url) problems.push(`request: ${request.url()}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      expect(await page.locator('#diagram svg g.node.entered').count()).to.equal(Object.values(record.states).filter((state) => state.entered > 0).length);
      expect(await page.locator('#diagram svg').boundingBox()).to.have.property('width').above(300);
      await page.close();
      expect(problems).to.deep.equal([]);
    });
  }

  // The at-scale diagram is the widest: fitted to a 1,400 px page it drew state names 6 px high.
  for (const width of [1400, 390]) {
    it(`keeps the at-scale diagram's state names legible at ${width} px, and the page no wider than the screen`, async () => {
      const definition = JSON.parse(await readFile(TRANSFER_RECORDS_AT_SCALE.definition, 'utf8'));
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(pathToFileURL(resolve(await writeReport({ ...succeededRecord, definition }, dir))).href);
      const heights = await page.locator('#diagram svg g.node.state text[font-weight="bold"]').evaluateAll((texts) => texts.map((text) => (text as unknown as Measured).getBoundingClientRect().height));
      expect(heights.length).to.be.above(10);
      expect(Math.min(...heights)).to.be.at.least(11);
      expect(await page.evaluate(() => (globalThis as unknown as { document: PageDocument }).document.documentElement.scrollWidth)).to.be.at.most(width);
      await page.close();
    });
  }

  it('draws the failed state red on screen', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(resolve(await writeReport(failedRecord, dir))).href);
    const failed = page.locator('#diagram svg g.node.failed');
    expect(await failed.locator('title').textContent()).to.equal(FAILED_STATE);
    expect(await failed.locator('path, polygon').first().evaluate((shape) => (globalThis as unknown as Window).getComputedStyle(shape).stroke)).to.equal('rgb(185, 28, 28)');
    await page.close();
  });
});
