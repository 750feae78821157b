import { Grid, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { useNavigate } from 'react-router-dom';
import { agingChartOption, BUCKETS } from '@/features/ltc/aging';
import { useI18n } from '@/i18n';
import { drillRoute } from './drill';
import { Figure } from './Figure';
import { formatMoneyExact } from './format';
import { agingQuery, useUnitAging } from './hooks';
import { FigureText } from './KpiCards';
import { Panel } from './Panel';
import type { UnitAgingRow } from './types';

const EChart = lazy(() => import('@/components/EChart'));

/** 应收账龄: buckets per child unit (stacked bars, converted at period-end rates), the unit's total below; a bar opens its installments. */
export function AgingPanel({ unitId, currency, enabled }: { unitId: string | null; currency: string | null; enabled: boolean }) {
  const { t, td, locale } = useI18n();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const aging = useUnitAging(unitId, currency, enabled);
  const report = aging.data;
  const cur = report?.currency ?? currency ?? 'CNY';
  const nameOf = useCallback((r: UnitAgingRow) => (locale === 'zh-CN' ? r.name : r.name_en || r.name), [locale]);
  const children = useMemo(() => (report?.rows ?? []).filter((r) => !r.is_total && Number(r.total) > 0), [report]);
  const option = useMemo(
    () =>
      agingChartOption(
        children.map((r) => ({ ...r, key: r.unit_id, label: nameOf(r), currency: cur })),
        (b) => td(`ltc.aging.bucket.${b}`, b),
        (a) => formatMoneyExact(a, cur, locale),
        '—',
        locale,
        !screens.md,
      ),
    [children, cur, locale, td, nameOf, screens.md],
  );
  const onBar = useCallback(
    (params: unknown) => {
      const index = (params as { dataIndex?: number }).dataIndex;
      // The chart draws the rows bottom-up (largest on top).
      const row = index === undefined ? undefined : [...children].reverse()[index];
      const to = drillRoute(row?.drill.overdue ?? row?.drill.total);
      if (to) navigate(to);
    },
    [children, navigate],
  );
  const columns: ColumnsType<UnitAgingRow> = [
    {
      title: t('analytics.league.name'),
      key: 'name',
      fixed: 'left',
      render: (_, r) => (r.is_total ? <Typography.Text strong>{t('analytics.league.total', { name: nameOf(r) })}</Typography.Text> : nameOf(r)),
    },
    ...BUCKETS.map((b) => ({
      title: td(`ltc.aging.bucket.${b}`, b),
      key: b,
      align: 'right' as const,
      responsive: b === 'not_due' ? undefined : (['md'] as ('md')[]),
      render: (_: unknown, r: UnitAgingRow) => <FigureText value={r[b]} currency={cur} money />,
    })),
    {
      title: t('ltc.aging.overdue'),
      key: 'overdue',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.overdue} figure="aging-overdue" testId="aging-figure">
          <Typography.Text type={Number(r.overdue) > 0 ? 'danger' : undefined} strong={r.is_total}>
            <FigureText value={r.overdue} currency={cur} money />
          </Typography.Text>
        </Figure>
      ),
    },
    {
      title: t('ltc.aging.total'),
      key: 'total',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.total} figure="aging-total" testId="aging-figure">
          <FigureText value={r.total} currency={cur} money />
        </Figure>
      ),
    },
  ];
  return (
    <Panel
      title={t('analytics.aging.title')}
      testId="aging-panel"
      exportPath="/api/v1/analytics/receivables-aging"
      exportQuery={agingQuery(unitId, currency)}
      exportName="receivables-aging"
      loading={!report}
      error={aging.isError && !report ? aging.error : null}
      onRetry={() => void aging.refetch()}
    >
      {report ? (
        <>
          {children.length ? (
            <Suspense fallback={<div style={{ height: Math.max(180, children.length * 28 + 60) }} />}>
              <EChart option={option} height={Math.max(180, children.length * 28 + 60)} onItemClick={onBar} data-testid="aging-unit-chart" />
            </Suspense>
          ) : null}
          <Table<UnitAgingRow>
            size="small"
            rowKey={(r) => `${r.unit_id}-${r.is_total}`}
            columns={columns}
            dataSource={report.rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('analytics.aging.note', { date: report.as_of })}
          </Typography.Text>
        </>
      ) : null}
    </Panel>
  );
}
