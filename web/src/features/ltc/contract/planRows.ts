/** Payment plan rows as the editor's form holds them, and as the API takes them (pure). */
import dayjs, { type Dayjs } from 'dayjs';
import type { PlanRow } from '../plan';

export interface PlanFormRow {
  id?: string | null;
  label?: string;
  due_date?: Dayjs | null;
  amount?: string | null;
}

export const toFormRows = (rows: readonly PlanRow[]): PlanFormRow[] =>
  rows.map((r) => ({
    id: r.id ?? null,
    label: r.label ?? '',
    due_date: r.due_date ? dayjs(r.due_date) : null,
    amount: r.amount === null || r.amount === undefined ? null : String(r.amount),
  }));

export const toBodyRows = (rows: readonly PlanFormRow[]) =>
  rows.map((r) => ({
    ...(r.id ? { id: r.id } : {}),
    label: (r.label ?? '').trim(),
    due_date: r.due_date ? r.due_date.format('YYYY-MM-DD') : '',
    amount: r.amount ? String(r.amount) : '0',
  }));

