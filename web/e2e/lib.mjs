// Shared helpers for the browser tests and the screenshot script (playwright-core + Debian's Chromium).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const DEMO_PASSWORD = process.env.FLOTILLA_DEMO_PASSWORD || 'flotilla-demo';

export function baseUrl() {
  const url = process.env.FLOTILLA_BASE_URL;
  if (!url) {
    console.error('FLOTILLA_BASE_URL is not set: start the backend (make e2e does) and point it there, e.g.\n' +
      '  FLOTILLA_BASE_URL=http://127.0.0.1:8000 npm run e2e');
    process.exit(2);
  }
  return url.replace(/\/+$/, '');
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** A fresh, cookie-less browser context; the UI language starts in Chinese unless told otherwise. */
export async function newPage(browser, { width = 1280, height = 800, locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: 1,
    locale,
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the login form and waits for the workbench; returns the login response body. */
export async function login(page, username = 'admin', password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl()}/login`);
  await page.locator('#login_username').fill(username);
  await page.locator('#login_password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
    page.locator('[data-testid="login-submit"]').click(),
  ]);
  const body = await response.json();
  if (!response.ok()) throw new Error(`login as ${username} failed: HTTP ${response.status()} ${JSON.stringify(body)}`);
  await page.waitForURL('**/workbench');
  await page.locator('[data-testid="welcome-title"]').waitFor();
  return body;
}

/** Calls the API from inside the page, with the session cookie and CSRF header the app would send. */
export function apiFetch(page, path, { method = 'GET', body } = {}) {
  return page.evaluate(
    async ({ path, method, body }) => {
      const csrf = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith('flotilla_csrf='));
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (csrf && method !== 'GET') headers['X-CSRF-Token'] = decodeURIComponent(csrf.slice('flotilla_csrf='.length));
      const r = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    { path, method, body },
  );
}

/** Waits until Ant Design spinners and skeletons are gone (lists finished loading). */
export async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.ant-spin-spinning, .ant-skeleton-active'), null, { timeout: 15_000 });
}

export function artifactPath(name) {
  const dir = join(HERE, '.artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
}
