/** Payment allocation rows: what is sent, and where the server's errors belong (pure). */
import { ApiError, isApiError } from '@/api/errors';
import { compareMoney } from '../decimal';

export interface AllocationRow {
  installment_id: string;
  amount?: string | null;
}

/**
 * The rows actually sent (those with an amount) and, for each sent index, the form row it
 * came from, so the server's `allocations.{i}.amount` errors land on the right input.
 */
export function allocationsToSend(rows: readonly AllocationRow[]): { sent: { installment_id: string; amount: string }[]; rowOf: number[] } {
  const sent: { installment_id: string; amount: string }[] = [];
  const rowOf: number[] = [];
  rows.forEach((r, i) => {
    if (r.amount && compareMoney(r.amount, '0') === 1) {
      sent.push({ installment_id: r.installment_id, amount: String(r.amount) });
      rowOf.push(i);
    }
  });
  return { sent, rowOf };
}

/** Rewrites `allocations.{sent index}.…` field paths to the form's row indices. */
export function remapAllocationErrors(error: unknown, rowOf: readonly number[]): unknown {
  if (!isApiError(error) || !error.fields.length) return error;
  const fields = error.fields.map((f) => {
    const m = /^allocations\.(\d+)\.(.+)$/.exec(f.field);
    if (!m) return f;
    const row = rowOf[Number(m[1])];
    // Errors on the installment itself are shown under that row's amount input.
    return row === undefined ? f : { ...f, field: `allocations.${row}.amount` };
  });
  return new ApiError({ status: error.status, code: error.code, message: error.message, fields, retryAfter: error.retryAfter });
}
