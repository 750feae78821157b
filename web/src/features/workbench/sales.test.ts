import { describe, expect, it } from 'vitest';
import { dueToday, groupByStage, totalAmounts } from './sales';

describe('dueToday', () => {
  it('keeps open tasks due before the end of the local day, soonest first', () => {
    const now = new Date(2026, 10, 24, 9, 0);
    const at = (h: number, dayOffset = 0) => new Date(2026, 10, 24 + dayOffset, h, 0).toISOString();
    const tasks = [
      { id: 'late', due_at: at(18), completed_at: null },
      { id: 'tomorrow', due_at: at(9, 1), completed_at: null },
      { id: 'early', due_at: at(10), completed_at: null },
      { id: 'done', due_at: at(11), completed_at: at(8) },
      { id: 'undated', due_at: null, completed_at: null },
    ];
    expect(dueToday(tasks, now).map((t) => t.id)).toEqual(['early', 'late']);
  });
});

describe('groupByStage', () => {
  const stage = (code: string, position: number) => ({ id: `${code}-id`, code, name: code, name_en: null, position, probability: position * 10 });
  it('groups open deals by stage code in process order and sums amounts per currency', () => {
    const groups = groupByStage([
      { amount: '100.50', currency: 'CNY', stage: stage('proposal', 3) },
      { amount: '200', currency: 'CNY', stage: stage('qualify', 1) },
      { amount: '50', currency: 'USD', stage: stage('proposal', 3) },
      { amount: '300', currency: 'CNY', stage: { ...stage('proposal', 3), id: 'other-version' } },
    ]);
    expect(groups.map((g) => [g.code, g.count])).toEqual([
      ['qualify', 1],
      ['proposal', 3],
    ]);
    expect(groups[1]?.amounts.get('CNY')).toBeCloseTo(400.5);
    expect(groups[1]?.amounts.get('USD')).toBe(50);
    expect(Object.fromEntries(totalAmounts(groups))).toEqual({ CNY: 600.5, USD: 50 });
  });
});
