import { describe, expect, it } from 'vitest';
import { atRisk, daysLeft, reclaimDate, reclaimUrgency } from './reclaim';

const base = { status: 'owned', created_at: '2026-01-01T00:00:00Z', is_protected: false, claim: null };

describe('reclaimDate', () => {
  it('counts from the last follow-up, or from creation when never followed up', () => {
    expect(reclaimDate({ ...base, last_follow_up_at: '2026-03-01T00:00:00Z' }, 30)?.toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(reclaimDate({ ...base, last_follow_up_at: null }, 30)?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('waits for an active protection to end', () => {
    const protectedAccount = { ...base, last_follow_up_at: '2026-03-01T00:00:00Z', is_protected: true, claim: { protected_until: '2026-05-01T00:00:00Z' } };
    expect(reclaimDate(protectedAccount, 30)?.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    // An expired claim does not hold the account back.
    expect(reclaimDate({ ...protectedAccount, is_protected: false }, 30)?.toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });

  it('is null for accounts already in the pool', () => {
    expect(reclaimDate({ ...base, status: 'pool', last_follow_up_at: null }, 30)).toBeNull();
  });
});

describe('urgency', () => {
  const now = new Date('2026-03-25T00:00:00Z');
  it('is due, soon (within the warning window) or later', () => {
    expect(reclaimUrgency(new Date('2026-03-24T00:00:00Z'), now)).toBe('due');
    expect(reclaimUrgency(new Date('2026-03-31T00:00:00Z'), now)).toBe('soon');
    expect(reclaimUrgency(new Date('2026-04-10T00:00:00Z'), now)).toBe('later');
    expect(daysLeft(new Date('2026-03-31T00:00:00Z'), now)).toBe(6);
    expect(daysLeft(new Date('2026-03-20T00:00:00Z'), now)).toBe(0);
  });

  it('lists the accounts at risk, soonest first, using each subsidiary rule', () => {
    const accounts = [
      { ...base, id: 'later', subsidiary_id: 's1', last_follow_up_at: '2026-03-20T00:00:00Z' },
      { ...base, id: 'soon', subsidiary_id: 's1', last_follow_up_at: '2026-03-01T00:00:00Z' },
      { ...base, id: 'due', subsidiary_id: 's2', last_follow_up_at: '2026-03-01T00:00:00Z' },
      { ...base, id: 'unknown-rule', subsidiary_id: 's3', last_follow_up_at: '2025-01-01T00:00:00Z' },
    ];
    const rules: Record<string, number> = { s1: 30, s2: 10 };
    const risky = atRisk(accounts, (sid) => rules[sid] ?? null, now);
    expect(risky.map((r) => r.account.id)).toEqual(['due', 'soon']);
  });
});
