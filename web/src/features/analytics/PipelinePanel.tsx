import { Alert, DatePicker, Flex, Grid, Statistic, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '@/i18n';
import { drillRoute } from './drill';
import { Figure } from './Figure';
import { formatCount, formatMoneyExact } from './format';
import { pipelineQuery, usePipeline } from './hooks';
import { FigureText } from './KpiCards';
import { Panel } from './Panel';
import type { PipelineOnDate, PipelineStage } from './types';

const EChart = lazy(() => import('@/components/EChart'));

const compactOf = (locale: string) => new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });

/** Open amount per stage as horizontal bars (process order top-down); the tooltip has the exact amount and count. */
function stageOption(stages: readonly PipelineStage[], name: (s: PipelineStage) => string, money: (a: string) => string, locale: string, narrow: boolean) {
  const ordered = [...stages].sort((a, b) => b.position - a.position); // ECharts draws categories bottom-up
  const compact = compactOf(locale);
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const p = (Array.isArray(params) ? params[0] : params) as { dataIndex: number };
        const s = ordered[p?.dataIndex ?? -1];
        return s ? `${name(s)}<br/>${s.count} · ${money(s.amount)}<br/>${money(s.weighted_amount)} (weighted)` : '';
      },
    },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitNumber: narrow ? 2 : 4, axisLabel: { formatter: (v: number) => compact.format(v) } },
    yAxis: { type: 'category', data: ordered.map(name), axisLabel: { width: narrow ? 72 : 110, overflow: 'truncate' } },
    series: [{ type: 'bar', barMaxWidth: 22, data: ordered.map((s) => Number(s.amount)) }],
  };
}

/**
 * 某日管道: the open pipeline as it stood on a date (from the daily snapshots): totals, by stage,
 * by forecast category. A bar or figure opens the deal versions behind it.
 */
export function PipelinePanel({
  unitId,
  currency,
  date,
  onDate,
  enabled,
}: {
  unitId: string | null;
  currency: string | null;
  date: string | null;
  onDate: (date: string | null) => void;
  enabled: boolean;
}) {
  const { t, td, locale } = useI18n();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const pipeline = usePipeline(unitId, date, currency, enabled);
  const data: PipelineOnDate | undefined = pipeline.data;
  const cur = data?.currency ?? currency ?? 'CNY';
  const stageName = useCallback((s: PipelineStage) => (locale === 'zh-CN' ? s.stage_name : s.stage_name_en || s.stage_name), [locale]);
  const ordered = useMemo(() => [...(data?.by_stage ?? [])].sort((a, b) => b.position - a.position), [data]);
  const option = useMemo(
    () => stageOption(data?.by_stage ?? [], stageName, (a) => formatMoneyExact(a, cur, locale), locale, !screens.md),
    [data, stageName, cur, locale, screens.md],
  );
  const onBar = useCallback(
    (params: unknown) => {
      const s = ordered[(params as { dataIndex?: number }).dataIndex ?? -1];
      const to = drillRoute(s?.drill);
      if (to) navigate(to);
    },
    [ordered, navigate],
  );
  return (
    <Panel
      title={t('analytics.pipeline.title')}
      testId="pipeline-panel"
      extra={
        <DatePicker
          size="small"
          value={date ? dayjs(date) : null}
          placeholder={t('analytics.pipeline.today')}
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          onChange={(d) => onDate(d ? d.format('YYYY-MM-DD') : null)}
          style={{ width: 130 }}
          data-testid="pipeline-date"
        />
      }
      exportPath="/api/v1/analytics/pipeline"
      exportQuery={pipelineQuery(unitId, date, currency)}
      exportName="pipeline"
      loading={!data}
      error={pipeline.isError && !data ? pipeline.error : null}
      onRetry={() => void pipeline.refetch()}
    >
      {data ? (
        <Flex vertical gap={12}>
          {!data.snapshot_available ? <Alert type="info" showIcon message={t('analytics.pipeline.noSnapshot', { date: data.date })} /> : null}
          <Flex gap={24} wrap="wrap">
            <Statistic title={t('analytics.pipeline.count')} valueRender={() => <Figure drill={data.totals.drill} figure="pipeline-count">{formatCount(data.totals.count, locale)}</Figure>} />
            <Statistic title={t('analytics.pipeline.amount')} valueRender={() => <Figure drill={data.totals.drill} figure="pipeline-amount"><FigureText value={data.totals.amount} currency={cur} money /></Figure>} />
            <Statistic title={t('analytics.kpi.weighted')} valueRender={() => <FigureText value={data.totals.weighted_amount} currency={cur} money />} />
          </Flex>
          {data.by_stage.length ? (
            <Suspense fallback={<div style={{ height: Math.max(160, data.by_stage.length * 32 + 30) }} />}>
              <EChart option={option} height={Math.max(160, data.by_stage.length * 32 + 30)} onItemClick={onBar} data-testid="pipeline-stage-chart" />
            </Suspense>
          ) : null}
          <Flex gap={6} wrap="wrap">
            {data.by_forecast_category.map((c) => (
              <Tag key={c.forecast_category} bordered={false}>
                <Figure drill={c.drill} figure={`pipeline-${c.forecast_category}`}>
                  {td(`analytics.forecast.category.${c.forecast_category}`, c.forecast_category)} · {c.count} · <FigureText value={c.amount} currency={cur} money />
                </Figure>
              </Tag>
            ))}
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('analytics.pipeline.note', { date: data.date, month: data.rate_period, asOf: data.as_of ?? '—' })}
          </Typography.Text>
        </Flex>
      ) : null}
    </Panel>
  );
}
