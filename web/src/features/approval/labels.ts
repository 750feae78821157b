/** Codes of the approval feature: statuses, colours, record links, delegation states. */

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'voided'] as const;
export const TASK_STATUSES = ['waiting', 'pending', 'approved', 'rejected', 'skipped', 'cancelled'] as const;

export const REQUEST_STATUS_COLORS: Record<string, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
  voided: 'warning',
};

export const TASK_STATUS_COLORS: Record<string, string> = {
  waiting: 'default',
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  skipped: 'default',
  cancelled: 'default',
};

const RECORD_PATHS: Record<string, string> = {
  quote: '/quotes',
  contract: '/contracts',
  opportunity: '/opportunities',
  account: '/accounts',
};

/** The page of the guarded record (`quote` → `/quotes/:id`), or null for an unknown type. */
export function recordPath(recordType: string | null | undefined, recordId: string | null | undefined): string | null {
  const base = recordType ? RECORD_PATHS[recordType] : undefined;
  return base && recordId ? `${base}/${recordId}` : null;
}

export type DelegationState = 'active' | 'upcoming' | 'ended' | 'revoked';

/** Where a delegation stands at `now`: a delegate acts only while starts ≤ now < ends. */
export function delegationState(d: { is_active: boolean; starts_at: string; ends_at: string }, now: Date = new Date()): DelegationState {
  if (!d.is_active) return 'revoked';
  const t = now.getTime();
  if (t < Date.parse(d.starts_at)) return 'upcoming';
  if (t >= Date.parse(d.ends_at)) return 'ended';
  return 'active';
}

export const DELEGATION_COLORS: Record<DelegationState, string> = {
  active: 'success',
  upcoming: 'processing',
  ended: 'default',
  revoked: 'default',
};
