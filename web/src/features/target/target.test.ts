import { describe, expect, it } from 'vitest';
import { cascadeRows, centsText, equalSplit, splitIndex, subtract, sumValues } from './cascade';

const target = (id: string, unitId: string, value: string, assignee: string | null = null) => ({
  id,
  unit: { id: unitId, name: `unit ${unitId}` },
  assignee: assignee ? { id: assignee, name: `person ${assignee}` } : null,
  value,
});

describe('target arithmetic', () => {
  it('adds and subtracts decimal strings exactly', () => {
    expect(sumValues(['0.10', '0.20', null, '1000000.05'])).toBe('1000000.35');
    expect(subtract('900.00', '1000.50')).toBe('-100.50');
    expect(centsText(-5n)).toBe('-0.05');
    expect(centsText(1234567n)).toBe('12345.67');
  });

  it('splits equally with the remainder to the first children', () => {
    expect(equalSplit('100.00', 3, false)).toEqual(['33.34', '33.33', '33.33']);
    expect(equalSplit('0.05', 3, false)).toEqual(['0.02', '0.02', '0.01']);
    expect(equalSplit('10', 3, true)).toEqual(['4', '3', '3']);
    expect(equalSplit('10', 0, true)).toEqual([]);
    expect(sumValues(equalSplit('1000000.01', 7, false))).toBe('1000000.01');
  });

  it('finds the row an API field error names', () => {
    expect(splitIndex('splits[2].value')).toBe(2);
    expect(splitIndex('splits.0.unit_id')).toBe(0);
    expect(splitIndex('body.splits.11')).toBe(11);
    expect(splitIndex('value')).toBeNull();
  });
});

describe('cascade rows', () => {
  it('pairs the unit, its child units and its people with their targets', () => {
    const targets = [target('t0', 'U', '1000.00'), target('t1', 'A', '600.00'), target('t2', 'U', '50.00', 'P'), target('t3', 'OLD', '10.00')];
    const { parent, children } = cascadeRows(
      { id: 'U', name: 'Sales' },
      [
        { kind: 'unit', unitId: 'A', userId: null, name: 'Team A' },
        { kind: 'unit', unitId: 'B', userId: null, name: 'Team B' },
        { kind: 'person', unitId: 'U', userId: 'P', name: 'Pat' },
      ],
      targets,
    );
    expect(parent.target?.id).toBe('t0');
    expect(children.map((c) => [c.name, c.target?.id ?? null])).toEqual([
      ['Team A', 't1'],
      ['Team B', null],
      ['Pat', 't2'],
      // A target on a child no longer listed stays visible.
      ['unit OLD', 't3'],
    ]);
  });
});
