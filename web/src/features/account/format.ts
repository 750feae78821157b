/** Money as the API sends it (a decimal string) in the UI language, e.g. `¥1,250,000`. */
export function formatMoney(amount: string | number, currency: string, locale: string, options: { compact?: boolean } = {}): string {
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: 0,
      maximumFractionDigits: options.compact ? 1 : 0,
      ...(options.compact ? { notation: 'compact' as const } : {}),
    }).format(value);
  } catch {
    // An unknown currency code: show the number and the code.
    return `${value.toLocaleString(locale)} ${currency}`;
  }
}
