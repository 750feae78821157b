// Saves PNGs of the main screens into docs/screenshots/ (1280x800, plus a 390x844 phone shot).
// Usage: FLOTILLA_BASE_URL=http://127.0.0.1:8000 npm run screenshots
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiFetch, baseUrl, HERE, launchBrowser, login, newPage, settle } from './lib.mjs';

const BASE = baseUrl();
const OUT = resolve(process.env.SCREENSHOT_DIR || join(HERE, '..', '..', 'docs', 'screenshots'));
mkdirSync(OUT, { recursive: true });

async function shot(page, name) {
  await settle(page);
  await page.waitForTimeout(300); // let Ant Design's transitions finish
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  console.log(`saved ${path}`);
}

const browser = await launchBrowser();
try {
  const { context, page } = await newPage(browser);
  await page.goto(`${BASE}/login`);
  await page.locator('#login_username').waitFor();
  await shot(page, 'login');

  await login(page, 'admin');
  // Screenshots show the Chinese UI whatever language the demo admin last chose.
  const me = await apiFetch(page, '/api/v1/me');
  if (me.body?.user?.locale !== 'zh-CN') {
    await apiFetch(page, '/api/v1/me/preferences', { method: 'PATCH', body: { locale: 'zh-CN' } });
    await page.reload();
  }
  await page.locator('[data-testid="welcome-title"]').waitFor();
  await shot(page, 'workbench');

  const subs = await apiFetch(page, '/api/v1/org-units?kind=subsidiary&limit=1');
  const sub = subs.body?.items?.[0];
  await page.goto(`${BASE}/admin/org${sub ? `?unit=${sub.id}` : ''}`);
  await page.locator('[data-testid="org-detail"]').waitFor();
  await shot(page, 'org-tree');

  await page.goto(`${BASE}/admin/users`);
  await page.locator('[data-testid="users-table"] tbody tr.ant-table-row').first().waitFor();
  await shot(page, 'users');

  // Org-unit events carry the richest before/after; the filter bar shows the filter in use.
  await page.goto(`${BASE}/admin/audit?entity_type=org_unit`);
  const rows = page.locator('[data-testid="audit-table"] tbody tr.ant-table-row');
  await rows.first().waitFor();
  await settle(page);
  const withChanges = rows.filter({ hasText: /个字段/ }).first();
  if (await withChanges.count()) {
    await withChanges.locator('.ant-table-row-expand-icon').click();
    await page.locator('[data-testid="audit-diff"]').first().waitFor();
  }
  await shot(page, 'audit-log');
  await context.close();

  const phone = await newPage(browser, { width: 390, height: 844 });
  await login(phone.page, 'admin');
  await shot(phone.page, 'workbench-phone');
  await phone.context.close();
} finally {
  await browser.close();
}
