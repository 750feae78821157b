import { formatCount, formatMoneyExact } from '@/features/analytics/format';

export const MONEY_TARGETS: ReadonlySet<string> = new Set(['contract_amount', 'payment_collected']);

/** A target value or achievement as the metric counts it: money in the group currency, else a count. */
export function formatTargetValue(value: string | number | null | undefined, metric: string, currency: string | null | undefined, locale: string): string {
  if (MONEY_TARGETS.has(metric)) return formatMoneyExact(value, currency ?? 'CNY', locale);
  return formatCount(value, locale);
}
