/** The quote line editor's form values, change detection and request body (pure). */
import type { QuoteLine, QuoteLineIn } from '../types';

export interface LineValues {
  product_id?: string;
  quantity?: string | null;
  discount_pct?: string | null;
  description?: string | null;
}

export interface LineFormValues {
  lines: LineValues[];
}

const norm = (v: string | number | null | undefined) => {
  if (v === null || v === undefined || v === '') return '';
  const s = String(v);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

/** The lines as the form holds them, from the server's lines. */
export function toLineValues(lines: readonly QuoteLine[]): LineValues[] {
  return lines.map((l) => ({
    product_id: l.product_id,
    quantity: norm(l.quantity),
    discount_pct: norm(l.discount_pct),
    description: l.description ?? null,
  }));
}

/** Whether the edited lines differ from the saved ones (same products, quantities, discounts, notes, order). */
export function linesChanged(saved: readonly LineValues[], edited: readonly LineValues[]): boolean {
  if (saved.length !== edited.length) return true;
  return saved.some((s, i) => {
    const e = edited[i];
    return (
      !e ||
      s.product_id !== e.product_id ||
      norm(s.quantity) !== norm(e.quantity) ||
      norm(s.discount_pct || '0') !== norm(e.discount_pct || '0') ||
      (s.description || '') !== (e.description || '')
    );
  });
}

/** The body of `PUT /quotes/{id}/lines` from the form (discount as a percentage; 0 when blank). */
export function toLinesBody(lines: readonly LineValues[]): QuoteLineIn[] {
  return lines.map((l) => ({
    product_id: l.product_id ?? '',
    quantity: norm(l.quantity) || '0',
    discount_pct: norm(l.discount_pct) || '0',
    ...(l.description?.trim() ? { description: l.description.trim() } : {}),
  }));
}

