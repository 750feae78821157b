import { describe, expect, it } from 'vitest';
import { evenSplit, planBalance, remainderFor } from './plan';
import { contractActions, contractFrozen, quoteActions, quoteEditable } from './status';

describe('payment plan balance', () => {
  it('is balanced only when the installments sum exactly to the contract amount', () => {
    expect(planBalance([{ amount: '300000.00' }, { amount: '700000' }], '1000000.00')).toEqual({
      planned: '1000000.00',
      difference: '0.00',
      state: 'balanced',
      incomplete: 0,
    });
    expect(planBalance([{ amount: '0.1' }, { amount: '0.2' }], '0.30').state).toBe('balanced');
    const under = planBalance([{ amount: '999.99' }, { amount: null }], '1000');
    expect(under).toMatchObject({ difference: '-0.01', state: 'under', incomplete: 1 });
    expect(planBalance([{ amount: '1000.01' }], '1000').state).toBe('over');
  });

  it('splits evenly with the remaining cents on the last installment', () => {
    const rows = evenSplit('100.00', 3, '2026-01-31', (i) => `第${i + 1}期`);
    expect(rows.map((r) => r.amount)).toEqual(['33.33', '33.33', '33.34']);
    expect(rows.map((r) => r.due_date)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    expect(rows[2]?.label).toBe('第3期');
    expect(planBalance(rows, '100').state).toBe('balanced');
    expect(evenSplit('0', 3, '2026-01-01', String)).toEqual([]);
  });

  it('offers the remainder for one row', () => {
    expect(remainderFor([{ amount: '300' }, { amount: '' }], 1, '1000')).toBe('700.00');
    expect(remainderFor([{ amount: '1000' }, { amount: '' }], 1, '1000')).toBeNull();
  });
});

describe('state machines', () => {
  it('offers quote actions by state', () => {
    expect(quoteActions('draft', true)).toEqual(['edit', 'submit']);
    expect(quoteActions('approved', true)).toContain('send');
    expect(quoteActions('sent', true)).toEqual(['accept', 'decline', 'revise']);
    expect(quoteActions('accepted', true)).toContain('contract');
    expect(quoteActions('accepted', false)).toEqual([]);
    expect(quoteEditable('sent', true)).toBe(false);
    expect(quoteEditable('pending_approval', true)).toBe(true);
  });

  it('freezes contracts once signed', () => {
    expect(contractFrozen('approved')).toBe(false);
    expect(contractFrozen('signed')).toBe(true);
    expect(contractActions('signed')).toContain('amend');
    expect(contractActions('signed')).not.toContain('edit');
    expect(contractActions('completed')).toEqual([]);
  });
});
