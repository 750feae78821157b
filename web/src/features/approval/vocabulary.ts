import { useMemo } from 'react';
import { useRoles } from '@/features/user/hooks';
import { type I18n, useI18n } from '@/i18n';
import { formatMoney, formatPercent, groupDecimal } from './format';
import { type ActionCatalog, useActionCatalog } from './hooks';
import type { FactType, RuleVocabulary, RuleWords } from './rules';
import type { StepWords } from './steps';

/** Labels of the choice codes facts carry (tiers, value classes, forecast categories). */
export function choiceLabel(td: I18n['td'], field: string, value: string): string {
  if (field === 'account.tier') return td(`account.tier.${value}`, value);
  if (field === 'account.value_class') return td(`account.valueClass.${value}`, value);
  if (field === 'forecast_category') return td(`opp.forecast.${value}`, value);
  return value;
}

export function ruleWords(t: I18n['t'], td: I18n['td']): RuleWords {
  return {
    always: t('approval.rule.always'),
    and: t('approval.rule.and'),
    or: t('approval.rule.or'),
    not: t('approval.rule.not'),
    authority: (role, limit) => t('approval.rule.authority', { role, limit }),
    op: (op) => td(`approval.op.${op}`, op),
    yes: t('approval.yes'),
    no: t('approval.no'),
    empty: t('approval.empty'),
  };
}

export function stepWords(t: I18n['t'], td: I18n['td'], locale: string): StepWords {
  return {
    user: (name) => t('approval.res.user', { name }),
    lineManager: (levels) => t('approval.res.lineManager', { levels }),
    role: (role, at) => t('approval.res.role', { role, at }),
    authority: (ladder, limits) => t('approval.res.authority', { ladder, limits }),
    atLabel: (at) => td(`approval.at.${at}`, at),
    listSeparator: locale === 'zh-CN' ? '、' : ', ',
  };
}

export interface Vocabulary extends RuleVocabulary {
  catalog: ActionCatalog;
  stepWords: StepWords;
  /** A fact's value for display: money with its currency, percentages, yes/no, choice labels. */
  factValue: (field: string, value: unknown, currencies: { document?: string | null; base?: string | null }) => string;
  roleOptions: { value: string; label: string }[];
}

/** Everything needed to show rules, steps and facts of `action` in the UI language. */
export function useVocabulary(action: string | null | undefined, enabled = true): Vocabulary & { ready: boolean } {
  const { t, td, locale } = useI18n();
  const catalog = useActionCatalog(enabled);
  const roles = useRoles();
  const vocab = useMemo<Vocabulary>(() => {
    const en = locale === 'en-US';
    const roleList = roles.data ?? [];
    const roleByCode = new Map(roleList.map((r) => [r.code, r]));
    const fields = new Map<string, { type: string; label: string; label_en: string; choices: string[] }>();
    const pool = action ? catalog.byCode.get(action)?.fields ?? [] : catalog.actions.flatMap((a) => a.fields);
    for (const f of pool) if (!fields.has(f.name)) fields.set(f.name, f);
    // Facts of other actions still get a label (e.g. a snapshot of a renamed action).
    for (const f of catalog.actions.flatMap((a) => a.fields)) if (!fields.has(f.name)) fields.set(f.name, f);
    const fieldType = (name: string) => fields.get(name)?.type as FactType | undefined;
    const yesNo = (v: boolean) => (v ? t('approval.yes') : t('approval.no'));
    return {
      catalog,
      words: ruleWords(t, td),
      stepWords: stepWords(t, td, locale),
      fieldLabel: (name) => {
        const f = fields.get(name);
        return f ? (en ? f.label_en : f.label) : name;
      },
      fieldType,
      limitLabel: catalog.limitLabel,
      roleLabel: (code) => {
        const r = roleByCode.get(code);
        return r ? (en && r.name_en ? r.name_en : r.name) : code;
      },
      choiceLabel: (field, value) => choiceLabel(td, field, value),
      roleOptions: roleList.map((r) => ({ value: r.code, label: en && r.name_en ? r.name_en : r.name })),
      factValue: (name, value, currencies) => {
        if (value === null || value === undefined || value === '') return t('common.none');
        if (typeof value === 'boolean') return yesNo(value);
        const type = fieldType(name);
        const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
        if (type === 'money') {
          const currency = name === 'amount' ? currencies.document ?? null : currencies.base ?? null;
          return formatMoney(text, currency, locale);
        }
        if (type === 'number' && name.endsWith('_pct')) return formatPercent(text);
        if (type === 'number' || type === 'integer') return groupDecimal(text);
        if (type === 'string') return choiceLabel(td, name, text);
        return text;
      },
    };
  }, [action, catalog, roles.data, t, td, locale]);
  return { ...vocab, ready: !catalog.isLoading && !roles.isLoading };
}
