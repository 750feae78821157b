/**
 * Exact fixed-point arithmetic on the decimal strings the API sends (money, quantities,
 * percentages), on BigInt: never JS floats. Used only for display-side previews (a payment
 * plan's difference to the contract amount, a line editor's estimate); saved totals are always
 * the server's.
 */

/** A decimal as an integer count of 10^-scale units: `{units: 12345n, scale: 2}` is 123.45. */
export interface Fixed {
  units: bigint;
  scale: number;
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * `"1,234.5"` → 123450n at scale 2. Thousands separators and spaces are ignored. Extra places
 * beyond `scale` are rounded half up (away from zero). Returns null for anything else.
 */
export function parseFixed(value: string | number | null | undefined, scale: number): bigint | null {
  if (value === null || value === undefined) return null;
  const text = (typeof value === 'number' ? String(value) : value).replace(/[,\s]/g, '');
  if (text === '' || /e/i.test(text)) return null;
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const [, sign, whole = '', frac = ''] = m;
  if (whole === '' && frac === '') return null;
  const kept = frac.slice(0, scale).padEnd(scale, '0');
  let units = BigInt(`${whole || '0'}${kept}`);
  const next = frac.charAt(scale);
  if (next !== '' && Number(next) >= 5) units += 1n;
  return sign === '-' ? -units : units;
}

/** 123450n at scale 2 → `"1234.50"` (no separators: the API's own format). */
export function formatFixed(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const digits = abs.toString().padStart(scale + 1, '0');
  const whole = scale > 0 ? digits.slice(0, -scale) : digits;
  const frac = scale > 0 ? `.${digits.slice(-scale)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** Divides and rounds half up (away from zero), like the server's ROUND_HALF_UP. */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

export const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Money (2 places) helpers. */
export const MONEY_SCALE = 2;
export const toCents = (v: string | number | null | undefined): bigint | null => parseFixed(v, MONEY_SCALE);
export const fromCents = (cents: bigint): string => formatFixed(cents, MONEY_SCALE);

/** Σ of decimal strings at 2 places; blank or invalid entries count as 0 and are reported. */
export function sumMoney(values: readonly (string | number | null | undefined)[]): { total: string; invalid: number } {
  let total = 0n;
  let invalid = 0;
  for (const v of values) {
    const c = toCents(v);
    if (c === null) invalid += 1;
    else total += c;
  }
  return { total: fromCents(total), invalid };
}

/** a − b for money strings; null when either is not a number. */
export function subtractMoney(a: string | number | null | undefined, b: string | number | null | undefined): string | null {
  const x = toCents(a);
  const y = toCents(b);
  return x === null || y === null ? null : fromCents(x - y);
}

/** Sign of a money string: -1, 0 or 1 (0 for invalid input). */
export function signOf(v: string | null | undefined): -1 | 0 | 1 {
  const c = toCents(v);
  if (c === null || c === 0n) return 0;
  return c < 0n ? -1 : 1;
}

/** Compares two money strings: -1, 0, 1; null when either is invalid. */
export function compareMoney(a: string | number | null | undefined, b: string | number | null | undefined): -1 | 0 | 1 | null {
  const x = toCents(a);
  const y = toCents(b);
  if (x === null || y === null) return null;
  return x === y ? 0 : x < y ? -1 : 1;
}
