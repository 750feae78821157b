/** The product form's values and the PATCH body they make (pure). */
import type { Product, ProductUpdate } from '../types';

export interface ProductValues {
  code: string;
  name: string;
  name_en?: string;
  category?: string;
  unit: string;
  tax_rate: string;
  description?: string;
  is_active: boolean;
}

/** The PATCH body for a product: changed fields and the version. */
export function productChanges(p: Product, v: ProductValues): ProductUpdate {
  const body: ProductUpdate = { version: p.version };
  const text = (x: string | undefined) => x?.trim() || null;
  if (v.code.trim() !== p.code) body.code = v.code.trim();
  if (v.name.trim() !== p.name) body.name = v.name.trim();
  if (text(v.name_en) !== (p.name_en ?? null)) body.name_en = text(v.name_en);
  if (text(v.category) !== (p.category ?? null)) body.category = text(v.category);
  if (v.unit !== p.unit) body.unit = v.unit;
  if (Number(v.tax_rate) !== Number(p.tax_rate)) body.tax_rate = v.tax_rate;
  if (text(v.description) !== (p.description ?? null)) body.description = text(v.description);
  if (v.is_active !== p.is_active) body.is_active = v.is_active;
  return body;
}

