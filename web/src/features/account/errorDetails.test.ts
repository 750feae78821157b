import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { claimConflictInfo, DetailedApiError, duplicateRefusal, extraMembers, unwrapDetailed } from './errorDetails';

function refusal(status: number, body: unknown) {
  return Promise.resolve({ error: body, response: new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }) });
}

const DUPLICATE = {
  error: {
    code: 'duplicate_account',
    message: '疑似重复客户，请先核对已有客户',
    fields: [{ field: 'name', code: 'duplicate', message: '该值已存在' }],
    matches: [
      { visible: true, reason: 'name_exact', score: 100, subsidiary_name: '北京', id: 'a1', name: '华为技术有限公司', owner_name: '周晓明' },
      { visible: false, reason: 'name_fuzzy', score: 91, subsidiary_name: '上海', message: '已存在于其他子公司，负责人不公开' },
      { nonsense: true },
    ],
    can_force: true,
    threshold: 88,
  },
};

describe('extraMembers', () => {
  it('keeps everything but code, message and fields', () => {
    expect(extraMembers(DUPLICATE)).toEqual({ matches: DUPLICATE.error.matches, can_force: true, threshold: 88 });
  });

  it('is empty for bodies that are not the error envelope', () => {
    expect(extraMembers(null)).toEqual({});
    expect(extraMembers({ detail: 'x' })).toEqual({});
    expect(extraMembers('<html>')).toEqual({});
  });
});

describe('unwrapDetailed', () => {
  it('returns the data of a successful call', async () => {
    const ok = Promise.resolve({ data: { id: 'x' }, response: new Response('{}', { status: 201 }) });
    await expect(unwrapDetailed(ok)).resolves.toEqual({ id: 'x' });
  });

  it('rejects with an ApiError that still carries the matches of a duplicate refusal', async () => {
    const error = await unwrapDetailed(refusal(409, DUPLICATE)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(DetailedApiError);
    const e = error as DetailedApiError;
    expect(e.status).toBe(409);
    expect(e.code).toBe('duplicate_account');
    expect(e.fields).toEqual([{ field: 'name', code: 'duplicate', message: '该值已存在' }]);
    expect(e.details.can_force).toBe(true);
  });

  it('turns a network failure into an ApiError without details', async () => {
    const error = await unwrapDetailed(Promise.reject(new TypeError('fetch failed'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('network_error');
  });
});

describe('duplicateRefusal', () => {
  it('lists well-formed matches, visible and hidden, and whether the caller may force', async () => {
    const error = await unwrapDetailed(refusal(409, DUPLICATE)).catch((e: unknown) => e);
    const r = duplicateRefusal(error);
    expect(r?.canForce).toBe(true);
    expect(r?.matches.map((m) => [m.visible, m.reason])).toEqual([
      [true, 'name_exact'],
      [false, 'name_fuzzy'],
    ]);
    expect(r?.matches[1]?.name).toBeUndefined();
  });

  it('is null for other errors, and never forcible without the server saying so', async () => {
    expect(duplicateRefusal(new ApiError({ status: 409, code: 'version_conflict', message: 'x' }))).toBeNull();
    expect(duplicateRefusal(new Error('x'))).toBeNull();
    const bare = duplicateRefusal(new ApiError({ status: 409, code: 'duplicate_account', message: 'x' }));
    expect(bare).toEqual({ matches: [], canForce: false });
  });
});

describe('claimConflictInfo', () => {
  it('reads the protecting unit and period of a 撞单 refusal', async () => {
    const body = {
      error: {
        code: 'claim_conflict',
        message: '撞单：该客户已由「中小企业一组」报备保护，已登记撞单等待处理',
        fields: [],
        conflict_id: 'c1',
        protecting_unit: '中小企业一组',
        protected_until: '2027-02-21T05:31:52+00:00',
      },
    };
    const error = await unwrapDetailed(refusal(409, body)).catch((e: unknown) => e);
    expect(claimConflictInfo(error)).toEqual({
      message: body.error.message,
      conflictId: 'c1',
      protectingUnit: '中小企业一组',
      protectedUntil: '2027-02-21T05:31:52+00:00',
    });
  });

  it('is null for other errors and tolerates a conflict without details', () => {
    expect(claimConflictInfo(new ApiError({ status: 409, code: 'pool_cooldown', message: 'x' }))).toBeNull();
    expect(claimConflictInfo(new ApiError({ status: 409, code: 'claim_conflict', message: 'm' }))).toEqual({
      message: 'm',
      conflictId: null,
      protectingUnit: null,
      protectedUntil: null,
    });
  });
});
