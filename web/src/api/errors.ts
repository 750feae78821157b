/** The one error type every API call rejects with. */

export interface ApiFieldError {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: ApiFieldError[];
  /** Seconds from a `Retry-After` header (lock-outs, rate limits), when the server sent one. */
  readonly retryAfter: number | null;

  constructor(init: { status: number; code: string; message: string; fields?: ApiFieldError[]; retryAfter?: number | null }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.fields = init.fields ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function parseFields(raw: unknown): ApiFieldError[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((f) => {
    const code = asString(f.code) ?? 'invalid';
    return { field: asString(f.field) ?? '', code, message: asString(f.message) ?? code };
  });
}

/** FastAPI's own validation shape, `{"detail": [{"loc": ["body", "name"], "msg", "type"}]}`. */
function parseFastApiDetail(detail: unknown): ApiFieldError[] {
  if (!Array.isArray(detail)) return [];
  return detail.filter(isRecord).map((d) => {
    const loc = Array.isArray(d.loc) ? d.loc.filter((p) => typeof p === 'string' || typeof p === 'number') : [];
    const path = loc[0] === 'body' || loc[0] === 'query' || loc[0] === 'path' ? loc.slice(1) : loc;
    return { field: path.join('.'), code: asString(d.type) ?? 'invalid', message: asString(d.msg) ?? '' };
  });
}

export function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds));
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

/**
 * Turns any error response into an ApiError.
 *
 * Understands the backend's `{"error": {code, message, fields}}`, FastAPI's `{"detail": ...}`,
 * and bodies that are not JSON at all (a proxy's 502 page), for which `fallbackMessage` is used.
 */
export function toApiError(status: number, body: unknown, headers?: Headers | null, fallbackMessage?: string): ApiError {
  const retryAfter = parseRetryAfter(headers?.get('Retry-After'));
  const fallback = fallbackMessage ?? `HTTP ${status}`;
  if (isRecord(body) && isRecord(body.error)) {
    const e = body.error;
    return new ApiError({
      status,
      code: asString(e.code) ?? `http_${status}`,
      message: asString(e.message) ?? fallback,
      fields: parseFields(e.fields),
      retryAfter,
    });
  }
  if (isRecord(body) && 'detail' in body) {
    const fields = parseFastApiDetail(body.detail);
    const message = asString(body.detail) ?? fallback;
    return new ApiError({ status, code: fields.length ? 'validation_failed' : `http_${status}`, message, fields, retryAfter });
  }
  return new ApiError({ status, code: status === 0 ? 'network_error' : `http_${status}`, message: fallback, retryAfter });
}
