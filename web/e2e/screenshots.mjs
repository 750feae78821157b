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

  // Opportunities as a rep: the kanban, then one deal with its stage path, playbook and gates.
  const rep = await newPage(browser, { width: 1440, height: 900 });
  const repMe = (await login(rep.page, 'bj.rep1')).user;
  await rep.page.goto(`${BASE}/opportunities?owner_id=${repMe.user.id}`);
  await rep.page.locator('[data-testid="kanban-column"] [data-testid="deal-card"]').first().waitFor();
  await shot(rep.page, 'opportunity-kanban');
  const open = await apiFetch(rep.page, `/api/v1/opportunities?owner_id=${repMe.user.id}&status=open&sort=-amount&limit=20`);
  // A deal with a next stage that has a checklist makes the richest detail page.
  let featured = open.body?.items?.[0];
  for (const d of open.body?.items ?? []) {
    const detail = (await apiFetch(rep.page, `/api/v1/opportunities/${d.id}`)).body;
    const path = [...detail.path].sort((a, b) => a.position - b.position);
    const next = path.filter((x) => x.kind === 'open')[path.filter((x) => x.kind === 'open').findIndex((x) => x.is_current) + 1];
    if (next?.checklist?.length && detail.members.length) {
      featured = d;
      break;
    }
  }
  if (featured) {
    await rep.page.goto(`${BASE}/opportunities/${featured.id}`);
    await rep.page.locator('[data-testid="opp-gates"]').waitFor();
    await rep.page.locator('[data-testid="history-entry"]').first().waitFor();
    await shot(rep.page, 'opportunity-detail');
    const repPhone = await newPage(browser, { width: 390, height: 844 });
    await login(repPhone.page, 'bj.rep1');
    await repPhone.page.goto(`${BASE}/opportunities/${featured.id}`);
    await repPhone.page.locator('[data-testid="opp-gates"]').waitFor();
    await shot(repPhone.page, 'opportunity-detail-phone');
    await repPhone.context.close();
  }
  await rep.context.close();

  // The process designer on the subsidiary variant (draft opened from its published version).
  const designer = await newPage(browser, { width: 1440, height: 900 });
  await login(designer.page, 'admin');
  const variants = await apiFetch(designer.page, '/api/v1/process-templates?kind=variant&limit=1');
  const variant = variants.body?.items?.[0];
  if (variant) {
    await designer.page.goto(`${BASE}/admin/process/${variant.id}`);
    await designer.page.locator('[data-testid="process-template-title"]').waitFor();
    // A fresh demo has no draft yet: start one from the published version.
    await designer.page.locator('[data-testid="process-designer"], [data-testid="process-start-draft"]').first().waitFor();
    if (await designer.page.locator('[data-testid="process-start-draft"]').count()) {
      await designer.page.locator('[data-testid="process-start-draft"]').click();
    }
    await designer.page.locator('[data-testid="process-designer"]').waitFor();
    const poc = designer.page.locator('[data-testid="designer-stage"][data-stage-code="poc"]');
    await ((await poc.count()) ? poc : designer.page.locator('[data-testid="designer-stage"]').nth(2)).click();
    await designer.page.waitForTimeout(300);
    await shot(designer.page, 'process-designer');
  }
  await designer.context.close();

  // Customers, the customer 360° view, the public pool and leads, as a Beijing rep.
  const sales = await newPage(browser);
  const salesMe = (await login(sales.page, 'bj.rep1')).user;
  await sales.page.goto(`${BASE}/accounts`);
  await sales.page.locator('[data-testid="accounts-table"] tbody tr.ant-table-row').first().waitFor();
  await shot(sales.page, 'customers');
  // The customer with the most activity makes the richest 360° view.
  const acts = await apiFetch(sales.page, `/api/v1/activities?owner_id=${salesMe.user.id}&limit=100`);
  const counts = new Map();
  for (const a of acts.body?.items ?? []) if (a.account_id) counts.set(a.account_id, (counts.get(a.account_id) ?? 0) + 1);
  const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const customerId = busiest ?? (await apiFetch(sales.page, '/api/v1/accounts?limit=1')).body?.items?.[0]?.id;
  if (customerId) {
    await sales.page.goto(`${BASE}/accounts/${customerId}`);
    await sales.page.locator('[data-testid="account-header"]').waitFor();
    await sales.page.locator('[data-testid="activity-item"]').first().waitFor().catch(() => {});
    await shot(sales.page, 'customer-360');
    const salesPhone = await newPage(browser, { width: 390, height: 844 });
    await login(salesPhone.page, 'bj.rep1');
    await salesPhone.page.goto(`${BASE}/accounts/${customerId}`);
    await salesPhone.page.locator('[data-testid="account-header"]').waitFor();
    await shot(salesPhone.page, 'customer-360-phone');
    await salesPhone.context.close();
  }
  await sales.page.goto(`${BASE}/pool`);
  await sales.page.locator('[data-testid="pool-table"] tbody tr.ant-table-row').first().waitFor();
  await shot(sales.page, 'pool');
  await sales.page.goto(`${BASE}/leads`);
  await sales.page.locator('[data-testid="leads-table"] tbody tr.ant-table-row').first().waitFor();
  await shot(sales.page, 'leads');
  await sales.context.close();

  // Lead to cash as a Beijing rep: a quote with its lines and totals, a contract with payments
  // against its plan; then the receivables aging across the group as the administrator.
  const ltc = await newPage(browser, { width: 1440, height: 900 });
  const ltcMe = (await login(ltc.page, 'bj.rep1')).user;
  const quotes = await apiFetch(ltc.page, `/api/v1/quotes?owner_id=${ltcMe.user.id}&sort=-total&limit=20`);
  const quote = (quotes.body?.items ?? []).find((q) => q.status === 'accepted') ?? quotes.body?.items?.[0];
  if (quote) {
    await ltc.page.goto(`${BASE}/quotes/${quote.id}`);
    await ltc.page.locator('[data-testid="quote-lines"] tbody tr.ant-table-row').first().waitFor();
    await shot(ltc.page, 'quote');
  }
  const contracts = await apiFetch(ltc.page, `/api/v1/contracts?owner_id=${ltcMe.user.id}&status=active&limit=50`);
  let featuredContract = contracts.body?.items?.[0];
  for (const c of contracts.body?.items ?? []) {
    const plan = (await apiFetch(ltc.page, `/api/v1/contracts/${c.id}/payment-plan`)).body;
    if (plan && Number(plan.paid) > 0 && Number(plan.outstanding) > 0) {
      featuredContract = c;
      break;
    }
  }
  if (featuredContract) {
    await ltc.page.goto(`${BASE}/contracts/${featuredContract.id}`);
    await ltc.page.locator('[data-testid="payment-plan"] tbody tr.ant-table-row').first().waitFor();
    await shot(ltc.page, 'contract');
  }
  await ltc.context.close();
  const finance = await newPage(browser, { width: 1440, height: 1000 });
  await login(finance.page, 'admin');
  await finance.page.goto(`${BASE}/receivables`);
  await finance.page.locator('[data-testid="aging-chart"] canvas').waitFor();
  await shot(finance.page, 'receivables-aging');
  await finance.context.close();

  // The Beijing director's approvals: the inbox, then a quote request with its snapshot, the
  // policy as a sentence and the steps; and the authority matrix as the administrator.
  const approver = await newPage(browser, { width: 1440, height: 900 });
  await login(approver.page, 'bj.director');
  await approver.page.goto(`${BASE}/approvals`);
  await approver.page.locator('[data-testid="approvals-table"] tbody tr.ant-table-row').first().waitFor();
  await shot(approver.page, 'approvals-inbox');
  const inbox = await apiFetch(approver.page, '/api/v1/approvals?assigned_to=me&status=pending&limit=5');
  const waiting = inbox.body?.items?.[0];
  if (waiting) {
    await approver.page.goto(`${BASE}/approvals/${waiting.id}`);
    await approver.page.locator('[data-testid="approval-steps"]').waitFor();
    await shot(approver.page, 'approval-request');
  }
  await approver.context.close();
  const matrix = await newPage(browser, { width: 1440, height: 900 });
  await login(matrix.page, 'admin');
  await matrix.page.goto(`${BASE}/admin/authority-matrix`);
  await matrix.page.locator('table tbody tr.ant-table-row').first().waitFor();
  await shot(matrix.page, 'authority-matrix');
  await matrix.context.close();

  // Analytics as the group VP: the group dashboard (KPI cards, coverage, forecast, league
  // table), a subsidiary's, the same on a phone, and the targets with the consistency warning.
  const analytics = await newPage(browser, { width: 1440, height: 1700 });
  await login(analytics.page, 'vp');
  await analytics.page.goto(`${BASE}/analytics`);
  await analytics.page.locator('[data-testid="league-table"]').waitFor();
  await analytics.page.locator('[data-testid="coverage-gauge"] canvas').waitFor();
  await shot(analytics.page, 'analytics-group');
  const sh = (await apiFetch(analytics.page, '/api/v1/org-units?kind=subsidiary&limit=50')).body?.items?.find((u) => u.code === 'SH');
  if (sh) {
    await analytics.page.goto(`${BASE}/analytics?unit_id=${sh.id}`);
    await analytics.page.locator(`[data-testid="breadcrumb-current"][data-unit-id="${sh.id}"]`).waitFor();
    await analytics.page.locator('[data-testid="league-table"]').waitFor();
    await shot(analytics.page, 'analytics-subsidiary');
  }
  await analytics.page.setViewportSize({ width: 1440, height: 900 });
  await analytics.page.goto(`${BASE}/targets`);
  await analytics.page.locator('[data-testid="consistency-warning"]').waitFor();
  await analytics.page.locator('[data-testid="cascade-parent-row"]').waitFor();
  await shot(analytics.page, 'targets');
  await analytics.context.close();
  const analyticsPhone = await newPage(browser, { width: 390, height: 844 });
  await login(analyticsPhone.page, 'vp');
  await analyticsPhone.page.goto(`${BASE}/analytics`);
  await analyticsPhone.page.locator('[data-testid="kpi-card"]').first().waitFor();
  await shot(analyticsPhone.page, 'analytics-phone');
  await analyticsPhone.context.close();
} finally {
  await browser.close();
}
