import { describe, expect, it } from 'vitest';
import { ApiError, parseRetryAfter, toApiError } from './errors';

describe('toApiError', () => {
  it('reads the backend error envelope with field errors', () => {
    const err = toApiError(422, {
      error: {
        code: 'validation_failed',
        message: '提交的数据有误',
        fields: [{ field: 'code', code: 'duplicate', message: '该值已存在' }],
      },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_failed');
    expect(err.message).toBe('提交的数据有误');
    expect(err.fields).toEqual([{ field: 'code', code: 'duplicate', message: '该值已存在' }]);
  });

  it('keeps the lock-out wait from Retry-After on 429', () => {
    const headers = new Headers({ 'Retry-After': '900' });
    const err = toApiError(429, { error: { code: 'login_locked', message: '登录失败次数过多，请 15 分钟后再试' } }, headers);
    expect(err.code).toBe('login_locked');
    expect(err.retryAfter).toBe(900);
    expect(err.fields).toEqual([]);
  });

  it("understands FastAPI's own validation shape", () => {
    const err = toApiError(422, {
      detail: [
        { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'contacts', 0, 'phone'], msg: 'Invalid', type: 'string_pattern_mismatch' },
      ],
    });
    expect(err.code).toBe('validation_failed');
    expect(err.fields.map((f) => f.field)).toEqual(['name', 'contacts.0.phone']);
  });

  it('falls back to the given message for bodies that are not JSON errors', () => {
    const err = toApiError(502, '<html>Bad gateway</html>', null, '服务器返回错误（HTTP 502）');
    expect(err.code).toBe('http_502');
    expect(err.message).toBe('服务器返回错误（HTTP 502）');
  });

  it('ignores malformed field entries instead of crashing', () => {
    const err = toApiError(400, { error: { code: 'x', message: 'm', fields: [null, 'bad', { field: 'a' }] } });
    expect(err.fields).toEqual([{ field: 'a', code: 'invalid', message: 'invalid' }]);
  });
});

describe('parseRetryAfter', () => {
  it('accepts seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('not a date')).toBeNull();
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inAMinute)).toBeGreaterThan(50);
  });
});
