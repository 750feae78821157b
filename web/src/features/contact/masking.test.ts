import { describe, expect, it } from 'vitest';
import { contactChanges, isMaskedValue } from './masking';

const contact = { name: '张伟', title: '采购经理', phone: '138****5678', email: 'zh***@example.com', is_primary: false, version: 3 };

describe('masked contact data', () => {
  it('recognises the server masks', () => {
    expect(isMaskedValue('138****5678')).toBe(true);
    expect(isMaskedValue('13812345678')).toBe(false);
    expect(isMaskedValue(null)).toBe(false);
  });

  it('keeps a masked value when its input is left empty and never sends it back', () => {
    expect(contactChanges(contact, { name: '张伟', title: '采购经理', phone: '', email: undefined, is_primary: false })).toEqual({ version: 3 });
  });

  it('replaces a masked value the user typed anew, and sends other changes', () => {
    expect(contactChanges(contact, { name: '张伟', title: '', phone: '13900001111', email: '', is_primary: true })).toEqual({
      version: 3,
      title: null,
      phone: '13900001111',
      is_primary: true,
    });
  });

  it('clears an unmasked value that was emptied', () => {
    const clear = { ...contact, phone: '13812345678', email: 'a@b.cn' };
    expect(contactChanges(clear, { name: '张伟', title: '采购经理', phone: ' ', email: 'a@b.cn' })).toEqual({ version: 3, phone: null });
  });
});
