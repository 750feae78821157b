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
