import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Empty, Flex, Select, Table, type TableProps, Typography } from 'antd';
import { type Key, type ReactNode, useEffect, useReducer, useState } from 'react';
import type { CursorPage } from '@/api/types';
import { useI18n } from '@/i18n';
import { QueryError } from './QueryError';
import { currentCursor, currentPage, cursorReducer, initialCursorState } from './cursorPagination';

export interface PageRequest {
  cursor: string | null;
  limit: number;
  /** Asked for on the first page only: counting is the expensive part of a list. */
  includeTotal: boolean;
}

interface Props<T> {
  /** Identifies the list and its filters; a change starts again at page one. */
  queryKey: readonly unknown[];
  fetchPage: (req: PageRequest) => Promise<CursorPage<T>>;
  columns: NonNullable<TableProps<T>['columns']>;
  rowKey: (row: T) => Key;
  onRowClick?: (row: T) => void;
  emptyText?: ReactNode;
  pageSizes?: number[];
  expandable?: TableProps<T>['expandable'];
  testId?: string;
}

/** A server-paginated table: cursor pages, previous/next, page size, loading and empty states. */
export function CursorTable<T extends object>({
  queryKey,
  fetchPage,
  columns,
  rowKey,
  onRowClick,
  emptyText,
  pageSizes = [20, 50, 100],
  expandable,
  testId,
}: Props<T>) {
  const { t } = useI18n();
  const filterKey = JSON.stringify(queryKey);
  const [state, dispatch] = useReducer(cursorReducer, initialCursorState(filterKey, pageSizes[0] ?? 20));
  useEffect(() => {
    dispatch({ type: 'filters', filterKey });
  }, [filterKey]);

  const stale = state.filterKey !== filterKey;
  const cursor = stale ? null : currentCursor(state);
  const page = stale ? 1 : currentPage(state);

  const query = useQuery({
    queryKey: [...queryKey, { cursor, limit: state.pageSize }],
    queryFn: () => fetchPage({ cursor, limit: state.pageSize, includeTotal: cursor === null }),
    placeholderData: keepPreviousData,
  });

  const [totals, setTotals] = useState<Record<string, number>>({});
  const total = query.data?.total;
  useEffect(() => {
    if (typeof total === 'number') setTotals((prev) => (prev[filterKey] === total ? prev : { ...prev, [filterKey]: total }));
  }, [filterKey, total]);
  const knownTotal = totals[filterKey];

  if (query.isError && !query.data) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;

  const nextCursor = query.data?.next_cursor ?? null;
  const rows = query.data?.items ?? [];
  const loading = query.isFetching;

  return (
    <div data-testid={testId}>
      <Table<T>
        size="middle"
        columns={columns}
        dataSource={rows}
        rowKey={rowKey}
        loading={loading}
        pagination={false}
        scroll={{ x: 'max-content' }}
        expandable={expandable}
        onRow={onRowClick ? (row) => ({ onClick: () => onRowClick(row), style: { cursor: 'pointer' } }) : undefined}
        locale={{
          emptyText: query.isPending ? <div style={{ height: 160 }} /> : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText ?? t('common.noData')} />
          ),
        }}
      />
      <Flex className="cursor-pager" justify="space-between" align="center" gap={8} wrap="wrap">
        <Typography.Text type="secondary">
          {typeof knownTotal === 'number' ? `${t('common.total', { total: knownTotal })} · ` : ''}
          {t('common.page', { page })}
        </Typography.Text>
        <Flex gap={8} align="center">
          <Select
            size="small"
            value={state.pageSize}
            onChange={(size: number) => dispatch({ type: 'pageSize', pageSize: size })}
            options={pageSizes.map((s) => ({ value: s, label: t('common.perPage', { size: s }) }))}
            style={{ width: 104 }}
            aria-label="page size"
          />
          <Button
            size="small"
            icon={<LeftOutlined />}
            disabled={page <= 1 || loading}
            onClick={() => dispatch({ type: 'prev' })}
            aria-label={t('common.prevPage')}
          >
            <span className="hide-xs">{t('common.prevPage')}</span>
          </Button>
          <Button
            size="small"
            disabled={!nextCursor || loading}
            onClick={() => nextCursor && dispatch({ type: 'next', cursor: nextCursor })}
            aria-label={t('common.nextPage')}
          >
            <span className="hide-xs">{t('common.nextPage')}</span>
            <RightOutlined />
          </Button>
        </Flex>
      </Flex>
    </div>
  );
}
