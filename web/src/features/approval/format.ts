/**
 * Display helpers for approvals. Decimals arrive as strings (`"500000.00"`) and are formatted
 * as text — digits are grouped, never turned into JS floats, so `10.005` stays `10.005`.
 */

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Whether `text` is a plain decimal (what the server sends and accepts): `12`, `-3.5`, `0.25`. */
export function isDecimalString(text: string): boolean {
  return DECIMAL.test(text.trim());
}

/**
 * `"1234567.50"` → `"1,234,567.5"` with `minFraction` 0, `"1,234,567.50"` with 2. Trailing
 * zeros beyond `minFraction` are dropped; digits are never rounded away.
 */
export function groupDecimal(value: string | number, minFraction = 0): string {
  const text = String(value).trim();
  const m = DECIMAL.exec(text);
  if (!m) return text;
  const sign = m[1] === '-' ? '-' : '';
  const int = (m[2] ?? '0').replace(/^0+(?=\d)/, '');
  let frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length < minFraction) frac = frac.padEnd(minFraction, '0');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negativeZero = sign && /^0*$/.test(int + frac);
  return `${negativeZero ? '' : sign}${grouped}${frac ? `.${frac}` : ''}`;
}

const affixCache = new Map<string, { prefix: string; suffix: string }>();

/** The currency's symbol and where it goes in `locale` (`¥` before, `HK$` before, …). */
export function currencyAffix(currency: string, locale: string): { prefix: string; suffix: string } {
  const key = `${locale}|${currency}`;
  const cached = affixCache.get(key);
  if (cached) return cached;
  let result = { prefix: `${currency} `, suffix: '' };
  try {
    const parts = new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(1);
    const first = parts.findIndex((p) => p.type === 'integer');
    const last = parts.length - 1 - [...parts].reverse().findIndex((p) => p.type === 'integer' || p.type === 'fraction');
    const text = (ps: Intl.NumberFormatPart[]) => ps.filter((p) => p.type === 'currency' || p.type === 'literal').map((p) => p.value).join('');
    result = { prefix: text(parts.slice(0, first)), suffix: text(parts.slice(last + 1)) };
  } catch {
    /* an unknown currency code: show the code */
  }
  affixCache.set(key, result);
  return result;
}

/** Money as the API sends it: `formatMoney("500000.00", "CNY", "zh-CN")` → `¥500,000`. */
export function formatMoney(amount: string | number | null | undefined, currency: string | null | undefined, locale: string): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const text = String(amount).trim();
  if (!isDecimalString(text)) return text;
  const negative = text.startsWith('-') && !/^-0*(\.0*)?$/.test(text);
  const digits = groupDecimal(text.replace(/^[+-]/, ''), 0);
  const fixed = digits.includes('.') ? groupDecimal(text.replace(/^[+-]/, ''), 2) : digits;
  if (!currency) return `${negative ? '-' : ''}${fixed}`;
  const { prefix, suffix } = currencyAffix(currency, locale);
  return `${negative ? '-' : ''}${prefix}${fixed}${suffix}`;
}

/** A percentage as sent (`"10.00"`) → `10%`. */
export function formatPercent(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  return `${groupDecimal(value)}%`;
}
