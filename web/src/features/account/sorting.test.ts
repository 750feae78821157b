import { describe, expect, it } from 'vitest';
import { columnOrder, formatSort, nextSort, parseSort, sortAfterClick } from './sorting';

describe('sort parameter', () => {
  it('parses and formats ascending and descending keys', () => {
    expect(parseSort('-created_at')).toEqual({ field: 'created_at', order: 'descend' });
    expect(parseSort('name')).toEqual({ field: 'name', order: 'ascend' });
    expect(parseSort('')).toBeNull();
    expect(parseSort('-')).toBeNull();
    expect(formatSort({ field: 'created_at', order: 'descend' })).toBe('-created_at');
    expect(formatSort(null)).toBeNull();
  });

  it('cycles a column: first order, then the other, then back to the default', () => {
    expect(nextSort(null, 'name')).toEqual({ field: 'name', order: 'ascend' });
    expect(nextSort({ field: 'name', order: 'ascend' }, 'name')).toEqual({ field: 'name', order: 'descend' });
    expect(nextSort({ field: 'name', order: 'descend' }, 'name')).toBeNull();
    expect(nextSort({ field: 'name', order: 'ascend' }, 'created_at', 'descend')).toEqual({ field: 'created_at', order: 'descend' });
  });

  it('clicks on the default column flip it, and landing on the default clears the parameter', () => {
    // Default `name` ascending: one click sorts descending, the next one returns to the default.
    expect(sortAfterClick(null, 'name', 'name')).toBe('-name');
    expect(sortAfterClick('-name', 'name', 'name')).toBeNull();
    // Dates start newest first, then oldest first, then the list's default.
    expect(sortAfterClick(null, 'name', 'created_at', 'descend')).toBe('-created_at');
    expect(sortAfterClick('-created_at', 'name', 'created_at', 'descend')).toBe('created_at');
    expect(sortAfterClick('created_at', 'name', 'created_at', 'descend')).toBeNull();
    // A default that is descending (pool: newest in the pool first).
    expect(sortAfterClick(null, '-pool_entered_at', 'pool_entered_at', 'descend')).toBe('pool_entered_at');
  });

  it('shows the default order on its column when nothing is chosen', () => {
    expect(columnOrder('name', null, 'name')).toBe('ascend');
    expect(columnOrder('created_at', null, 'name')).toBeNull();
    expect(columnOrder('created_at', '-created_at', 'name')).toBe('descend');
    expect(columnOrder('name', '-created_at', 'name')).toBeNull();
  });
});
