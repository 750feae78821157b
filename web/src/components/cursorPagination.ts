/** Cursor pagination state: a stack of the cursors that opened each page seen so far. */

export interface CursorState {
  /** Filters the stack belongs to; new filters start again at page one. */
  filterKey: string;
  stack: (string | null)[];
  pageSize: number;
}

export type CursorAction =
  | { type: 'next'; cursor: string }
  | { type: 'prev' }
  | { type: 'first' }
  | { type: 'pageSize'; pageSize: number }
  | { type: 'filters'; filterKey: string };

export function initialCursorState(filterKey: string, pageSize: number): CursorState {
  return { filterKey, stack: [null], pageSize };
}

export function cursorReducer(state: CursorState, action: CursorAction): CursorState {
  switch (action.type) {
    case 'next':
      return { ...state, stack: [...state.stack, action.cursor] };
    case 'prev':
      return state.stack.length > 1 ? { ...state, stack: state.stack.slice(0, -1) } : state;
    case 'first':
      return { ...state, stack: [null] };
    case 'pageSize':
      return { ...state, pageSize: action.pageSize, stack: [null] };
    case 'filters':
      return action.filterKey === state.filterKey ? state : { ...state, filterKey: action.filterKey, stack: [null] };
  }
}

export const currentCursor = (s: CursorState): string | null => s.stack[s.stack.length - 1] ?? null;
export const currentPage = (s: CursorState): number => s.stack.length;
