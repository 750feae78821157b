/**
 * Number formatting for the dashboards. Figures arrive as decimal strings (money with two
 * places, ratios with four); Intl formats the strings directly, so no float rounding creeps
 * into what is shown. Only chart geometry uses numbers.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;

const isDecimal = (v: unknown): v is string | number => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && DECIMAL.test(v));

/** Money in full, exact to the cent: `¥1,234,567.50`. */
export function formatMoneyExact(amount: string | number | null | undefined, currency: string, locale: string): string {
  if (!isDecimal(amount)) return '—';
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount as number);
  } catch {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount as number)} ${currency}`;
  }
}

/** Money for a card or a table cell: `¥1,234.6万` in Chinese, `CN¥12.3M` in English. */
export function formatMoneyShort(amount: string | number | null | undefined, currency: string, locale: string): string {
  if (!isDecimal(amount)) return '—';
  const options: Intl.NumberFormatOptions = { notation: 'compact', maximumFractionDigits: 1 };
  try {
    return new Intl.NumberFormat(locale, { ...options, style: 'currency', currency }).format(amount as number);
  } catch {
    return `${new Intl.NumberFormat(locale, options).format(amount as number)} ${currency}`;
  }
}

/** A count with separators: `1,234`. */
export function formatCount(value: string | number | null | undefined, locale: string): string {
  if (!isDecimal(value)) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value as number);
}

/** A ratio (`"0.8123"`) as a percentage with one place: `81.2%`; null → `—`. */
export function formatRatio(ratio: string | number | null | undefined): string {
  if (!isDecimal(ratio)) return '—';
  return `${(Number(ratio) * 100).toFixed(1)}%`;
}

/** A ratio as the percent a progress ring draws (0–100; above target still draws full). */
export function ratioPercent(ratio: string | number | null | undefined): number {
  if (!isDecimal(ratio)) return 0;
  return Math.max(0, Math.min(100, Math.round(Number(ratio) * 1000) / 10));
}

/** Coverage (weighted pipeline ÷ remaining target): `1.25×`. */
export function formatCoverage(coverage: string | number | null | undefined): string {
  if (!isDecimal(coverage)) return '—';
  return `${Number(coverage).toFixed(2)}×`;
}

/** A change against an earlier value (`"0.1234"` → `+12.3%`, `"-0.04"` → `−4.0%`); null → `—`. */
export function formatChange(change: string | number | null | undefined): string {
  if (!isDecimal(change)) return '—';
  const pct = Number(change) * 100;
  const text = Math.abs(pct).toFixed(1);
  if (text === '0.0') return '0.0%';
  return `${pct > 0 ? '+' : '−'}${text}%`;
}

/** Days with one place, trailing `.0` dropped: `"42.0"` → `42`, `"37.5"` → `37.5`. */
export function formatDays(days: string | number | null | undefined): string {
  if (!isDecimal(days)) return '—';
  const text = Number(days).toFixed(1);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

export type Pace = 'ahead' | 'on_track' | 'behind' | 'none';

/**
 * How an achievement ratio compares with the share of the period already passed: at or above
 * the pace is ahead, within 80 % of it on track, else behind (no target → none).
 */
export function paceOf(ratio: string | number | null | undefined, elapsed: number): Pace {
  if (!isDecimal(ratio)) return 'none';
  const value = Number(ratio);
  if (value >= elapsed) return 'ahead';
  if (value >= elapsed * 0.8) return 'on_track';
  return 'behind';
}

export const PACE_COLORS: Record<Pace, string> = { ahead: '#16a34a', on_track: '#f59e0b', behind: '#dc2626', none: '#94a3b8' };
