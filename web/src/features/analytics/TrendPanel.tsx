import { Empty, Select } from 'antd';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '@/i18n';
import { trendOption } from './charts';
import { drillRoute } from './drill';
import { formatCount, formatMoneyExact } from './format';
import type { DashboardScope } from './hooks';
import { trendQuery, useTrends } from './hooks';
import { Panel } from './Panel';
import { MONEY_METRICS, TREND_METRICS, type TrendMetric } from './types';

const EChart = lazy(() => import('@/components/EChart'));

/** 趋势: twelve months of one metric, last year's line beside it, MoM and YoY in the tooltip; a point opens its month's rows. */
export function TrendPanel({
  scope,
  metric,
  onMetric,
  from,
  to,
  enabled,
}: {
  scope: DashboardScope;
  metric: TrendMetric;
  onMetric: (m: TrendMetric) => void;
  from: string | null;
  to: string | null;
  enabled: boolean;
}) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const trends = useTrends(scope, metric, from, to, enabled);
  const report = trends.data;
  const money = MONEY_METRICS.has(metric);
  const currency = report?.currency ?? scope.currency ?? 'CNY';
  const option = useMemo(
    () =>
      report
        ? trendOption(
            report.points,
            { value: t(`analytics.metric.${metric}`), lastYear: t('analytics.trend.lastYear'), mom: t('analytics.trend.mom'), yoy: t('analytics.trend.yoy') },
            (v) => (money ? formatMoneyExact(v, currency, locale) : formatCount(v, locale)),
            locale,
          )
        : null,
    [report, metric, money, currency, locale, t],
  );
  const onPoint = useCallback(
    (params: unknown) => {
      const p = params as { seriesIndex?: number; dataIndex?: number };
      const point = p.seriesIndex === 0 && p.dataIndex !== undefined ? report?.points[p.dataIndex] : undefined;
      const to = drillRoute(point?.drill);
      if (to) navigate(to);
    },
    [report, navigate],
  );
  return (
    <Panel
      title={t('analytics.trend.title')}
      testId="trend-panel"
      extra={
        <Select
          size="small"
          value={metric}
          onChange={(m: TrendMetric) => onMetric(m)}
          options={TREND_METRICS.map((m) => ({ value: m, label: t(`analytics.metric.${m}`) }))}
          style={{ width: 120 }}
          popupMatchSelectWidth={false}
          data-testid="trend-metric"
        />
      }
      exportPath="/api/v1/analytics/trends"
      exportQuery={trendQuery(scope, metric, from, to)}
      exportName="trends"
      loading={!report}
      error={trends.isError && !report ? trends.error : null}
      onRetry={() => void trends.refetch()}
    >
      {report && option ? (
        report.points.length ? (
          <Suspense fallback={<div style={{ height: 280 }} />}>
            <EChart option={option} height={280} onItemClick={onPoint} data-testid="trend-chart" />
          </Suspense>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
        )
      ) : null}
    </Panel>
  );
}
