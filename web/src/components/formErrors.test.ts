import type { FormInstance } from 'antd';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/errors';
import { applyApiError, fieldPath, splitFieldErrors } from './formErrors';

describe('fieldPath', () => {
  it('splits dotted API field names into Ant Design name paths', () => {
    expect(fieldPath('name')).toEqual(['name']);
    expect(fieldPath('contacts.0.phone')).toEqual(['contacts', 0, 'phone']);
    expect(fieldPath('')).toEqual([]);
  });
});

describe('splitFieldErrors', () => {
  it('groups messages per form field and keeps the rest apart', () => {
    const { fieldData, unmatched } = splitFieldErrors(
      [
        { field: 'code', code: 'duplicate', message: '该值已存在' },
        { field: 'code', code: 'pattern', message: '格式不正确' },
        { field: 'code', code: 'duplicate', message: '该值已存在' },
        { field: 'parent_id', code: 'unknown_reference', message: '引用的记录不存在' },
        { field: '', code: 'x', message: '整体错误' },
      ],
      (path) => path[0] === 'code',
    );
    expect(fieldData).toEqual([{ name: ['code'], errors: ['该值已存在', '格式不正确'] }]);
    expect(unmatched.map((f) => f.field)).toEqual(['parent_id', '']);
  });
});

function fakeForm(values: Record<string, unknown>) {
  const setFields = vi.fn();
  const form = { getFieldsValue: () => values, setFields } as unknown as FormInstance;
  return { form, setFields };
}

describe('applyApiError', () => {
  it('puts field errors on the inputs the form has and reports the others', () => {
    const { form, setFields } = fakeForm({ code: 'BJ', name: undefined });
    const error = new ApiError({
      status: 422,
      code: 'validation_failed',
      message: '提交的数据有误',
      fields: [
        { field: 'name', code: 'missing', message: '必填字段' },
        { field: 'uscc', code: 'invalid_uscc', message: '统一社会信用代码无效' },
      ],
    });
    const state = applyApiError(form, error);
    expect(setFields).toHaveBeenCalledWith([{ name: ['name'], errors: ['必填字段'] }]);
    expect(state).toEqual({
      message: '提交的数据有误',
      details: ['uscc: 统一社会信用代码无效'],
      code: 'validation_failed',
      status: 422,
      placedOnFields: 1,
    });
  });

  it('does not touch the form for errors without fields', () => {
    const { form, setFields } = fakeForm({ name: 'x' });
    const state = applyApiError(form, new ApiError({ status: 409, code: 'version_conflict', message: '记录已被他人修改' }));
    expect(setFields).not.toHaveBeenCalled();
    expect(state.code).toBe('version_conflict');
    expect(state.details).toEqual([]);
  });

  it('reports programming errors with their own message', () => {
    const { form } = fakeForm({});
    expect(applyApiError(form, new Error('boom')).message).toBe('boom');
  });
});
