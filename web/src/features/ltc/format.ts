/** Display formatting for the lead-to-cash screens: money with cents, percentages, dates. */
import dayjs from 'dayjs';

/**
 * A decimal string from the API as money in the UI language, exact to the cent:
 * `("1234567.5", "CNY", "zh-CN")` → `¥1,234,567.50`. The string goes to Intl as it is (no float).
 */
export function formatAmount(amount: string | number | null | undefined, currency: string | null | undefined, locale: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const text = String(amount);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  const value = text as unknown as number; // Intl.NumberFormat formats decimal strings exactly
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
    } catch {
      // an unknown currency code: the number and the code
    }
  }
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
  return currency ? `${number} ${currency}` : number;
}

/** A plain number with separators and up to `max` places: quantities, FX rates. */
export function formatNumber(value: string | number | null | undefined, locale: string, max = 4): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: max }).format(text as unknown as number);
}

/** `"15.00"` → `15%`, `"12.50"` → `12.5%`. */
export function formatPercent(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return `${trimmed}%`;
}

export const formatDate = (v: string | null | undefined): string => (v ? dayjs(v).format('YYYY-MM-DD') : '—');
export const formatDateTime = (v: string | null | undefined): string => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—');

/** `BJ-QT-2026-000012` and revision 2 → `BJ-QT-2026-000012 v2`. */
export const quoteNumber = (number: string, revision: number): string => `${number} v${revision}`;

/** How a list of names is joined in the UI language. */
export const listSep = (locale: string): string => (locale === 'zh-CN' ? '、' : ', ');
