import { WarningOutlined } from '@ant-design/icons';
import { Alert, Empty, Flex, Grid, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useI18n } from '@/i18n';
import { agingChartOption, BUCKETS, chartRows, rowCurrencies } from '../aging';
import { Money } from '../common';
import { signOf } from '../decimal';
import { formatAmount, formatDate, formatNumber, listSep } from '../format';
import type { Aging } from '../types';

const EChart = lazy(() => import('@/components/EChart'));

type Row = Aging['rows'][number];

/** Aging rows as a table (one column per bucket) with per-currency and converted totals. */
export function AgingTable({ aging, onRowClick, rowTestId = 'aging-row' }: { aging: Aging; onRowClick?: (row: Row) => void; rowTestId?: string }) {
  const { t, td, locale } = useI18n();
  const columns: ColumnsType<Row> = [
    {
      title: td(`ltc.aging.groupBy.${aging.group_by}`, aging.group_by),
      key: 'label',
      fixed: 'left',
      render: (_, r) => {
        // The server leaves out names the caller may not see (e.g. an account back in the pool).
        const label = r.label ?? t('ltc.aging.hiddenLabel');
        return onRowClick ? <Typography.Link type={r.label ? undefined : 'secondary'}>{label}</Typography.Link> : label;
      },
    },
    // No `responsive` columns here: the summary rows below address cells by index.
    { title: t('ltc.currency'), dataIndex: 'currency' },
    ...BUCKETS.map((b) => ({
      title: td(`ltc.aging.bucket.${b}`, b),
      key: b,
      align: 'right' as const,
      render: (_: unknown, r: Row) => <Money amount={r[b]} currency={r.currency} type={b !== 'not_due' && signOf(r[b]) === 1 ? 'danger' : undefined} />,
    })),
    { title: t('ltc.aging.overdue'), key: 'overdue', align: 'right', render: (_, r) => <Money amount={r.overdue} currency={r.currency} strong /> },
    { title: t('ltc.aging.total'), key: 'total', align: 'right', render: (_, r) => <Money amount={r.total} currency={r.currency} strong /> },
    {
      title: t('ltc.aging.maxDays'),
      key: 'max',
      align: 'right',
      render: (_, r) => (r.max_days_overdue > 0 ? <Tag color={r.max_days_overdue > 90 ? 'red' : 'orange'}>{t('ltc.daysN', { days: r.max_days_overdue })}</Tag> : t('common.none')),
    },
    { title: t('ltc.aging.oldestDue'), key: 'oldest', render: (_, r) => formatDate(r.oldest_due_date) },
    { title: t('ltc.aging.installments'), dataIndex: 'installments', align: 'right' },
  ];
  const totals = aging.totals;
  const conv = totals.converted;
  const rates = conv.rates.filter((r) => r.currency !== conv.currency);
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      {totals.missing_rates.length ? (
        <Alert
          type="warning"
          showIcon
          icon={<WarningOutlined />}
          data-testid="aging-missing-rates"
          message={t('ltc.aging.missingRates', { currencies: totals.missing_rates.join(listSep(locale)), currency: conv.currency })}
          description={t('ltc.aging.missingRatesHint')}
        />
      ) : null}
      <Table<Row>
        size="small"
        rowKey={(r) => `${r.key}-${r.currency}`}
        columns={columns}
        dataSource={aging.rows}
        pagination={aging.rows.length > 20 ? { pageSize: 20, size: 'small' } : false}
        scroll={{ x: 'max-content' }}
        onRow={onRowClick ? (r) => ({ onClick: () => onRowClick(r), style: { cursor: 'pointer' }, 'data-testid': rowTestId } as React.HTMLAttributes<HTMLElement>) : (() => ({ 'data-testid': rowTestId }) as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ltc.aging.empty')} /> }}
        summary={() =>
          aging.rows.length ? (
            <>
              {totals.by_currency.map((c) => (
                <Table.Summary.Row key={c.currency}>
                  <Table.Summary.Cell index={0}>
                    <Typography.Text strong>{t('ltc.aging.totalIn', { currency: c.currency })}</Typography.Text>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={1}>{c.currency}</Table.Summary.Cell>
                  {BUCKETS.map((b, i) => (
                    <Table.Summary.Cell key={b} index={2 + i} align="right">
                      <Money amount={c[b]} currency={c.currency} />
                    </Table.Summary.Cell>
                  ))}
                  <Table.Summary.Cell index={7} align="right">
                    <Money amount={c.overdue} currency={c.currency} strong />
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={8} align="right">
                    <Money amount={c.total} currency={c.currency} strong />
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={9} colSpan={3} />
                </Table.Summary.Row>
              ))}
              <Table.Summary.Row data-testid="aging-converted">
                <Table.Summary.Cell index={0}>
                  <Typography.Text strong>{t('ltc.aging.converted', { currency: conv.currency })}</Typography.Text>
                </Table.Summary.Cell>
                <Table.Summary.Cell index={1}>{conv.currency}</Table.Summary.Cell>
                {BUCKETS.map((b, i) => (
                  <Table.Summary.Cell key={b} index={2 + i} align="right">
                    <Money amount={conv[b]} currency={conv.currency} />
                  </Table.Summary.Cell>
                ))}
                <Table.Summary.Cell index={7} align="right">
                  <Money amount={conv.overdue} currency={conv.currency} strong />
                </Table.Summary.Cell>
                <Table.Summary.Cell index={8} align="right">
                  <Money amount={conv.total} currency={conv.currency} strong />
                </Table.Summary.Cell>
                <Table.Summary.Cell index={9} colSpan={3} />
              </Table.Summary.Row>
            </>
          ) : null
        }
      />
      {rates.length ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="aging-rates">
          {t('ltc.aging.ratesUsed', {
            date: formatDate(aging.as_of),
            rates: rates.map((r) => `1 ${r.currency} = ${formatNumber(String(r.rate), locale, 6)} ${conv.currency}`).join(listSep(locale)),
          })}
        </Typography.Text>
      ) : null}
    </Space>
  );
}

/** The stacked bar chart of one currency's rows (a switch when rows come in several currencies). */
export function AgingChart({ aging, onRowClick }: { aging: Aging; onRowClick?: (row: Row) => void }) {
  const { t, td, locale } = useI18n();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md;
  const currencies = useMemo(() => rowCurrencies(aging.rows), [aging.rows]);
  const [picked, setPicked] = useState<string | null>(null);
  const currency = picked && currencies.includes(picked) ? picked : currencies[0] ?? aging.currency;
  const rows = useMemo(() => chartRows(aging.rows, currency), [aging.rows, currency]);
  const option = useMemo(
    () =>
      agingChartOption(
        rows,
        (b) => td(`ltc.aging.bucket.${b}`, b),
        (a) => formatAmount(a, currency, locale),
        t('ltc.aging.hiddenLabel'),
        locale,
        narrow,
      ),
    [rows, currency, locale, t, td, narrow],
  );
  if (!rows.length) return null;
  return (
    <div data-testid="aging-chart">
      <Flex justify="space-between" align="center" wrap="wrap" gap={8} style={{ marginBottom: 8 }}>
        <Typography.Text type="secondary">{t('ltc.aging.chartTitle', { currency, count: rows.length })}</Typography.Text>
        {currencies.length > 1 ? <Segmented size="small" value={currency} onChange={(v) => setPicked(String(v))} options={currencies} /> : null}
      </Flex>
      <Suspense fallback={<div style={{ height: Math.max(200, rows.length * 28 + 60) }} />}>
        <EChart
          option={option}
          height={Math.max(200, rows.length * 28 + 60)}
          onItemClick={
            onRowClick
              ? (params) => {
                  const index = (params as { dataIndex?: number }).dataIndex;
                  const row = index === undefined ? undefined : [...rows].reverse()[index];
                  if (row) onRowClick(row);
                }
              : undefined
          }
        />
      </Suspense>
    </div>
  );
}
