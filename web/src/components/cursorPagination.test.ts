import { describe, expect, it } from 'vitest';
import { currentCursor, currentPage, cursorReducer, initialCursorState } from './cursorPagination';

describe('cursor pagination', () => {
  it('walks forward and back through the cursors it was given', () => {
    let s = initialCursorState('{}', 20);
    expect(currentCursor(s)).toBeNull();
    s = cursorReducer(s, { type: 'next', cursor: 'c2' });
    s = cursorReducer(s, { type: 'next', cursor: 'c3' });
    expect(currentPage(s)).toBe(3);
    expect(currentCursor(s)).toBe('c3');
    s = cursorReducer(s, { type: 'prev' });
    expect(currentCursor(s)).toBe('c2');
    s = cursorReducer(cursorReducer(s, { type: 'prev' }), { type: 'prev' });
    expect(currentPage(s)).toBe(1);
    expect(currentCursor(s)).toBeNull();
  });

  it('starts again at page one when filters or the page size change', () => {
    let s = cursorReducer(initialCursorState('{"q":""}', 20), { type: 'next', cursor: 'c2' });
    expect(cursorReducer(s, { type: 'filters', filterKey: '{"q":""}' })).toBe(s);
    s = cursorReducer(s, { type: 'filters', filterKey: '{"q":"wang"}' });
    expect(currentPage(s)).toBe(1);
    s = cursorReducer(cursorReducer(s, { type: 'next', cursor: 'x' }), { type: 'pageSize', pageSize: 50 });
    expect(s.pageSize).toBe(50);
    expect(currentPage(s)).toBe(1);
  });
});
