import { describe, expect, it } from 'vitest';
import { enUS } from './en-US';
import { actionLabel, groupPermissions, widestScope } from './labels';
import { initialLocale, translate, translateDynamic } from './translate';
import { zhCN } from './zh-CN';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('English has every Chinese message, none empty, with the same placeholders', () => {
    for (const [key, zh] of Object.entries(zhCN)) {
      const en = enUS[key as keyof typeof zhCN];
      expect(en, key).toBeTruthy();
      expect(placeholders(en), key).toEqual(placeholders(zh));
    }
    expect(Object.keys(enUS).sort()).toEqual(Object.keys(zhCN).sort());
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'common.total', { total: 42 })).toBe('共 42 条');
    expect(translate('en-US', 'common.total', { total: 42 })).toBe('42 in total');
    expect(translate('en-US', 'common.total')).toBe('{total} in total');
  });

  it('falls back for run-time keys it does not know', () => {
    expect(translateDynamic('zh-CN', 'kind.subsidiary', 'subsidiary')).toBe('子公司');
    expect(translateDynamic('zh-CN', 'kind.region', 'region')).toBe('region');
  });

  it('starts in the saved language, else the browser’s, else Chinese', () => {
    expect(initialLocale('en-US', ['zh-CN'])).toBe('en-US');
    expect(initialLocale(null, ['en-GB', 'zh-CN'])).toBe('en-US');
    expect(initialLocale('fr-FR', ['de-DE'])).toBe('zh-CN');
    expect(initialLocale(null, ['zh-TW'])).toBe('zh-CN');
  });
});

describe('labels', () => {
  const td = (key: string, fallback: string) => translateDynamic('zh-CN', key, fallback);

  it('names audit actions by verb and object', () => {
    expect(actionLabel(td, 'org_unit.update')).toBe('修改 · 组织单元');
    expect(actionLabel(td, 'auth.login')).toBe('登录');
    expect(actionLabel(td, 'auth.login_failed')).toBe('登录失败');
    expect(actionLabel(td, 'report.generated')).toBe('report.generated');
  });

  it('picks the widest data scope', () => {
    expect(widestScope(['unit', 'subsidiary', 'own'])).toBe('subsidiary');
    expect(widestScope([])).toBeNull();
  });

  it('groups permissions by module in catalogue order', () => {
    const groups = groupPermissions(['org.read', 'account.write', 'account.read', 'custom.thing']);
    expect(groups.get('account')).toEqual(['account.read', 'account.write']);
    expect(groups.get('lead')).toEqual([]);
    expect(groups.get('custom')).toEqual(['custom.thing']);
    expect([...groups.keys()][0]).toBe('account');
  });
});
