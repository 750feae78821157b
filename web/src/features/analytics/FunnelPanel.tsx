import { Flex, Grid, Statistic, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '@/i18n';
import { funnelOption } from './charts';
import { drillRoute } from './drill';
import { Figure } from './Figure';
import { formatDays, formatRatio } from './format';
import { funnelQuery, useFunnel } from './hooks';
import { Panel } from './Panel';
import type { FunnelStage } from './types';

const EChart = lazy(() => import('@/components/EChart'));

/** 漏斗: per stage (process order) the deals that entered in the period, advanced, dropped, conversion, days in stage and stalled now. */
export function FunnelPanel({ unitId, from, to, enabled }: { unitId: string | null; from: string | null; to: string | null; enabled: boolean }) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const funnel = useFunnel(unitId, from, to, enabled);
  const data = funnel.data;
  const stageName = (s: FunnelStage) => (locale === 'zh-CN' ? s.name : s.name_en || s.name);
  const option = useMemo(() => (data ? funnelOption(data.stages, locale, t('analytics.funnel.conversion'), !screens.sm) : null), [data, locale, t, screens.sm]);
  const onStage = useCallback(
    (params: unknown) => {
      const index = (params as { dataIndex?: number }).dataIndex;
      const stage = index === undefined ? undefined : data?.stages[index];
      const to = drillRoute(stage?.drill.entered ?? Object.values(stage?.drill ?? {})[0]);
      if (to) navigate(to);
    },
    [data, navigate],
  );
  const link = (s: FunnelStage, key: string, value: string | number) => (
    <Figure drill={s.drill[key]} figure={`funnel-${key}`}>
      {value}
    </Figure>
  );
  const columns: ColumnsType<FunnelStage> = [
    { title: t('analytics.funnel.stage'), key: 'stage', fixed: 'left', render: (_, s) => stageName(s) },
    { title: t('analytics.funnel.entered'), key: 'entered', align: 'right', render: (_, s) => link(s, 'entered', s.entered) },
    { title: t('analytics.funnel.advanced'), key: 'advanced', align: 'right', render: (_, s) => link(s, 'advanced', s.advanced) },
    { title: t('analytics.funnel.dropped'), key: 'dropped', align: 'right', render: (_, s) => link(s, 'dropped', s.dropped) },
    { title: t('analytics.funnel.conversion'), key: 'conversion', align: 'right', render: (_, s) => formatRatio(s.conversion) },
    { title: t('analytics.funnel.averageDays'), key: 'days', align: 'right', render: (_, s) => (s.average_days === null ? '—' : formatDays(s.average_days)) },
    {
      title: t('analytics.kpi.stalled'),
      key: 'stalled',
      align: 'right',
      render: (_, s) => (
        <Figure drill={s.drill.stalled} figure="funnel-stalled">
          <Typography.Text type={s.stalled > 0 ? 'warning' : undefined}>{s.stalled}</Typography.Text>
        </Figure>
      ),
    },
  ];
  return (
    <Panel
      title={t('analytics.funnel.title')}
      testId="funnel-panel"
      exportPath="/api/v1/analytics/funnel"
      exportQuery={funnelQuery(unitId, from, to)}
      exportName="funnel"
      loading={!data}
      error={funnel.isError && !data ? funnel.error : null}
      onRetry={() => void funnel.refetch()}
    >
      {data && option ? (
        <>
          <Flex gap={24} wrap="wrap" style={{ marginBottom: 8 }}>
            <Statistic title={t('analytics.funnel.won')} valueRender={() => <Figure drill={data.totals.drill.won} figure="funnel-won">{data.totals.won}</Figure>} />
            <Statistic title={t('analytics.funnel.lost')} valueRender={() => <Figure drill={data.totals.drill.lost} figure="funnel-lost">{data.totals.lost}</Figure>} />
            <Statistic title={t('analytics.kpi.winRate')} value={formatRatio(data.totals.win_rate)} />
            <Statistic title={t('analytics.kpi.stalled')} valueRender={() => <Figure drill={data.totals.drill.stalled} figure="funnel-stalled-total">{data.totals.stalled}</Figure>} />
          </Flex>
          {data.stages.some((s) => s.entered > 0) ? (
            <Suspense fallback={<div style={{ height: 240 }} />}>
              <EChart option={option} height={Math.max(200, data.stages.length * 40)} onItemClick={onStage} data-testid="funnel-chart" />
            </Suspense>
          ) : null}
          <Table<FunnelStage>
            size="small"
            rowKey="stage_code"
            columns={columns}
            dataSource={data.stages}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="funnel-table"
          />
        </>
      ) : null}
    </Panel>
  );
}
