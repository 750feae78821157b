// Browser tests against a running backend: `FLOTILLA_BASE_URL=http://127.0.0.1:8000 npm run e2e`.
// The backend must hold the demo data (`flotilla demo`); password from FLOTILLA_DEMO_PASSWORD.
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

/** Runs a test body with a fresh page; on failure keeps a screenshot in e2e/.artifacts/. */
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

describe('Flotilla web', () => {
  test('admin signs in and sees the workbench with their name', () =>
    withPage('login-admin', async (page) => {
      const body = await login(page, 'admin');
      const name = body.user.user.display_name;
      assert.ok(name, 'login response carries the display name');
      await assert.doesNotReject(page.locator('[data-testid="welcome-title"]', { hasText: name }).waitFor());
      assert.equal((await page.locator('[data-testid="user-display-name"]').innerText()).trim(), name);
      // The workbench shows the user's positions, roles and permission summary from /me.
      const primary = body.user.positions.find((p) => p.is_primary) ?? body.user.positions[0];
      await page.locator('[data-testid="wb-positions"]', { hasText: primary.unit_name }).waitFor();
      await page.locator('[data-testid="wb-roles"]', { hasText: body.user.grants[0].role_name }).waitFor();
      await page.locator('[data-testid="wb-permissions"]').waitFor();
    }));

  test('a wrong password shows the server message and stays on the login page', () =>
    withPage('login-wrong-password', async (page) => {
      await page.goto(`${BASE}/login`);
      await page.locator('#login_username').fill('vp');
      await page.locator('#login_password').fill('definitely-not-the-password');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
        page.locator('[data-testid="login-submit"]').click(),
      ]);
      assert.ok([401, 429].includes(response.status()), `expected 401 or 429, got ${response.status()}`);
      const { error } = await response.json();
      const alert = page.locator('[data-testid="login-error"]');
      await alert.waitFor();
      assert.ok((await alert.innerText()).includes(error.message), `alert shows “${error.message}”`);
      assert.match(page.url(), /\/login/);
    }));

  test('switching to English changes the menu labels and is saved for the user', () =>
    withPage('language-switch', async (page) => {
      await login(page, 'admin');
      const menu = page.locator('[data-testid="side-menu"]');
      await menu.getByText('工作台').waitFor();
      const [saved] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/me/preferences') && r.request().method() === 'PATCH'),
        page.locator('[data-testid="lang-en-US"]').click(),
      ]);
      assert.equal(saved.status(), 200);
      assert.equal((await saved.json()).user.locale, 'en-US');
      await menu.getByText('Workbench', { exact: true }).waitFor();
      await menu.getByText('Administration', { exact: true }).waitFor();
      await menu.getByText('Organization', { exact: true }).waitFor();
      // Back to Chinese, so the next tests (and people) find the demo as it was.
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/me/preferences')),
        page.locator('[data-testid="lang-zh-CN"]').click(),
      ]);
      await menu.getByText('工作台').waitFor();
    }));

  test('the org tree shows the group root and its details', () =>
    withPage('org-tree', async (page) => {
      await login(page, 'admin');
      const roots = await apiFetch(page, '/api/v1/org-units?kind=group&limit=5');
      assert.equal(roots.status, 200);
      const root = roots.body.items[0];
      assert.ok(root, 'the demo has a group root');
      await page.locator('[data-testid="side-menu"]').getByText('组织架构').click();
      await page.waitForURL('**/admin/org**');
      const tree = page.locator('[data-testid="org-tree"]');
      await tree.locator(`[data-testid="org-node-${root.code}"]`).waitFor();
      await page.locator('[data-testid="org-detail"]', { hasText: root.name }).waitFor();
      // Subsidiaries are listed under the root.
      const subs = await apiFetch(page, `/api/v1/org-units?kind=subsidiary&limit=1`);
      if (subs.body.items[0]) await tree.locator(`[data-testid="org-node-${subs.body.items[0].code}"]`).waitFor();
    }));

  test('the users list pages through users from the server and opens a user', () =>
    withPage('users-list', async (page) => {
      await login(page, 'admin');
      await page.goto(`${BASE}/admin/users`);
      const table = page.locator('[data-testid="users-table"]');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      await settle(page);
      assert.ok((await table.locator('tbody tr.ant-table-row').count()) > 1, 'several users are listed');
      // Search narrows the list on the server.
      const [searched] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes('q=admin')),
        page.locator('input[data-testid="user-search"]').fill('admin').then(() => page.keyboard.press('Enter')),
      ]);
      assert.equal(searched.status(), 200);
      await table.getByText('@admin', { exact: true }).waitFor();
      await table.getByText('@admin', { exact: true }).click();
      await page.waitForURL('**/admin/users/*');
      await page.locator('[data-testid="user-positions"] tbody tr.ant-table-row').first().waitFor();
      await page.locator('[data-testid="user-grants"] tbody tr.ant-table-row').first().waitFor();
    }));

  test('the audit log lists events and shows a before/after diff', () =>
    withPage('audit-log', async (page) => {
      await login(page, 'admin');
      await page.goto(`${BASE}/admin/audit`);
      const table = page.locator('[data-testid="audit-table"]');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      await settle(page);
      const withChanges = table.locator('tbody tr.ant-table-row', { hasText: /个字段/ }).first();
      if (await withChanges.count()) {
        await withChanges.locator('.ant-table-row-expand-icon').click();
        await page.locator('[data-testid="audit-diff"]').first().waitFor();
      }
    }));

  test('on a phone the menu is a drawer and the workbench fits the screen', () =>
    withPage(
      'phone-workbench',
      async (page) => {
        await login(page, 'admin');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
        await page.locator('[data-testid="menu-toggle"]').click();
        await page.locator('.ant-drawer [data-testid="side-menu"]').getByText('用户管理').click();
        await page.waitForURL('**/admin/users');
        await page.locator('[data-testid="users-table"] tbody tr.ant-table-row').first().waitFor();
      },
      { width: 390, height: 844 },
    ));

  test('an unknown session is sent to the login page', () =>
    withPage('redirect-login', async (page) => {
      await page.goto(`${BASE}/admin/users`);
      await page.waitForURL('**/login?next=*');
      await page.locator('#login_username').waitFor();
    }));
});

// --- customers (客户), public pool (公海), leads (线索), conflicts (撞单) ---

/** Characters with one reading each, so a made-up company name has known pinyin initials. */
const INITIALS = { 安: 'a', 博: 'b', 德: 'd', 富: 'f', 冠: 'g', 弘: 'h', 嘉: 'j', 凯: 'k', 朗: 'l', 茂: 'm', 宁: 'n', 鹏: 'p', 庆: 'q', 瑞: 'r', 森: 's', 泰: 't', 伟: 'w', 鑫: 'x', 远: 'y' };

/** A company name no demo customer resembles, and the pinyin initials of its distinctive part. */
function uniqueCompany() {
  const chars = Object.keys(INITIALS);
  let stem = '';
  for (let i = 0; i < 5; i++) stem += chars[Math.floor(Math.random() * chars.length)];
  return { name: `${stem}测试科技有限公司`, initials: [...stem].map((c) => INITIALS[c]).join('') + 'cs' };
}

/** `上海某某科技有限公司` → `上海某某科技(深圳)有限公司`: the same company to the duplicate check. */
function withRegionInsert(name) {
  return name.endsWith('有限公司') ? `${name.slice(0, -4)}(深圳)有限公司` : `${name}(深圳)`;
}

async function firstAccount(page, query = '') {
  const res = await apiFetch(page, `/api/v1/accounts?limit=50${query}`);
  assert.equal(res.status, 200);
  const account = res.body.items.find((a) => a.name.endsWith('有限公司') && !a.name.includes('(')) ?? res.body.items[0];
  assert.ok(account, 'the demo gives the user customers');
  return account;
}

describe('Customers, pool, leads and conflicts', () => {
  test('a rep creates a customer through the live duplicate warning and lands on its 360° view', () =>
    withPage('account-create-duplicate', async (page) => {
      const session = await login(page, 'bj.rep1');
      const existing = await firstAccount(page);
      await page.goto(`${BASE}/accounts`);
      await page.locator('[data-testid="accounts-table"] tbody tr.ant-table-row').first().waitFor();
      await page.locator('[data-testid="account-create"]').click();
      const nameInput = page.locator('[data-testid="account-name-input"]');
      await nameInput.fill(withRegionInsert(existing.name));
      // The warning appears while typing, naming the customer already on file.
      const warning = page.locator('[data-testid="duplicate-warning"]');
      await warning.getByText(existing.name).waitFor();
      // Saving anyway is refused by the server with the same match (a rep may not force it).
      await page.locator('[data-testid="account-submit"]').click();
      await page.locator('[data-testid="duplicate-refused"]').getByText(existing.name).waitFor();
      assert.equal(await page.locator('[data-testid="account-force-start"]').count(), 0, 'a rep cannot force-create');
      // A different company: the warning goes away and the customer is created.
      const fresh = uniqueCompany();
      await nameInput.fill(fresh.name);
      await page.locator('[data-testid="duplicate-clear"]').waitFor();
      assert.equal(await warning.count(), 0);
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/accounts') && r.request().method() === 'POST'),
        page.locator('[data-testid="account-submit"]').click(),
      ]);
      assert.equal(created.status(), 201);
      const account = await created.json();
      await page.waitForURL(`**/accounts/${account.id}`);
      await page.locator('[data-testid="account-title"]', { hasText: fresh.name }).waitFor();
      await page.locator('[data-testid="account-owner"]', { hasText: session.user.user.display_name }).waitFor();
      // A new customer is claimed (protected) for its creator.
      await page.locator('[data-testid="account-header"] [data-testid="account-protected"]').waitFor();
    }));

  test('a director may create a suspected duplicate anyway, with a reason that stays on the record', () =>
    withPage('account-force-create', async (page) => {
      await login(page, 'bj.director');
      const existing = await firstAccount(page);
      await page.goto(`${BASE}/accounts`);
      await page.locator('[data-testid="account-create"]').click();
      await page.locator('[data-testid="account-name-input"]').fill(withRegionInsert(existing.name));
      await page.locator('[data-testid="duplicate-warning"]').getByText(existing.name).waitFor();
      await page.locator('[data-testid="account-submit"]').click();
      await page.locator('[data-testid="duplicate-refused"]').waitFor();
      await page.locator('[data-testid="account-force-start"]').click();
      await page.locator('[data-testid="account-force-reason"]').fill('深圳分公司独立法人，与北京总部分开签约');
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/accounts') && r.request().method() === 'POST'),
        page.locator('[data-testid="account-force-submit"]').click(),
      ]);
      assert.equal(created.status(), 201, await created.text());
      const account = await created.json();
      assert.equal(account.force_reason, '深圳分公司独立法人，与北京总部分开签约');
      await page.waitForURL(`**/accounts/${account.id}`);
      await page.locator('[data-testid="account-header"]').getByText('强制创建').waitFor();
    }));

  test("a director opening another subsidiary's customer by URL sees not-found", async () => {
    const admin = await newPage(browser);
    let foreignId;
    let directorSubsidiary;
    try {
      await withPage('account-foreign-director', async (page) => {
        const session = await login(page, 'bj.director');
        directorSubsidiary = session.user.positions.find((p) => p.is_primary)?.subsidiary_id ?? session.user.positions[0].subsidiary_id;
        await login(admin.page, 'admin');
        const subs = await apiFetch(admin.page, '/api/v1/org-units?kind=subsidiary&limit=50');
        const other = subs.body.items.find((u) => u.id !== directorSubsidiary);
        assert.ok(other, 'the demo has a second subsidiary');
        const foreign = await apiFetch(admin.page, `/api/v1/accounts?limit=1&subsidiary_id=${other.id}`);
        foreignId = foreign.body.items[0]?.id;
        assert.ok(foreignId, `the subsidiary ${other.name} has customers`);
        assert.equal((await apiFetch(page, `/api/v1/accounts/${foreignId}`)).status, 404, 'outside scope is 404');
        await page.goto(`${BASE}/accounts/${foreignId}`);
        await page.locator('[data-testid="account-not-found"]').waitFor();
        assert.equal(await page.locator('[data-testid="account-header"]').count(), 0);
      });
    } finally {
      await admin.context.close();
    }
  });

  test('searching pinyin initials finds a customer', () =>
    withPage('account-pinyin-search', async (page) => {
      await login(page, 'bj.rep1');
      const fresh = uniqueCompany();
      const created = await apiFetch(page, '/api/v1/accounts', { method: 'POST', body: { name: fresh.name, tier: 'smb', value_class: 'C' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await page.goto(`${BASE}/accounts`);
      const table = page.locator('[data-testid="accounts-table"]');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      const [searched] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/accounts?') && r.url().includes(`q=${fresh.initials}`)),
        page.locator('input[data-testid="account-search"]').fill(fresh.initials).then(() => page.keyboard.press('Enter')),
      ]);
      assert.equal(searched.status(), 200);
      await table.getByText(fresh.name, { exact: true }).waitFor();
      assert.match(page.url(), new RegExp(`q=${fresh.initials}`), 'the search is kept in the URL');
      await table.getByText(fresh.name, { exact: true }).click();
      await page.waitForURL(`**/accounts/${created.body.id}`);
    }));

  test('claiming a customer another subsidiary protects names the protecting unit; its director resolves the conflict', async () => {
    const rep = await newPage(browser);
    try {
      await withPage('conflict-claim-resolve', async (page) => {
        await login(page, 'bj.director');
        const mine = await apiFetch(page, '/api/v1/accounts?limit=200&status=owned');
        const now = Date.now();
        // A protected customer whose name is unique group-wide (a claim by name must find one account).
        let target;
        for (const a of mine.body.items.filter((x) => x.is_protected && Date.parse(x.claim.protected_until) > now + 86_400_000)) {
          const dup = await apiFetch(page, `/api/v1/accounts/duplicates?name=${encodeURIComponent(a.name)}`);
          if (dup.body.matches.every((m) => m.id === a.id)) {
            target = a;
            break;
          }
        }
        assert.ok(target, 'the demo has a protected customer in Beijing');
        // A Shanghai rep tries to claim it by name.
        await login(rep.page, 'sh.rep1');
        await rep.page.goto(`${BASE}/accounts`);
        await rep.page.locator('[data-testid="account-claim-lookup"]').click();
        await rep.page.locator('[data-testid="claim-name"]').fill(target.name);
        const [refused] = await Promise.all([
          rep.page.waitForResponse((r) => r.url().endsWith('/api/v1/accounts/claims')),
          rep.page.locator('[data-testid="claim-submit"]').click(),
        ]);
        assert.equal(refused.status(), 409);
        assert.equal((await refused.json()).error.code, 'claim_conflict');
        await rep.page.locator('[data-testid="claim-conflict"]', { hasText: target.unit_name }).waitFor();
        // The protecting director sees the open conflict and rejects it.
        await page.goto(`${BASE}/conflicts`);
        const row = page.locator('[data-testid="conflicts-table"] tbody tr.ant-table-row', { hasText: target.name }).first();
        await row.waitFor();
        await row.locator('[data-testid="conflict-resolve"]').click();
        await page.locator('[data-testid="resolution-reject"]').click();
        const [resolved] = await Promise.all([
          page.waitForResponse((r) => r.url().includes('/resolve')),
          page.locator('[data-testid="resolve-submit"]').click(),
        ]);
        assert.equal(resolved.status(), 200);
        assert.equal((await resolved.json()).status, 'rejected');
      });
    } finally {
      await rep.context.close();
    }
  });

  test('converting a lead for a company already on file shows the match and links the existing customer', () =>
    withPage('lead-convert-duplicate', async (page) => {
      await login(page, 'bj.rep1');
      const existing = await firstAccount(page);
      const lead = await apiFetch(page, '/api/v1/leads', {
        method: 'POST',
        body: { company_name: withRegionInsert(existing.name), contact_name: '测试联系人', source: '展会' },
      });
      assert.equal(lead.status, 201, JSON.stringify(lead.body));
      await page.goto(`${BASE}/leads/${lead.body.id}`);
      await page.locator('[data-testid="lead-convert"]').click();
      await page.locator('[data-testid="duplicate-warning"]').getByText(existing.name).waitFor();
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/convert')),
        page.locator('[data-testid="convert-submit"]').click(),
      ]);
      assert.equal(refused.status(), 409);
      assert.equal((await refused.json()).error.code, 'duplicate_account');
      const match = page.locator('[data-testid="duplicate-refused"] [data-testid="duplicate-match"]', { hasText: existing.name });
      await match.getByRole('button').click();
      const [converted] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/convert')),
        page.locator('[data-testid="convert-submit"]').click(),
      ]);
      assert.equal(converted.status(), 200, await converted.text());
      await page.waitForURL(`**/accounts/${existing.id}`);
      assert.equal((await apiFetch(page, `/api/v1/leads/${lead.body.id}`)).body.status, 'converted');
    }));

  test('the pool shows the quota and a refused claim explains why', () =>
    withPage('pool-claim', async (page) => {
      await login(page, 'bj.rep1');
      const pool = await apiFetch(page, '/api/v1/pool?limit=1&include_total=true');
      assert.equal(pool.status, 200);
      const quota = pool.body.quotas[0];
      await page.goto(`${BASE}/pool`);
      await page.locator('[data-testid="pool-quota"]', { hasText: `${quota.held} / ${quota.max}` }).waitFor();
      const rows = page.locator('[data-testid="pool-table"] tbody tr.ant-table-row');
      await rows.first().waitFor();
      const [claimed] = await Promise.all([
        page.waitForResponse((r) => /\/api\/v1\/pool\/[^/]+\/claim$/.test(r.url())),
        rows.first().locator('[data-testid="pool-claim"]').click(),
      ]);
      if (claimed.status() === 200) {
        await page.locator('[data-testid="pool-quota"]', { hasText: `${quota.held + 1} / ${quota.max}` }).waitFor();
      } else {
        const { error } = await claimed.json();
        await page.locator('[data-testid="pool-error"]', { hasText: error.message }).waitFor();
      }
    }));

  test('on a phone the customer 360° view and the workbench fit the screen', () =>
    withPage(
      'phone-account',
      async (page) => {
        await login(page, 'bj.rep1');
        await page.locator('[data-testid="wb-sales"]').waitFor();
        await page.locator('[data-testid="wb-pipeline"] [data-testid="wb-stage"]').first().waitFor();
        await settle(page);
        const workbenchOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(workbenchOverflow <= 1, `the workbench does not scroll sideways (overflow ${workbenchOverflow}px)`);
        const account = await firstAccount(page);
        await page.goto(`${BASE}/accounts/${account.id}`);
        await page.locator('[data-testid="account-title"]').waitFor();
        await page.locator('[data-testid="account-activities"]').waitFor();
        await settle(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
      },
      { width: 390, height: 844 },
    ));
});

// --- Opportunities (商机): kanban, stage gates, detail page, process designer ---

const OPP_REP = 'bj.rep1';
const byPath = (a, b) => a.position - b.position || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
const SIMPLE_FACTS = {
  amount: (d) => Number(d.amount) > 0,
  expected_close_date: (d) => Boolean(d.expected_close_date),
  forecast_category: (d) => Boolean(d.forecast_category),
  source: (d) => Boolean(d.source && d.source.trim()),
  competitors: (d) => d.competitors.length > 0,
};

/** The deal's current stage and the open stage after it (or won after the last), from its own path. */
function stagesAround(deal) {
  const path = [...deal.path].sort(byPath);
  const current = path.find((s) => s.is_current);
  const open = path.filter((s) => s.kind === 'open');
  const index = open.findIndex((s) => s.is_current);
  return { current, next: open[index + 1] ?? null };
}

/**
 * An open deal of the signed-in rep whose next stage has checklist items still unticked and no
 * other gate (its required facts are filled, no approval): dragging it forward is refused for
 * the checklist alone, and ticking the checklist is all it takes.
 */
async function pickChecklistGatedDeal(page, userId) {
  const list = await apiFetch(page, `/api/v1/opportunities?owner_id=${userId}&status=open&sort=-updated_at&limit=100`);
  assert.equal(list.status, 200);
  for (const summary of list.body.items) {
    const deal = (await apiFetch(page, `/api/v1/opportunities/${summary.id}`)).body;
    const { current, next } = stagesAround(deal);
    if (!next || next.requires_approval || next.checklist.length === 0) continue;
    if (next.checklist.every((c) => next.checklist_ticked.includes(c.code))) continue;
    if (!next.required_fields.every((f) => SIMPLE_FACTS[f]?.(deal))) continue;
    return { deal, current, next };
  }
  throw new Error(`no open deal of ${OPP_REP} whose next stage is gated only by its checklist`);
}

/** Drags a kanban card onto a column with the mouse (dnd-kit starts after a few pixels). */
async function dragCard(page, card, column) {
  await column.scrollIntoViewIfNeeded();
  await card.scrollIntoViewIfNeeded();
  const from = await card.boundingBox();
  const to = await column.boundingBox();
  assert.ok(from && to, 'card and column are on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + 16);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 12, from.y + 24, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + Math.min(140, to.height / 2), { steps: 12 });
  await page.mouse.up();
}

/** Opens the kanban narrowed to one deal, on the deal's own process version. */
async function openBoardFor(page, deal) {
  await page.goto(`${BASE}/opportunities?q=${encodeURIComponent(deal.name)}&version=${deal.process_version_id}`);
  const card = page.locator(`[data-testid="deal-card"][data-deal-id="${deal.id}"]`);
  await card.waitFor();
  return card;
}

test('a rep drags a deal forward, sees the unmet checklist gates, ticks them and moves the deal', () =>
  withPage(
    'opportunity-kanban-gates',
    async (page) => {
      const me = (await login(page, OPP_REP)).user;
      const { deal, current, next } = await pickChecklistGatedDeal(page, me.user.id);
      const unticked = next.checklist.filter((c) => !next.checklist_ticked.includes(c.code));

      // The side menu leads to the kanban; the deal sits in its stage's column.
      await page.locator('[data-testid="side-menu"]').getByText('商机', { exact: true }).click();
      await page.waitForURL('**/opportunities');
      await page.locator('[data-testid="kanban-column"]').first().waitFor();
      const card = await openBoardFor(page, deal);
      const fromColumn = page.locator(`[data-testid="kanban-column"][data-stage-code="${current.code}"]`);
      const toColumn = page.locator(`[data-testid="kanban-column"][data-stage-code="${next.code}"]`);
      assert.equal(await fromColumn.locator(`[data-deal-id="${deal.id}"]`).count(), 1, 'the card starts in its stage');

      // Dropping it on the next stage is refused: every unticked checklist item is listed.
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}/transitions`)),
        dragCard(page, card, toColumn),
      ]);
      assert.equal(refused.status(), 422);
      assert.equal((await refused.json()).error.code, 'transition_refused');
      const refusal = page.locator('[data-testid="transition-refusal"]');
      await refusal.waitFor();
      for (const item of unticked) {
        const gate = refusal.locator(`[data-testid="refusal-gate"][data-gate-field="checklist.${item.code}"]`);
        await gate.waitFor();
        assert.ok((await gate.innerText()).includes(item.label), `the gate names “${item.label}”`);
      }
      assert.equal(await refusal.locator('[data-testid="refusal-gate"]').count(), unticked.length, 'only the checklist is missing');
      // The card snapped back to where it was.
      await fromColumn.locator(`[data-deal-id="${deal.id}"]`).waitFor();
      assert.equal(await toColumn.locator(`[data-deal-id="${deal.id}"]`).count(), 0);

      // The panel leads to the deal, where the gates of the next stage can be met.
      await page.locator('[data-testid="refusal-open-deal"]').click();
      await page.waitForURL(`**/opportunities/${deal.id}?*`);
      const gates = page.locator('[data-testid="opp-gates"]');
      await gates.waitFor();
      await page.locator('[data-testid="opp-playbook"]').waitFor();
      for (const item of unticked) {
        const [saved] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}/checklist`) && r.request().method() === 'PUT'),
          gates.locator(`[data-testid="checklist-item"][data-item-code="${item.code}"]`).click(),
        ]);
        assert.equal(saved.status(), 200);
        await gates.locator(`[data-testid="checklist-item"][data-item-code="${item.code}"]:checked`).waitFor({ state: "attached" });
      }

      // Now the next-stage button moves it.
      const [moved] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}/transitions`)),
        page.locator('[data-testid="opp-next-stage"]').click(),
      ]);
      assert.equal(moved.status(), 200);
      assert.equal((await moved.json()).stage.code, next.code);
      await page.locator('[data-testid="history-entry"]', { hasText: next.name }).first().waitFor();
      const after = await apiFetch(page, `/api/v1/opportunities/${deal.id}`);
      assert.equal(after.body.stage.code, next.code, 'the server has the deal in the next stage');

      // And on the board it now sits in the next column.
      await openBoardFor(page, after.body);
      await toColumn.locator(`[data-deal-id="${deal.id}"]`).waitFor();
    },
    { width: 1600, height: 900 },
  ));

test('a deal missing required facts is refused, and filling them on the detail page lets it move', () =>
  withPage(
    'opportunity-required-fields',
    async (page) => {
      const me = (await login(page, OPP_REP)).user;
      const accounts = await apiFetch(page, `/api/v1/accounts?owner_id=${me.user.id}&status=owned&limit=20`);
      const account = accounts.body.items.find((a) => a.status === 'owned');
      assert.ok(account, `${OPP_REP} owns an account`);
      const created = await apiFetch(page, '/api/v1/opportunities', {
        method: 'POST',
        body: { account_id: account.id, name: `E2E 准入测试 ${Date.now()}`, amount: '0', forecast_category: 'pipeline' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const deal = created.body;
      const { current, next } = stagesAround(deal);
      const missing = next.required_fields.filter((f) => f === 'amount' || f === 'expected_close_date');
      assert.ok(missing.length > 0, `the stage after ${current.code} requires an amount or a close date`);

      const card = await openBoardFor(page, deal);
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}/transitions`)),
        dragCard(page, card, page.locator(`[data-testid="kanban-column"][data-stage-code="${next.code}"]`)),
      ]);
      assert.equal(refused.status(), 422);
      const refusal = page.locator('[data-testid="transition-refusal"]');
      for (const field of missing) await refusal.locator(`[data-testid="refusal-gate"][data-gate-field="${field}"]`).waitFor();

      // “Fill in” opens the deal's edit form.
      await refusal.locator(`[data-testid="refusal-gate"][data-gate-field="${missing[0]}"] [data-testid="refusal-fix"]`).click();
      await page.waitForURL(`**/opportunities/${deal.id}?*`);
      await page.locator('#opp-edit-amount').fill('880000');
      await page.locator('#opp-edit-close').click();
      await page.locator('#opp-edit-close').fill('2027-06-30');
      await page.keyboard.press('Enter');
      const [patched] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}`) && r.request().method() === 'PATCH'),
        page.locator('[data-testid="opp-fields-save"]').click(),
      ]);
      assert.equal(patched.status(), 200);
      const gates = page.locator('[data-testid="opp-gates"]');
      for (const field of missing) await gates.locator(`[data-testid="gate-required"][data-field="${field}"][data-met="true"]`).waitFor();
      for (const item of next.checklist) {
        const [saved] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}/checklist`)),
          gates.locator(`[data-testid="checklist-item"][data-item-code="${item.code}"]`).click(),
        ]);
        assert.equal(saved.status(), 200);
      }
      const [moved] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/opportunities/${deal.id}/transitions`)),
        page.locator('[data-testid="opp-advance"]').click(),
      ]);
      assert.equal(moved.status(), 200);
      assert.equal((await moved.json()).stage.code, next.code);
    },
    { width: 1600, height: 900 },
  ));

test('an opportunity outside the caller’s reach shows not-found, and the detail page fits a phone', () =>
  withPage(
    'opportunity-not-found-phone',
    async (page) => {
      const me = (await login(page, OPP_REP)).user;
      await page.goto(`${BASE}/opportunities/00000000-0000-7000-8000-000000000000`);
      await page.locator('[data-testid="opp-not-found"]').waitFor();
      const list = await apiFetch(page, `/api/v1/opportunities?owner_id=${me.user.id}&status=open&limit=1`);
      await page.goto(`${BASE}/opportunities/${list.body.items[0].id}`);
      await page.locator('[data-testid="opp-gates"]').waitFor();
      await page.locator('[data-testid="opp-team"]').waitFor();
      await settle(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
    },
    { width: 390, height: 844 },
  ));

test('the process designer shows the server’s publish errors under the stage’s inputs', () =>
  withPage('process-designer', async (page) => {
    await login(page, 'admin');
    await page.locator('[data-testid="side-menu"]').getByText('销售流程').click();
    await page.waitForURL('**/admin/process');
    const variants = await apiFetch(page, '/api/v1/process-templates?kind=variant&limit=1');
    const template = variants.body.items[0];
    assert.ok(template, 'the demo has a subsidiary variant');
    await page.locator('[data-testid="process-templates"]').getByText(template.name).click();
    await page.waitForURL(`**/admin/process/${template.id}`);
    await page.locator('[data-testid="process-template-title"]').waitFor();
    // A fresh demo has no draft yet: start one from the published version.
    await page.locator('[data-testid="process-designer"], [data-testid="process-start-draft"]').first().waitFor();
    if (await page.locator('[data-testid="process-start-draft"]').count()) {
      await page.locator('[data-testid="process-start-draft"]').click();
    }
    await page.locator('[data-testid="process-designer"]').waitFor();
    // The second stage gets a probability below the first's: publishing must be refused.
    const stages = page.locator('[data-testid="designer-stage"]');
    assert.ok((await stages.count()) >= 3, 'the draft has its stages');
    await stages.nth(1).click();
    const probability = page.locator('input[data-testid="stage-probability"]').nth(1);
    await probability.fill('1');
    await page.locator('[data-testid="process-publish"]').click();
    const [published] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/process-templates/${template.id}/draft/publish`)),
      page.locator('.ant-popconfirm .ant-btn-primary').click(),
    ]);
    assert.equal(published.status(), 422);
    const body = await published.json();
    assert.equal(body.error.code, 'process_invalid');
    const error = body.error.fields.find((f) => f.field === 'stages.1.probability');
    assert.ok(error, 'the server points at the second stage’s probability');
    await page.locator('[data-testid="process-alert"]', { hasText: body.error.message }).waitFor();
    await page.locator('.ant-form-item-explain-error', { hasText: error.message }).first().waitFor();
  }));
