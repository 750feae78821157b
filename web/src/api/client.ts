import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { CSRF_COOKIE, CSRF_HEADER, needsCsrf, readCookie } from './csrf';
import { ApiError, toApiError } from './errors';
import type { paths } from './schema';

export interface ApiContext {
  /** The UI language, sent as Accept-Language so server messages match the screen. */
  getLocale: () => string;
  /** The CSRF token for unsafe methods; by default the readable `flotilla_csrf` cookie. */
  getCsrfToken: () => string | null;
  /** Called on a 401 from anything but the login call itself. */
  onUnauthorized: () => void;
  /** Message for responses without a usable error body (network down, proxy error page). */
  fallbackMessage: (status: number) => string;
}

const LOGIN_PATH = '/api/v1/auth/login';

let csrfFromLogin: string | null = null;

/** Keeps the token from the login response for browsers that hide the cookie (tests, odd proxies). */
export function rememberCsrfToken(token: string | null): void {
  csrfFromLogin = token;
}

export const apiContext: ApiContext = {
  getLocale: () => 'zh-CN',
  getCsrfToken: () => (typeof document === 'undefined' ? null : readCookie(document.cookie, CSRF_COOKIE)) ?? csrfFromLogin,
  onUnauthorized: () => {
    if (typeof window !== 'undefined' && window.location.pathname !== '/login') {
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(`/login?next=${next}`);
    }
  },
  fallbackMessage: (status) => (status === 0 ? 'Network error' : `HTTP ${status}`),
};

export function configureApi(overrides: Partial<ApiContext>): void {
  Object.assign(apiContext, overrides);
}

export function apiMiddleware(ctx: ApiContext): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('Accept-Language', ctx.getLocale());
      if (needsCsrf(request.method)) {
        const token = ctx.getCsrfToken();
        if (token) request.headers.set(CSRF_HEADER, token);
      }
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && new URL(request.url).pathname !== LOGIN_PATH) {
        ctx.onUnauthorized();
      }
      return response;
    },
  };
}

/**
 * The JSON client. Lists and analytics also answer `?format=xlsx` (a second media type in the
 * schema); typing responses as JSON only keeps `data` typed — downloads go through
 * `features/analytics/download.ts`, not this client.
 */
export type ApiClient = Client<paths, 'application/json'>;

export function createApiClient(options: { baseUrl?: string; fetch?: typeof fetch; context?: ApiContext } = {}): ApiClient {
  const client = createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl ?? '',
    credentials: 'same-origin',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use(apiMiddleware(options.context ?? apiContext));
  return client;
}

/** The app's one API client. Paths in the schema already start with `/api/v1`. */
export const api = createApiClient();

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its data, or rejects with an ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>, ctx: ApiContext = apiContext): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw new ApiError({ status: 0, code: 'network_error', message: ctx.fallbackMessage(0) });
  }
  const { data, error, response } = result;
  if (!response.ok) {
    throw toApiError(response.status, error, response.headers, ctx.fallbackMessage(response.status));
  }
  return data as T;
}
