/**
 * The payment plan editor's arithmetic (exact, in cents): how far the planned installments are
 * from the contract amount, and an even split to start a plan from.
 */
import dayjs from 'dayjs';
import { fromCents, toCents } from './decimal';

export interface PlanRow {
  id?: string | null;
  label?: string | null;
  due_date?: string | null;
  amount?: string | number | null;
}

export interface PlanBalance {
  /** Σ of the rows' amounts (blank amounts count as 0). */
  planned: string;
  /** planned − contract amount: negative = still to plan, positive = planned too much. */
  difference: string;
  state: 'balanced' | 'under' | 'over';
  /** Rows without a usable amount. */
  incomplete: number;
}

export function planBalance(rows: readonly PlanRow[], contractAmount: string): PlanBalance {
  let planned = 0n;
  let incomplete = 0;
  for (const r of rows) {
    const c = toCents(r.amount === undefined ? null : r.amount);
    if (c === null || c <= 0n) incomplete += 1;
    if (c !== null) planned += c;
  }
  const target = toCents(contractAmount) ?? 0n;
  const diff = planned - target;
  return {
    planned: fromCents(planned),
    difference: fromCents(diff),
    state: diff === 0n ? 'balanced' : diff < 0n ? 'under' : 'over',
    incomplete,
  };
}

/**
 * `count` installments splitting `amount` exactly (the last takes the remaining cents), due
 * `everyMonths` apart from `firstDue`; labels from `labelFor(index)`.
 */
export function evenSplit(
  amount: string,
  count: number,
  firstDue: string,
  labelFor: (index: number) => string,
  everyMonths = 1,
): PlanRow[] {
  const total = toCents(amount);
  if (total === null || total <= 0n || count < 1) return [];
  const n = BigInt(count);
  const share = total / n;
  const rows: PlanRow[] = [];
  for (let i = 0; i < count; i += 1) {
    const cents = i === count - 1 ? total - share * (n - 1n) : share;
    rows.push({
      label: labelFor(i),
      due_date: dayjs(firstDue).add(i * everyMonths, 'month').format('YYYY-MM-DD'),
      amount: fromCents(cents),
    });
  }
  return rows;
}

/** The amount still to plan so the rows balance: the contract amount − the others' sum (≥ 0). */
export function remainderFor(rows: readonly PlanRow[], index: number, contractAmount: string): string | null {
  const target = toCents(contractAmount);
  if (target === null) return null;
  let others = 0n;
  rows.forEach((r, i) => {
    if (i !== index) others += toCents(r.amount ?? null) ?? 0n;
  });
  const rest = target - others;
  return rest > 0n ? fromCents(rest) : null;
}
