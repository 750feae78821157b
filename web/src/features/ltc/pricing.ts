/**
 * A display-only estimate of quote line amounts while a line is being edited, mirroring the
 * server's pricing rules (docs/api.md §Quotes) in exact fixed-point arithmetic. The UI labels
 * it as an estimate: saved totals always come from the server.
 */
import { divRoundHalfUp, formatFixed, fromCents, parseFixed, pow10, toCents } from './decimal';

export interface LineInput {
  listPrice: string | null | undefined;
  floorPrice?: string | null;
  quantity: string | number | null | undefined;
  discountPct: string | number | null | undefined;
  taxRate: string | null | undefined;
}

export interface LineEstimate {
  netPrice: string;
  listAmount: string;
  netAmount: string;
  taxAmount: string;
  lineTotal: string;
  /** The net unit price is under the book's floor price (approval will be needed). */
  belowFloor: boolean;
}

const QTY_SCALE = 4;
const PCT_SCALE = 2;

/** The line's amounts, or null while an input is missing or not a number. */
export function estimateLine(line: LineInput): LineEstimate | null {
  const list = toCents(line.listPrice);
  const qty = parseFixed(line.quantity ?? null, QTY_SCALE);
  const discount = parseFixed(line.discountPct ?? '0', PCT_SCALE) ?? null;
  const rate = parseFixed(line.taxRate ?? null, PCT_SCALE);
  if (list === null || qty === null || discount === null || rate === null) return null;
  const hundred = 100n * pow10(PCT_SCALE);
  // net_price = quantize(list × (100 − d) / 100)
  const netPrice = divRoundHalfUp(list * (hundred - discount), hundred);
  // amounts = quantize(price × quantity)
  const netAmount = divRoundHalfUp(netPrice * qty, pow10(QTY_SCALE));
  const listAmount = divRoundHalfUp(list * qty, pow10(QTY_SCALE));
  // tax = quantize(net_amount × rate / 100)
  const taxAmount = divRoundHalfUp(netAmount * rate, hundred);
  const floor = toCents(line.floorPrice ?? null);
  return {
    netPrice: fromCents(netPrice),
    listAmount: fromCents(listAmount),
    netAmount: fromCents(netAmount),
    taxAmount: fromCents(taxAmount),
    lineTotal: fromCents(netAmount + taxAmount),
    belowFloor: floor !== null && netPrice < floor,
  };
}

export interface TotalsEstimate {
  subtotalList: string;
  subtotalNet: string;
  discountAmount: string;
  discountPct: string;
  taxAmount: string;
  total: string;
  maxLineDiscountPct: string;
  belowFloor: boolean;
}

/** Quote totals over the estimable lines (others are skipped). */
export function estimateTotals(lines: readonly LineInput[]): TotalsEstimate {
  let list = 0n;
  let net = 0n;
  let tax = 0n;
  let maxDiscount = 0n;
  let belowFloor = false;
  for (const line of lines) {
    const e = estimateLine(line);
    if (!e) continue;
    list += toCents(e.listAmount) ?? 0n;
    net += toCents(e.netAmount) ?? 0n;
    tax += toCents(e.taxAmount) ?? 0n;
    const d = parseFixed(line.discountPct ?? '0', PCT_SCALE) ?? 0n;
    if (d > maxDiscount) maxDiscount = d;
    belowFloor ||= e.belowFloor;
  }
  const discount = list - net;
  // discount_pct = round_half_up(discount / list × 100, 2); 0 without lines
  const pct = list === 0n ? 0n : divRoundHalfUp(discount * 100n * pow10(PCT_SCALE), list);
  return {
    subtotalList: fromCents(list),
    subtotalNet: fromCents(net),
    discountAmount: fromCents(discount),
    discountPct: formatFixed(pct, PCT_SCALE),
    taxAmount: fromCents(tax),
    total: fromCents(net + tax),
    maxLineDiscountPct: formatFixed(maxDiscount, PCT_SCALE),
    belowFloor,
  };
}
