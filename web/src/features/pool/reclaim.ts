/**
 * When will the reclaim job return an account to the pool? It reclaims an owned account nobody
 * followed up for its subsidiary's `reclaim_after_days` (counted from creation when never
 * followed up) once no claim protects it any more. The API does not expose the date, so the
 * workbench and the pool page estimate it from the account and its subsidiary's rules.
 */

export interface ReclaimInput {
  status: string;
  last_follow_up_at: string | null;
  created_at: string;
  is_protected: boolean;
  claim: { protected_until: string } | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The earliest moment the reclaim job may take the account, or null when it is not owned. */
export function reclaimDate(account: ReclaimInput, reclaimAfterDays: number): Date | null {
  if (account.status !== 'owned') return null;
  const idleSince = Date.parse(account.last_follow_up_at ?? account.created_at);
  if (Number.isNaN(idleSince)) return null;
  let due = idleSince + reclaimAfterDays * DAY_MS;
  if (account.is_protected && account.claim) {
    const protectedUntil = Date.parse(account.claim.protected_until);
    if (!Number.isNaN(protectedUntil)) due = Math.max(due, protectedUntil);
  }
  return new Date(due);
}

export type ReclaimUrgency = 'due' | 'soon' | 'later';

/** `due`: the next reclaim run takes it; `soon`: within `warnDays`; `later` otherwise. */
export function reclaimUrgency(when: Date, now: Date, warnDays = 7): ReclaimUrgency {
  const left = when.getTime() - now.getTime();
  if (left <= 0) return 'due';
  return left <= warnDays * DAY_MS ? 'soon' : 'later';
}

/** Whole days from `now` until `when` (0 when already due). */
export function daysLeft(when: Date, now: Date): number {
  return Math.max(0, Math.ceil((when.getTime() - now.getTime()) / DAY_MS));
}

/** Accounts that will be reclaimed within `warnDays`, soonest first. */
export function atRisk<T extends ReclaimInput & { subsidiary_id: string }>(
  accounts: readonly T[],
  reclaimDays: (subsidiaryId: string) => number | null,
  now: Date,
  warnDays = 7,
): { account: T; when: Date }[] {
  const out: { account: T; when: Date }[] = [];
  for (const account of accounts) {
    const days = reclaimDays(account.subsidiary_id);
    if (days === null) continue;
    const when = reclaimDate(account, days);
    if (when && reclaimUrgency(when, now, warnDays) !== 'later') out.push({ account, when });
  }
  return out.sort((a, b) => a.when.getTime() - b.when.getTime());
}
