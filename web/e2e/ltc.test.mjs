// Browser tests of lead to cash (报价 / 合同 / 应收) against a running backend with the demo data:
// `E2E_ONLY=e2e/ltc.test.mjs bash scripts/e2e.sh` from the repo root.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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

/** Opens an Ant Design select and picks the option whose text matches (the first one without `text`). */
async function pickOption(page, select, text) {
  await select.click();
  const dropdown = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last();
  await dropdown.waitFor();
  const option = text ? dropdown.locator('.ant-select-item-option', { hasText: text }).first() : dropdown.locator('.ant-select-item-option:not(.ant-select-item-option-disabled)').first();
  await option.waitFor();
  await option.click();
  await dropdown.waitFor({ state: 'hidden' });
}

const waitForApi = (page, method, pattern) =>
  page.waitForResponse((r) => r.request().method() === method && pattern.test(new URL(r.url()).pathname));

describe('lead to cash', () => {
  test('a 15% quote goes to the BJ director (beyond the manager’s 10%), who approves it in the approval center', () =>
    withPages('ltc-quote-approval', 2, async (rep, director) => {
      const me = (await login(rep, 'bj.rep1')).user;
      const deals = await apiFetch(rep, `/api/v1/opportunities?owner_id=${me.user.id}&status=open&sort=-updated_at&limit=20`);
      assert.equal(deals.status, 200);
      const deal = deals.body.items[0];
      assert.ok(deal, 'the BJ rep has an open opportunity');

      // New quote from the opportunity page: the price book offered is the deal's subsidiary's.
      await rep.goto(`${BASE}/opportunities/${deal.id}`);
      await rep.locator('[data-testid="opp-quotes"]').waitFor();
      await rep.locator('[data-testid="opp-quote-create"]').click();
      const modal = rep.locator('.ant-modal', { has: rep.locator('[data-testid="quote-create-book"]') });
      await modal.waitFor();
      await modal.locator('[data-testid="quote-create-book"] .ant-select-selection-item').waitFor();
      const [created] = await Promise.all([waitForApi(rep, 'POST', /^\/api\/v1\/quotes$/), rep.locator('[data-testid="quote-create-submit"]').click()]);
      assert.equal(created.status(), 201, `quote created: ${await created.text()}`);
      const quote = await created.json();
      await rep.waitForURL(`**/quotes/${quote.id}`);
      await rep.locator('[data-testid="quote-status"][data-status="draft"]').waitFor();

      // One product line, quantity 1 at 15% off; the editor shows an estimate until saved.
      await rep.locator('[data-testid="quote-add-line"]').click();
      await pickOption(rep, rep.locator('[data-testid="quote-line-product"]').first());
      await rep.locator('[data-testid="quote-line-quantity"]').first().fill('1');
      await rep.locator('[data-testid="quote-line-discount"]').first().fill('15');
      await rep.locator('[data-testid="quote-estimate"]').waitFor();
      const [saved] = await Promise.all([waitForApi(rep, 'PUT', /\/api\/v1\/quotes\/[^/]+\/lines$/), rep.locator('[data-testid="quote-save-lines"]').click()]);
      assert.equal(saved.status(), 200, `lines saved: ${await saved.text()}`);
      const priced = await saved.json();
      assert.equal(priced.discount_pct, '15.00');
      await rep.locator('[data-testid="quote-lines-dirty"]').waitFor({ state: 'detached' });
      // The totals box shows the server's total, formatted with the currency.
      const total = await rep.locator('[data-testid="quote-total"]').innerText();
      assert.equal(total.replace(/[^\d.]/g, ''), priced.total, `the totals box shows ${priced.total}`);

      // Submit: beyond the rep's 5% → pending approval, with a link to the request.
      const [submitted] = await Promise.all([waitForApi(rep, 'POST', /\/submit$/), rep.locator('[data-testid="quote-submit"]').click()]);
      assert.equal(submitted.status(), 200, `submitted: ${await submitted.text()}`);
      const pending = await submitted.json();
      assert.equal(pending.status, 'pending_approval');
      assert.ok(pending.approval?.id, 'the quote names its approval request');
      const status = rep.locator('[data-testid="quote-status"]');
      await rep.locator('[data-testid="quote-status"][data-status="pending_approval"]').waitFor();
      assert.equal((await status.innerText()).trim(), '待审批');
      const link = rep.locator('[data-testid="quote-approval"] [data-testid="approval-link"]');
      assert.equal(await link.getAttribute('href'), `/approvals/${pending.approval.id}`);

      // 15% is beyond the manager's 10%: the pending task is the director's. In a second
      // browser context the director opens the approval center, the request, and approves.
      await login(director, 'bj.director');
      await director.goto(`${BASE}/approvals`);
      const row = director.locator('[data-testid="approvals-table"] tbody tr.ant-table-row', { hasText: quote.number });
      await row.first().waitFor();
      await row.first().locator('[data-testid="approval-row-action"]').click();
      await director.waitForURL(`**/approvals/${pending.approval.id}`);
      const [approved] = await Promise.all([waitForApi(director, 'POST', /\/approve$/), director.locator('[data-testid="approval-approve"]').click()]);
      assert.equal(approved.status(), 200, `approved: ${await approved.text()}`);
      await director.locator('[data-testid="approval-status"][data-status="approved"]').waitFor();

      // Back in the rep's context: after a reload the quote is approved (and can be sent).
      await rep.reload();
      await rep.locator('[data-testid="quote-status"][data-status="approved"]').waitFor();
      assert.equal((await rep.locator('[data-testid="quote-status"]').innerText()).trim(), '已批准');
      await rep.locator('[data-testid="quote-send"]').waitFor();
      await rep.locator('[data-testid="quote-approval"][data-status="approved"]').waitFor();
    }));

  test('a contract shows its payment plan, and the server’s 422 and 409 where they belong', () =>
    withPages('ltc-contract', 1, async (page) => {
      const me = (await login(page, 'bj.rep1')).user;
      const list = await apiFetch(page, `/api/v1/contracts?owner_id=${me.user.id}&status=active&limit=20`);
      assert.equal(list.status, 200);
      // A contract not yet fully paid: completing it is refused with a 409.
      let contract = null;
      for (const c of list.body.items) {
        const detail = (await apiFetch(page, `/api/v1/contracts/${c.id}`)).body;
        if (detail.payment_plan.installments.length >= 2 && Number(detail.payment_plan.outstanding) > 0) {
          contract = detail;
          break;
        }
      }
      assert.ok(contract, 'the rep has an active contract with an open payment plan');

      await page.goto(`${BASE}/contracts/${contract.id}`);
      await page.locator('[data-testid="contract-status"][data-status="active"]').waitFor();
      await page.locator('[data-testid="contract-locked"]').waitFor();
      const plan = page.locator('[data-testid="payment-plan"]');
      await plan.waitFor();
      assert.equal(await plan.locator('tbody tr.ant-table-row').count(), contract.payment_plan.installments.length);
      await plan.getByText(contract.payment_plan.installments[0].label, { exact: true }).first().waitFor();

      // Re-plan with one cent too much: the live difference shows it, the server refuses with 422 in place.
      await page.locator('[data-testid="plan-edit"]').click();
      const amount = plan.locator('[data-testid="plan-row-amount"]').last();
      const last = contract.payment_plan.installments.at(-1);
      const cents = Math.round(Number(last.amount) * 100) + 1;
      await amount.fill(`${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
      await page.locator('[data-testid="plan-balance"][data-state="over"]').waitFor();
      const [refused] = await Promise.all([waitForApi(page, 'PUT', /\/payment-plan$/), page.locator('[data-testid="plan-save"]').click()]);
      assert.equal(refused.status(), 422);
      const body = await refused.json();
      assert.equal(body.error.code, 'payment_plan_sum_mismatch');
      const error = page.locator('[data-testid="plan-error"]');
      await error.waitFor();
      assert.ok((await error.innerText()).includes(body.error.fields.find((f) => f.field === 'installments').message));

      // Completing a contract that is not fully paid: 409 shown above the page.
      await page.locator('[data-testid="plan-cancel"]').click();
      const [conflict] = await Promise.all([waitForApi(page, 'POST', /\/complete$/), page.locator('[data-testid="contract-complete"]').click()]);
      assert.equal(conflict.status(), 409);
      const alert = page.locator('[data-testid="ltc-action-error"]');
      await alert.waitFor();
      assert.equal(await alert.getAttribute('data-code'), 'contract_not_fully_paid');
      assert.ok((await alert.innerText()).includes((await conflict.json()).error.message));
    }));

  test('the receivables aging page renders the buckets of the demo', () =>
    withPages('ltc-aging', 1, async (page) => {
      await login(page, 'admin');
      const aging = await apiFetch(page, '/api/v1/receivables/aging?group_by=subsidiary');
      assert.equal(aging.status, 200);
      assert.ok(aging.body.rows.length > 0, 'the demo has receivables');
      await page.goto(`${BASE}/receivables?group_by=subsidiary`);
      await page.locator('[data-testid="aging-view"]').waitFor();
      await settle(page);
      for (const bucket of ['未到期', '逾期1-30天', '逾期31-90天', '逾期91-180天', '逾期180天以上']) {
        await page.locator('[data-testid="aging-view"] th', { hasText: bucket }).first().waitFor();
      }
      const rows = page.locator('[data-testid="aging-row"]');
      assert.equal(await rows.count(), aging.body.rows.length);
      await page.locator('[data-testid="aging-chart"] canvas').waitFor();
      await page.locator('[data-testid="aging-converted"]').waitFor();
      if (aging.body.totals.missing_rates.length) await page.locator('[data-testid="aging-missing-rates"]').waitFor();

      // A row opens the overdue installments behind it.
      const overdue = aging.body.rows.findIndex((r) => Number(r.overdue) > 0);
      assert.ok(overdue >= 0, 'some demo receivables are overdue');
      await rows.nth(overdue).click();
      await page.locator('[data-testid="receivables-list"]').waitFor();
      assert.match(page.url(), /tab=list/);
      assert.match(page.url(), /subsidiary_id=/);
      await page.locator('[data-testid="receivables-table"] tbody tr.ant-table-row').first().waitFor();
    }));

  test('a won deal lists its contract, and once that is terminated offers to draw up a new one from the deal', () =>
    withPages('ltc-deal-contract', 1, async (page) => {
      const me = (await login(page, 'bj.rep1')).user;
      const contracts = await apiFetch(page, `/api/v1/contracts?owner_id=${me.user.id}&status=active&limit=5`);
      const contract = contracts.body.items.find((c) => c.opportunity_id);
      assert.ok(contract, 'the BJ rep has an active contract from a won deal');
      await page.goto(`${BASE}/opportunities/${contract.opportunity_id}`);
      const card = page.locator('[data-testid="opp-contracts"]');
      await card.locator(`a[href="/contracts/${contract.id}"]`).waitFor();
      assert.equal(await page.locator('[data-testid="opp-contract-create"]').count(), 0, 'no second contract while one is live');

      const ended = await apiFetch(page, `/api/v1/contracts/${contract.id}/terminate`, {
        method: 'POST',
        body: { version: contract.version, reason: 'E2E：客户取消项目' },
      });
      assert.equal(ended.status, 200, JSON.stringify(ended.body));
      await page.reload();
      await page.locator('[data-testid="opp-contract-create"]').click();
      await page.waitForURL((url) => url.pathname.startsWith('/contracts/') && !url.pathname.endsWith(contract.id));
      const fresh = await apiFetch(page, `/api/v1${new URL(page.url()).pathname}`);
      assert.equal(fresh.status, 200);
      assert.equal(fresh.body.status, 'draft');
      assert.equal(fresh.body.opportunity_id, contract.opportunity_id);
      assert.notEqual(fresh.body.number, contract.number);
    }));
});
