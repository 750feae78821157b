/**
 * Server-side sorting for cursor lists: the API takes `sort=field` or `sort=-field`; table
 * headers cycle a column through ascending → descending → the list's default order.
 */
import type { ColumnType } from 'antd/es/table';

export type SortOrder = 'ascend' | 'descend';

export interface SortState {
  field: string;
  order: SortOrder;
}

/** `-created_at` → `{field: 'created_at', order: 'descend'}`; empty → null. */
export function parseSort(value: string | null | undefined): SortState | null {
  if (!value) return null;
  const descending = value.startsWith('-');
  const field = descending ? value.slice(1) : value;
  return field ? { field, order: descending ? 'descend' : 'ascend' } : null;
}

export function formatSort(state: SortState | null): string | null {
  if (!state) return null;
  return state.order === 'descend' ? `-${state.field}` : state.field;
}

/**
 * The sort after a click on `field`'s header. A column starts with `firstOrder` (dates start
 * newest first), then flips, then returns to the list's default (null).
 */
export function nextSort(current: SortState | null, field: string, firstOrder: SortOrder = 'ascend'): SortState | null {
  if (!current || current.field !== field) return { field, order: firstOrder };
  if (current.order === firstOrder) return { field, order: firstOrder === 'ascend' ? 'descend' : 'ascend' };
  return null;
}

/** The `sort` parameter after a header click; null when that is the list's default order. */
export function sortAfterClick(sort: string | null, defaultSort: string, field: string, firstOrder: SortOrder = 'ascend'): string | null {
  const next = formatSort(nextSort(parseSort(sort ?? defaultSort), field, firstOrder));
  return next === defaultSort ? null : next;
}

/** The order a column shows: the explicit sort, else the list's default sort. */
export function columnOrder(field: string, sort: string | null, defaultSort: string): SortOrder | null {
  const state = parseSort(sort ?? defaultSort);
  return state && state.field === field ? state.order : null;
}

/**
 * Column props for a server-sorted column: the header shows the current order and a click asks
 * for the next one. (CursorTable owns the Table, so the click is taken from the header cell.)
 */
export function serverSorter<T>(
  field: string,
  sort: string | null,
  defaultSort: string,
  onSort: (next: string | null) => void,
  firstOrder: SortOrder = 'ascend',
): Pick<ColumnType<T>, 'sorter' | 'sortOrder' | 'sortDirections' | 'onHeaderCell' | 'showSorterTooltip'> {
  return {
    sorter: true,
    sortOrder: columnOrder(field, sort, defaultSort),
    sortDirections: firstOrder === 'ascend' ? ['ascend', 'descend'] : ['descend', 'ascend'],
    showSorterTooltip: false,
    onHeaderCell: () => ({
      onClick: () => onSort(sortAfterClick(sort, defaultSort, field, firstOrder)),
    }),
  };
}
