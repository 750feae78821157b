/** The contract edit form's values and the PATCH body they make (pure). */
import type { Dayjs } from 'dayjs';
import { compareMoney } from '../decimal';
import type { ContractDetail, ContractUpdate } from '../types';

export interface ContractValues {
  title: string;
  amount?: string | null;
  tax_amount?: string | null;
  currency: string;
  payment_days?: number | null;
  start_date?: Dayjs | null;
  end_date?: Dayjs | null;
  terms?: string | null;
}

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

/** The PATCH body: changed fields only, plus the version read. */
export function contractChanges(c: ContractDetail, v: ContractValues): ContractUpdate {
  const body: ContractUpdate = { version: c.version };
  if (v.title.trim() !== c.title) body.title = v.title.trim();
  if (v.amount && compareMoney(v.amount, String(c.amount)) !== 0) body.amount = v.amount;
  if (v.tax_amount && compareMoney(v.tax_amount, String(c.tax_amount)) !== 0) body.tax_amount = v.tax_amount;
  if (v.currency !== c.currency) body.currency = v.currency;
  if (v.payment_days !== null && v.payment_days !== undefined && v.payment_days !== c.payment_days) body.payment_days = v.payment_days;
  if (day(v.start_date) !== (c.start_date ?? null)) body.start_date = day(v.start_date);
  if (day(v.end_date) !== (c.end_date ?? null)) body.end_date = day(v.end_date);
  const terms = v.terms?.trim() || null;
  if (terms !== (c.terms ?? null)) body.terms = terms;
  return body;
}

