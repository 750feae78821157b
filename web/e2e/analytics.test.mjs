// Browser tests of the dashboards and targets against a running backend with the demo data:
// `E2E_ONLY=e2e/analytics.test.mjs bash scripts/e2e.sh` from the repo root.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { apiFetch, artifactPath, baseUrl, launchBrowser, login, newPage, settle } from './lib.mjs';

const BASE = baseUrl();
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Runs a test body with fresh pages (one per browser context asked for); screenshots on failure. */
async function withPages(name, count, fn, options) {
  const opened = [];
  for (let i = 0; i < count; i += 1) opened.push(await newPage(browser, options));
  try {
    await fn(...opened.map((o) => o.page));
  } catch (error) {
    for (const [i, o] of opened.entries()) await o.page.screenshot({ path: artifactPath(`${name}-${i}`), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    for (const o of opened) await o.context.close();
  }
}

/** One member of a zip file (an .xlsx is one), read through the central directory. */
function unzipEntry(buffer, name) {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'the file has a zip end-of-central-directory record');
  const entries = buffer.readUInt16LE(eocd + 10);
  let at = buffer.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i += 1) {
    const method = buffer.readUInt16LE(at + 10);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const entryName = buffer.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (entryName === name) {
      const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
      const data = buffer.subarray(start, start + compressed);
      return (method === 0 ? data : inflateRawSync(data)).toString('utf8');
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the workbook`);
}

/** Data rows of the workbook's first sheet (the header row is not counted). */
function xlsxDataRows(path) {
  const buffer = readFileSync(path);
  assert.equal(buffer.subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx is a zip file');
  const sheet = unzipEntry(buffer, 'xl/worksheets/sheet1.xml');
  return (sheet.match(/<row[\s>]/g) ?? []).length - 1;
}

const lastDayOf = (endExclusive) => {
  const d = new Date(`${endExclusive}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

async function subsidiaries(page) {
  const subs = await apiFetch(page, '/api/v1/org-units?kind=subsidiary&limit=50');
  assert.equal(subs.status, 200);
  return subs.body.items;
}

describe('analytics', () => {
  test('the VP drills from the group into a subsidiary, down to its won deals, and exports them', () =>
    withPages(
      'analytics-drill',
      1,
      async (page) => {
        await login(page, 'vp');
        const subs = await subsidiaries(page);
        assert.equal(subs.length, 5, 'the demo group has five subsidiaries');

        // The group dashboard: the league table lists the five subsidiaries.
        await page.locator('[data-testid="side-menu"]').getByText('数据分析').click();
        await page.waitForURL('**/analytics');
        const links = page.locator('[data-testid="league-table"] [data-testid="league-unit-link"]');
        await links.first().waitFor();
        const listed = await links.evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id')));
        for (const s of subs) assert.ok(listed.includes(s.id), `${s.name} is in the league table`);

        // Into Beijing: the URL names it and the breadcrumb shows the path group › Beijing.
        const bj = subs.find((s) => s.code === 'BJ');
        assert.ok(bj, 'the demo has the Beijing subsidiary');
        await page.locator(`[data-testid="league-unit-link"][data-unit-id="${bj.id}"]`).click();
        await page.waitForURL((url) => new URL(url).searchParams.get('unit_id') === bj.id);
        const current = page.locator(`[data-testid="breadcrumb-current"][data-unit-id="${bj.id}"]`);
        await current.waitFor();
        assert.ok((await current.innerText()).includes(bj.name), 'the breadcrumb names Beijing');
        await page.locator('[data-testid="breadcrumb-link"]').first().waitFor();

        // The figure on screen is the API's figure for Beijing this quarter.
        const kpis = await apiFetch(page, `/api/v1/analytics/kpis?unit_id=${bj.id}`);
        assert.equal(kpis.status, 200);
        const total = kpis.body.rows.find((r) => r.is_total);
        const won = Number(total.metrics.won_deals.actual);
        assert.ok(won > 0, 'Beijing won deals this quarter');
        const card = page.locator('[data-testid="kpi-card"][data-metric="won_deals"]');
        await card.locator(`[data-testid="kpi-actual"][data-value="${won}"]`).waitFor();

        // Click it: the opportunity list behind it, filtered to Beijing and the quarter.
        await card.locator('[data-testid="kpi-figure"]').click();
        await page.waitForURL('**/opportunities/list?**');
        const params = new URL(page.url()).searchParams;
        assert.equal(params.get('unit_id'), bj.id);
        assert.equal(params.get('status'), 'won');
        assert.equal(params.get('closed_from'), kpis.body.period.start);
        assert.equal(params.get('closed_to'), lastDayOf(kpis.body.period.end));
        const chips = page.locator('[data-testid="drill-filters"] [data-testid="drill-chip"]');
        await chips.first().waitFor();
        assert.ok((await chips.filter({ hasText: bj.name }).count()) === 1, 'a chip names the subsidiary');
        await page.locator('[data-testid="drill-chip"][data-key="closed_from,closed_to"]', { hasText: kpis.body.period.start }).waitFor();
        // As many rows as the figure said.
        await page.locator('[data-testid="opp-table"] .cursor-pager', { hasText: `共 ${won} 条` }).waitFor();

        // Export: a real workbook with the same rows.
        await settle(page);
        const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="opp-export"]').click()]);
        assert.match(download.suggestedFilename(), /\.xlsx$/);
        const path = await download.path();
        assert.equal(xlsxDataRows(path), won, 'the workbook has one row per won deal');
      },
      { width: 1440, height: 900 },
    ));

  test('a subsidiary director asking for another subsidiary finds nothing', () =>
    withPages('analytics-director-scope', 2, async (vp, director) => {
      await login(vp, 'vp');
      const subs = await subsidiaries(vp);
      const bj = subs.find((s) => s.code === 'BJ');
      const sh = subs.find((s) => s.code === 'SH');
      await login(director, 'sh.director');
      // Their own dashboard is their subsidiary.
      await director.goto(`${BASE}/analytics`);
      await director.locator(`[data-testid="breadcrumb-current"][data-unit-id="${sh.id}"]`).waitFor();
      // Beijing's is not theirs to see: not found, and none of Beijing's figures.
      await director.goto(`${BASE}/analytics?unit_id=${bj.id}`);
      await director.locator('[data-testid="analytics-not-found"]').waitFor();
      assert.equal(await director.locator('[data-testid="kpi-card"]').count(), 0);
    }));

  test('on a phone the dashboard stacks its cards without widening the page', () =>
    withPages(
      'analytics-phone',
      1,
      async (page) => {
        await login(page, 'vp');
        await page.goto(`${BASE}/analytics`);
        await page.locator('[data-testid="kpi-card"]').first().waitFor();
        await page.locator('[data-testid="league-table"]').waitFor();
        await settle(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page does not scroll sideways (${overflow}px)`);
        const boxes = await page.locator('[data-testid="kpi-card"]').evaluateAll((els) => els.slice(0, 2).map((e) => e.getBoundingClientRect().top));
        assert.ok(boxes[1] > boxes[0], 'the KPI cards stack');
      },
      { width: 390, height: 844 },
    ));

  test('the targets page warns about the cascade that does not add up', () =>
    withPages('targets-consistency', 1, async (page) => {
      await login(page, 'vp');
      await page.locator('[data-testid="side-menu"]').getByText('目标管理').click();
      await page.waitForURL('**/targets');
      const panel = page.locator('[data-testid="target-consistency"]');
      await panel.locator('[data-testid="consistency-warning"]').waitFor();
      const issues = panel.locator('[data-testid="consistency-issue"]');
      assert.ok((await issues.count()) >= 1, 'the demo’s deliberate mismatch is listed');
      // “Fix” opens the cascade of the unit in question.
      await issues.first().locator('[data-testid="consistency-fix"]').click();
      await page.waitForURL((url) => Boolean(new URL(url).searchParams.get('unit_id')));
      await page.locator('[data-testid="cascade-parent-row"]').waitFor();
      await page.locator('[data-testid="cascade-sum"]').waitFor();
    }));
});
