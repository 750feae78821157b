import { describe, expect, it } from 'vitest';
import type { Account } from '@/api/types';
import { accountChanges } from './changes';
import { formatMoney } from './format';

const account = {
  id: 'a1',
  name: '华为技术有限公司',
  name_en: 'Huawei Technologies Co., Ltd.',
  uscc: null,
  industry: '通信',
  region: '深圳',
  tier: 'strategic',
  value_class: 'A',
  version: 7,
} as unknown as Account;

describe('accountChanges', () => {
  it('sends only the version when nothing changed (values are trimmed first)', () => {
    expect(accountChanges(account, { name: ' 华为技术有限公司 ', name_en: 'Huawei Technologies Co., Ltd.', industry: '通信', region: '深圳', tier: 'strategic', value_class: 'A', uscc: '' })).toEqual({
      version: 7,
    });
  });

  it('sends changed fields and clears emptied optional ones with null', () => {
    expect(accountChanges(account, { name: '华为技术(深圳)有限公司', name_en: '', industry: '通信', region: '', tier: 'key_account', value_class: 'A' })).toEqual({
      version: 7,
      name: '华为技术(深圳)有限公司',
      name_en: null,
      region: null,
      tier: 'key_account',
    });
  });

  it('never clears the required name, tier or value class', () => {
    expect(accountChanges(account, { name: '  ', tier: null, value_class: null, name_en: 'Huawei Technologies Co., Ltd.', industry: '通信', region: '深圳' })).toEqual({ version: 7 });
  });
});

describe('formatMoney', () => {
  it('formats decimal strings in the UI language', () => {
    expect(formatMoney('1250000.00', 'CNY', 'zh-CN')).toBe('¥1,250,000');
    expect(formatMoney('1250000.00', 'USD', 'en-US')).toBe('$1,250,000');
  });

  it('compacts large amounts and survives odd input', () => {
    expect(formatMoney(12_500_000, 'CNY', 'zh-CN', { compact: true })).toBe('¥1250万');
    expect(formatMoney('abc', 'CNY', 'zh-CN')).toBe('abc');
    expect(formatMoney('10', 'NOPE', 'en-US')).toMatch(/10/);
  });
});
