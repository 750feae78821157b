// Browser tests of the approvals screens (审批中心, request page, policy admin, authority matrix)
// against a running backend with the demo data: `FLOTILLA_BASE_URL=http://127.0.0.1:8000 node --test e2e/approval.test.mjs`.
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

async function withPage(name, fn, options) {
  const { context, page } = await newPage(browser, options);
  try {
    await fn(page);
  } catch (error) {
    await page.screenshot({ path: artifactPath(name), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}

/** Picks an option of the Ant Design select marked `testId`. */
async function choose(page, testId, optionText) {
  await page.locator(`[data-testid="${testId}"]`).click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: optionText }).first().click();
}

async function ok(response, what) {
  assert.ok(response.status >= 200 && response.status < 300, `${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/**
 * Raises an approval request assigned to `approverUsername`: a BJ-only policy for
 * `opportunity.skip_stage` (moving a deal back) with that user as the approver, then the BJ
 * director moves a big deal of a rep back one stage → 409 approval_pending. Returns the
 * request id, the policy (to deactivate after) and the deal.
 */
async function raiseRequest(approverUsername) {
  const { context, page } = await newPage(browser);
  try {
    await login(page, 'admin');
    const approver = (await ok(await apiFetch(page, `/api/v1/users?q=${approverUsername}&limit=5`), 'find approver')).items.find(
      (u) => u.username === approverUsername,
    );
    assert.ok(approver, `${approverUsername} exists`);
    const bj = (await ok(await apiFetch(page, '/api/v1/org-units?kind=subsidiary&limit=50'), 'subsidiaries')).items.find((u) => u.code === 'BJ');
    assert.ok(bj, 'the demo has the BJ subsidiary');
    const code = `E2E-BACK-${Date.now()}`;
    const policy = await ok(
      await apiFetch(page, '/api/v1/approval-policies', {
        method: 'POST',
        body: {
          code,
          name: 'E2E 回退阶段需经理审批',
          name_en: 'E2E moving back needs the manager',
          action: 'opportunity.skip_stage',
          subsidiary_id: bj.id,
          priority: 1,
          condition: { field: 'is_backward', op: 'eq', value: true },
          steps: [{ name: '经理审批', name_en: 'Manager', mode: 'any', approvers: [{ type: 'user', user_id: approver.id }] }],
        },
      }),
      'create the test policy',
    );
    await context.close();

    const director = await newPage(browser);
    try {
      await login(director.page, 'bj.director');
      const deals = (await ok(await apiFetch(director.page, '/api/v1/opportunities?status=open&limit=100&sort=-amount'), 'deals')).items;
      let deal = null;
      for (const d of deals) {
        if (d.subsidiary_id !== bj.id || d.stage.position < 2 || d.owner_id === approver.id) continue;
        // A deal nobody asked about yet (an earlier pending request would be reused).
        const pending = await ok(await apiFetch(director.page, `/api/v1/approvals?record_id=${d.id}&status=pending`), 'pending requests');
        if (pending.items.length === 0) {
          deal = d;
          break;
        }
      }
      assert.ok(deal, 'a BJ deal past its first stage');
      const detail = await ok(await apiFetch(director.page, `/api/v1/opportunities/${deal.id}`), 'deal');
      const open = detail.path.filter((s) => s.kind === 'open').sort((a, b) => a.position - b.position);
      const back = [...open].reverse().find((s) => s.position < detail.stage.position);
      assert.ok(back, 'a stage to move back to');
      const moved = await apiFetch(director.page, `/api/v1/opportunities/${deal.id}/transitions`, {
        method: 'POST',
        body: { to_stage: back.code, version: detail.version, reason: 'E2E：客户需求变更，退回上一阶段' },
      });
      assert.equal(moved.status, 409, `moving back needs approval: ${JSON.stringify(moved.body)}`);
      assert.equal(moved.body.error.code, 'approval_pending');
      const requestId = moved.body.error.approval_request_id;
      assert.ok(requestId, 'the refusal names the request');
      return { requestId, policy, deal };
    } finally {
      await director.context.close();
    }
  } catch (error) {
    await context.close().catch(() => {});
    throw error;
  }
}

async function deactivatePolicy(policy) {
  const { context, page } = await newPage(browser);
  try {
    await login(page, 'admin');
    const fresh = await ok(await apiFetch(page, `/api/v1/approval-policies/${policy.id}`), 'policy');
    await ok(await apiFetch(page, `/api/v1/approval-policies/${policy.id}/deactivate`, { method: 'POST', body: { version: fresh.version } }), 'deactivate');
  } finally {
    await context.close();
  }
}

describe('Approvals', () => {
  test('the BJ manager finds a request in the inbox, cannot reject without a comment, and approves it', async () => {
    const { requestId, policy, deal } = await raiseRequest('bj.manager');
    try {
      await withPage('approval-inbox-decide', async (page) => {
        await login(page, 'bj.manager');
        // The workbench card counts it and links to it.
        await page.locator(`[data-testid="wb-approvals"] a[href="/approvals/${requestId}"]`).waitFor();
        await page.locator('[data-testid="side-menu"]').getByText('审批中心').click();
        await page.waitForURL('**/approvals');
        const table = page.locator('[data-testid="approvals-table"]');
        const row = table.locator('tbody tr.ant-table-row', { hasText: deal.name }).first();
        await row.waitFor();
        await row.locator('[data-testid="approval-row-action"]').click();
        await page.waitForURL(`**/approvals/${requestId}`);
        await page.locator('[data-testid="approval-status"][data-status="pending"]').waitFor();
        // The snapshot shows the facts with their labels, the policy reads as a sentence, the steps name the approver.
        await page.locator('[data-testid="approval-facts"]').getByText('回退').waitFor();
        await page.locator('[data-testid="approval-condition"]', { hasText: '回退 = 是' }).waitFor();
        await page.locator('[data-testid="approval-steps"]').getByText('经理审批').waitFor();

        // Rejecting needs a comment: refused in place, nothing sent.
        await page.locator('[data-testid="approval-reject"]').click();
        await page.locator('[data-testid="approval-comment-error"]').waitFor();

        await page.locator('[data-testid="approval-comment"]').fill('同意退回，注意跟进客户新需求');
        const [decided] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith(`/api/v1/approvals/${requestId}/approve`)),
          page.locator('[data-testid="approval-approve"]').click(),
        ]);
        assert.equal(decided.status(), 200);
        await page.locator('[data-testid="approval-status"][data-status="approved"]').waitFor();
        await page.locator('[data-testid="approval-task"]', { hasText: '同意退回' }).waitFor();
        assert.equal(await page.locator('[data-testid="approval-approve"]').count(), 0, 'no decision buttons once decided');

        // Gone from the inbox.
        await page.goto(`${BASE}/approvals`);
        await settle(page);
        assert.equal(await page.locator('[data-testid="approvals-table"] tbody tr.ant-table-row', { hasText: deal.name }).count(), 0);
        // Still under 全部 with its final status.
        await page.locator('[data-testid="approval-tab-all"]').click();
        await page.locator('[data-testid="approvals-table"] tbody tr.ant-table-row', { hasText: deal.name }).first().waitFor();
        // The deal's page (seen by the director who asked) lists the request with its outcome.
        const asker = await newPage(browser);
        try {
          await login(asker.page, 'bj.director');
          await asker.page.goto(`${BASE}/opportunities/${deal.id}`);
          const card = asker.page.locator('[data-testid="record-approvals"]');
          await card.locator(`a[href="/approvals/${requestId}"]`).waitFor();
          await card.getByText('已通过').first().waitFor();
        } finally {
          await asker.context.close();
        }
      });
    } finally {
      await deactivatePolicy(policy);
    }
  });

  test('an admin saving an invalid rule sees the server’s field error on the condition', () =>
    withPage('approval-policy-invalid', async (page) => {
      await login(page, 'admin');
      await page.locator('[data-testid="side-menu"]').getByText('审批策略').click();
      await page.waitForURL('**/admin/approval-policies');
      await page.locator('[data-testid="policies-table"] tbody tr.ant-table-row').first().waitFor();
      await page.locator('[data-testid="policy-create"]').click();
      await page.waitForURL('**/admin/approval-policies/new');
      await choose(page, 'policy-action', '提交报价');
      const code = `E2E-INVALID-${Date.now()}`;
      await page.locator('[data-testid="policy-code"]').fill(code);
      await page.locator('[data-testid="policy-name"]').fill('E2E 无效规则');
      // The builder starts with one comparison; its value is left empty.
      const comparison = page.locator('[data-testid="cond-compare"]').first();
      await comparison.waitFor();
      assert.equal(await comparison.locator('input[data-testid="cond-value"]').inputValue(), '');
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/approval-policies') && r.request().method() === 'POST'),
        page.locator('[data-testid="policy-save"]').click(),
      ]);
      assert.equal(saved.status(), 422);
      const body = await saved.json();
      const problem = body.error.fields.find((f) => f.field.startsWith('condition'));
      assert.ok(problem, `a condition error: ${JSON.stringify(body)}`);
      // Shown on the comparison it is about, in the server's words.
      const shown = page.locator(`[data-testid="cond-error"][data-path="${problem.field.replace(/\.(field|op|value)(\b.*)?$/, '')}"]`);
      await shown.waitFor();
      assert.ok((await shown.innerText()).includes(problem.message), `shows “${problem.message}”`);
      assert.match(page.url(), /\/admin\/approval-policies\/new$/, 'still on the editor');
      const listed = await apiFetch(page, `/api/v1/approval-policies?q=${code}`);
      assert.equal(listed.body.items.length, 0, 'nothing was saved');

      // Fixing the value clears the mark; the JSON view shows the rule as it will be sent.
      await comparison.locator('input[data-testid="cond-value"]').fill('15');
      assert.equal(await page.locator('[data-testid="cond-error"]').count(), 0);
      await page.locator('[data-testid="cond-json-tab"]').click();
      const json = JSON.parse(await page.locator('[data-testid="cond-json"]').inputValue());
      assert.equal(json.any[0].value, '15');
    }));

  test('the authority matrix shows each role’s limits for a subsidiary and checks input before saving', () =>
    withPage('approval-matrix', async (page) => {
      await login(page, 'admin');
      await page.goto(`${BASE}/admin/authority-matrix`);
      await choose(page, 'matrix-subsidiary', '北京');
      const discount = page.locator('input[data-testid="matrix-sales_manager-discount_pct"]');
      await discount.waitFor();
      assert.equal(await discount.inputValue(), '10.00');
      await discount.fill('10.555');
      await page.locator('[data-testid="matrix-row-sales_manager"]').getByText('最多两位小数').waitFor();
      assert.ok(await page.locator('[data-testid="matrix-save-sales_manager"]').isEnabled(), 'the row can be saved');
      await discount.fill('10.00');
      assert.ok(await page.locator('[data-testid="matrix-save-sales_manager"]').isDisabled(), 'unchanged again');
    }));

  test('a manager delegates their approvals for a period and revokes the delegation', () =>
    withPage('approval-delegation', async (page) => {
      await login(page, 'bj.manager2');
      await page.goto(`${BASE}/approvals?tab=delegations`);
      await page.locator('[data-testid="delegations-table"]').waitFor();
      await page.locator('[data-testid="delegation-create"]').click();
      const picker = page.locator('[data-testid="delegation-delegate"]');
      await picker.click();
      // The picker searches the users the manager may see (their team).
      await page.keyboard.type('bj.rep');
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '@bj.rep' }).first().click();
      await page.locator('.ant-modal textarea').fill('E2E：出差一周');
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/approval-delegations') && r.request().method() === 'POST'),
        page.locator('[data-testid="delegation-submit"]').click(),
      ]);
      assert.equal(created.status(), 201, await created.text());
      const delegation = await created.json();
      const row = page.locator('[data-testid="delegations-table"] tbody tr.ant-table-row', { hasText: 'E2E：出差一周' }).first();
      await row.getByText('未开始').waitFor();
      await row.locator('[data-testid="delegation-revoke"]').click();
      const [revoked] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/approval-delegations/${delegation.id}/revoke`)),
        page.locator('.ant-popconfirm .ant-btn-primary').click(),
      ]);
      assert.equal(revoked.status(), 200);
      await row.getByText('已撤销').waitFor();
    }));

  test('the inbox works on a phone', () =>
    withPage(
      'approval-inbox-phone',
      async (page) => {
        await login(page, 'bj.gm');
        await page.goto(`${BASE}/approvals`);
        await page.locator('[data-testid="approvals-table"]').waitFor();
        await settle(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `no sideways scrolling of the page (${overflow}px)`);
      },
      { width: 390, height: 844 },
    ));
});
