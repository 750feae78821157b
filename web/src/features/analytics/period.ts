/**
 * Fiscal periods as the server writes them (`flotilla.core.period`): `2026` is a fiscal year,
 * `2026-Q3` a fiscal quarter, `2026-07` a calendar month. A fiscal year is named after the
 * calendar year it starts in: with a start month of April, `2026` runs 2026-04 … 2027-03 and
 * `2026-Q1` is April–June 2026. `end` is exclusive, dates are ISO `YYYY-MM-DD` strings, and all
 * arithmetic is on month numbers (no time zones involved).
 */

export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface FiscalPeriod {
  kind: PeriodKind;
  /** First day, `YYYY-MM-DD`. */
  start: string;
  /** The day after the last day (exclusive), `YYYY-MM-DD`. */
  end: string;
  /** The period's text: `2026`, `2026-Q3`, `2026-07`. */
  label: string;
}

const PATTERN = /^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$/;
const SIZE: Record<PeriodKind, number> = { month: 1, quarter: 3, year: 12 };

/** Months since year 0 (January 2026 → 2026 * 12). */
const monthIndex = (year: number, month: number) => year * 12 + (month - 1);
const indexOf = (iso: string) => monthIndex(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)));
const pad = (n: number) => String(n).padStart(2, '0');
const isoOfIndex = (index: number) => `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-01`;

function fiscalYearOf(index: number, fiscalStartMonth: number): number {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return month >= fiscalStartMonth ? year : year - 1;
}

/** The period of `kind` starting at month `index` (a period boundary). */
function periodAt(kind: PeriodKind, index: number, fiscalStartMonth: number): FiscalPeriod {
  const start = isoOfIndex(index);
  const end = isoOfIndex(index + SIZE[kind]);
  if (kind === 'month') return { kind, start, end, label: start.slice(0, 7) };
  const year = fiscalYearOf(index, fiscalStartMonth);
  if (kind === 'year') return { kind, start, end, label: String(year) };
  const quarter = Math.floor((index - monthIndex(year, fiscalStartMonth)) / 3) + 1;
  return { kind, start, end, label: `${year}-Q${quarter}` };
}

/** `2026-Q3` → its kind, start and end; null for text the server would refuse. */
export function parsePeriod(text: string | null | undefined, fiscalStartMonth: number): FiscalPeriod | null {
  const found = text ? PATTERN.exec(text.trim()) : null;
  if (!found) return null;
  const year = Number(found[1]);
  if (found[3]) {
    const month = Number(found[3]);
    return month >= 1 && month <= 12 ? periodAt('month', monthIndex(year, month), fiscalStartMonth) : null;
  }
  const yearStart = monthIndex(year, fiscalStartMonth);
  if (found[2]) return periodAt('quarter', yearStart + (Number(found[2]) - 1) * 3, fiscalStartMonth);
  return periodAt('year', yearStart, fiscalStartMonth);
}

/** The fiscal period of `kind` that contains `day` (`YYYY-MM-DD`). */
export function periodContaining(kind: PeriodKind, day: string, fiscalStartMonth: number): FiscalPeriod {
  const index = indexOf(day);
  if (kind === 'month') return periodAt('month', index, fiscalStartMonth);
  const yearStart = monthIndex(fiscalYearOf(index, fiscalStartMonth), fiscalStartMonth);
  if (kind === 'year') return periodAt('year', yearStart, fiscalStartMonth);
  return periodAt('quarter', yearStart + Math.floor((index - yearStart) / 3) * 3, fiscalStartMonth);
}

/** The period `steps` periods of the same kind later (earlier when negative). */
export function shiftPeriod(period: FiscalPeriod, steps: number, fiscalStartMonth: number): FiscalPeriod {
  return periodAt(period.kind, indexOf(period.start) + steps * SIZE[period.kind], fiscalStartMonth);
}

/** Choices for the period picker: the current period of `kind`, `back` before it and `forward` after, newest first. */
export function periodChoices(
  kind: PeriodKind,
  today: string,
  fiscalStartMonth: number,
  { back = 8, forward = 1 }: { back?: number; forward?: number } = {},
): FiscalPeriod[] {
  const current = periodContaining(kind, today, fiscalStartMonth);
  const list: FiscalPeriod[] = [];
  for (let step = forward; step >= -back; step -= 1) list.push(shiftPeriod(current, step, fiscalStartMonth));
  return list;
}

/** The last day of the period (`end` is exclusive), as list filters take inclusive dates. */
export function lastDay(period: FiscalPeriod): string {
  const [y, m] = [Number(period.end.slice(0, 4)), Number(period.end.slice(5, 7))];
  const previous = new Date(Date.UTC(y, m - 1, 0)); // day 0 = last day of the month before
  return `${previous.getUTCFullYear()}-${pad(previous.getUTCMonth() + 1)}-${pad(previous.getUTCDate())}`;
}

/** `2026-10-01` + n months → first of that month. */
export function addMonths(day: string, months: number): string {
  return isoOfIndex(indexOf(day) + months);
}

/** The calendar months the period covers, as `YYYY-MM`. */
export function periodMonths(period: FiscalPeriod): string[] {
  const out: string[] = [];
  for (let i = indexOf(period.start); i < indexOf(period.end); i += 1) out.push(isoOfIndex(i).slice(0, 7));
  return out;
}

/**
 * How the picker names a period: `2026-Q4` with its months, in the UI language.
 * zh: `2026财年 Q4（2026年10月–12月）`; en: `FY2026 Q4 (Oct–Dec 2026)`.
 */
export function describePeriod(period: FiscalPeriod, locale: string): string {
  const zh = locale === 'zh-CN';
  const first = new Date(`${period.start}T00:00:00Z`);
  const last = new Date(`${lastDay(period)}T00:00:00Z`);
  const month = (d: Date) => d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const range = zh
    ? first.getUTCFullYear() === last.getUTCFullYear()
      ? `${first.getUTCFullYear()}年${first.getUTCMonth() + 1}月–${last.getUTCMonth() + 1}月`
      : `${first.getUTCFullYear()}年${first.getUTCMonth() + 1}月–${last.getUTCFullYear()}年${last.getUTCMonth() + 1}月`
    : first.getUTCFullYear() === last.getUTCFullYear()
      ? `${month(first)}–${month(last)} ${last.getUTCFullYear()}`
      : `${month(first)} ${first.getUTCFullYear()}–${month(last)} ${last.getUTCFullYear()}`;
  if (period.kind === 'month') {
    return zh ? `${first.getUTCFullYear()}年${first.getUTCMonth() + 1}月` : `${month(first)} ${first.getUTCFullYear()}`;
  }
  const [year, quarter] = period.label.split('-');
  if (period.kind === 'year') return zh ? `${year}财年（${range}）` : `FY${year} (${range})`;
  return zh ? `${year}财年 ${quarter}（${range}）` : `FY${year} ${quarter} (${range})`;
}

/**
 * How much of the period has passed on `today` (0 before it starts, 1 after it ends): the pace
 * an achievement ratio is compared with.
 */
export function elapsedShare(period: FiscalPeriod, today: string): number {
  const ms = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
  const total = ms(period.end) - ms(period.start);
  const done = ms(today) + 86_400_000 - ms(period.start); // today counts as passed
  return Math.min(1, Math.max(0, done / total));
}
