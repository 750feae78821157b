import { describe, expect, it, vi } from 'vitest';
import { type ApiContext, createApiClient, unwrap } from './client';
import { CSRF_HEADER, needsCsrf, readCookie } from './csrf';
import { ApiError } from './errors';

function harness(respond: (req: Request) => Response) {
  const seen: Request[] = [];
  const fetch = vi.fn(async (input: Request) => {
    seen.push(input);
    return respond(input);
  }) as unknown as typeof globalThis.fetch;
  const ctx: ApiContext = {
    getLocale: () => 'en-US',
    getCsrfToken: () => 'csrf-123',
    onUnauthorized: vi.fn(),
    fallbackMessage: (status) => `failed ${status}`,
  };
  const client = createApiClient({ baseUrl: 'http://flotilla.test', fetch, context: ctx });
  return { client, ctx, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('a=1; flotilla_csrf=abc%3D%3D; b=2', 'flotilla_csrf')).toBe('abc==');
    expect(readCookie('flotilla_csrf_old=x', 'flotilla_csrf')).toBeNull();
    expect(readCookie('', 'flotilla_csrf')).toBeNull();
  });

  it('treats only GET, HEAD and OPTIONS as safe', () => {
    expect(needsCsrf('GET')).toBe(false);
    expect(needsCsrf('head')).toBe(false);
    expect(needsCsrf('POST')).toBe(true);
    expect(needsCsrf('PATCH')).toBe(true);
    expect(needsCsrf('DELETE')).toBe(true);
  });
});

describe('api client', () => {
  it('sends the CSRF token on writes but not on reads, and the UI language always', async () => {
    const { client, seen } = harness(() => json(200, { items: [], next_cursor: null, total: null }));
    await client.GET('/api/v1/org-units', { params: { query: { limit: 10 } } });
    await client.PATCH('/api/v1/me/preferences', { body: { locale: 'en-US' } });
    const [get, patch] = seen;
    expect(get?.headers.get(CSRF_HEADER)).toBeNull();
    expect(get?.headers.get('Accept-Language')).toBe('en-US');
    expect(get?.url).toBe('http://flotilla.test/api/v1/org-units?limit=10');
    expect(patch?.headers.get(CSRF_HEADER)).toBe('csrf-123');
    expect(patch?.headers.get('Accept-Language')).toBe('en-US');
    expect(get?.credentials).toBe('same-origin');
  });

  it('reports a 401 as a lost session, except from the login call itself', async () => {
    const { client, ctx } = harness(() => json(401, { error: { code: 'unauthenticated', message: 'Authentication required' } }));
    await expect(unwrap(client.GET('/api/v1/me'), ctx)).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(ctx.onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(
      unwrap(client.POST('/api/v1/auth/login', { body: { username: 'admin', password: 'wrong' } }), ctx),
    ).rejects.toBeInstanceOf(ApiError);
    expect(ctx.onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('turns error bodies into a typed ApiError with field errors', async () => {
    const { client, ctx } = harness(() =>
      json(409, { error: { code: 'version_conflict', message: '记录已被他人修改', fields: [{ field: 'version', code: 'stale', message: '过期' }] } }),
    );
    const failure = unwrap(
      client.PATCH('/api/v1/org-units/{unit_id}', { params: { path: { unit_id: 'u1' } }, body: { version: 1, name: 'x' } }),
      ctx,
    );
    await expect(failure).rejects.toMatchObject({
      status: 409,
      code: 'version_conflict',
      message: '记录已被他人修改',
      fields: [{ field: 'version', code: 'stale', message: '过期' }],
    });
  });

  it('turns a network failure into an ApiError with status 0', async () => {
    const { client, ctx } = harness(() => {
      throw new TypeError('fetch failed');
    });
    await expect(unwrap(client.GET('/api/v1/me'), ctx)).rejects.toMatchObject({ status: 0, code: 'network_error', message: 'failed 0' });
  });

  it('returns the data of a successful call', async () => {
    const { client, ctx } = harness(() => json(200, [{ code: 'org.read', name: '查看组织架构', name_en: 'View the org tree' }]));
    const list = await unwrap(client.GET('/api/v1/permissions'), ctx);
    expect(list[0]?.code).toBe('org.read');
  });
});
