import { Alert, DatePicker, Flex, Grid, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '@/i18n';
import { drillRoute } from './drill';
import { Figure } from './Figure';
import { formatMoneyExact } from './format';
import { changesQuery, usePipelineChanges } from './hooks';
import { Panel } from './Panel';
import type { PipelineStep } from './types';
import { buildWaterfall, waterfallOption } from './waterfall';

const EChart = lazy(() => import('@/components/EChart'));

/**
 * 管道变化: the waterfall from the pipeline on one date to the pipeline on another — new deals,
 * amounts raised and cut, won, lost, removed — with the deals that advanced, moved back,
 * slipped or were pulled in. One rate (period end of the later date's month) for both sides,
 * so the bars add up.
 */
export function WaterfallPanel({
  unitId,
  currency,
  from,
  to,
  onRange,
  enabled,
}: {
  unitId: string | null;
  currency: string | null;
  from: string | null;
  to: string | null;
  onRange: (from: string | null, to: string | null) => void;
  enabled: boolean;
}) {
  const { t, td, locale } = useI18n();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const changes = usePipelineChanges(unitId, from, to, currency, enabled);
  const data = changes.data;
  const cur = data?.currency ?? currency ?? 'CNY';
  const waterfall = useMemo(() => buildWaterfall<PipelineStep>(data?.steps ?? []), [data]);
  const option = useMemo(
    () => waterfallOption(waterfall, (s) => td(`analytics.waterfall.step.${s.code}`, s.code), (a) => formatMoneyExact(a, cur, locale), locale, !screens.md),
    [waterfall, td, cur, locale, screens.md],
  );
  const onBar = useCallback(
    (params: unknown) => {
      const bar = waterfall.bars[(params as { dataIndex?: number }).dataIndex ?? -1];
      const route = drillRoute(bar?.step.drill);
      if (route) navigate(route);
    },
    [waterfall, navigate],
  );
  const fromDay = data?.from ?? from;
  const toDay = data?.to ?? to;
  return (
    <Panel
      title={t('analytics.waterfall.title')}
      testId="waterfall-panel"
      extra={
        <DatePicker.RangePicker
          size="small"
          value={[fromDay ? dayjs(fromDay) : null, toDay ? dayjs(toDay) : null]}
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          onChange={(range) => onRange(range?.[0]?.format('YYYY-MM-DD') ?? null, range?.[1]?.format('YYYY-MM-DD') ?? null)}
          allowClear
          style={{ width: 230 }}
          data-testid="waterfall-range"
        />
      }
      exportPath="/api/v1/analytics/pipeline-changes"
      exportQuery={changesQuery(unitId, from, to, currency)}
      exportName="pipeline-changes"
      loading={!data}
      error={changes.isError && !data ? changes.error : null}
      onRetry={() => void changes.refetch()}
    >
      {data ? (
        <Flex vertical gap={12}>
          {!data.snapshot_available ? <Alert type="info" showIcon message={t('analytics.pipeline.noSnapshot', { date: data.from })} /> : null}
          {!waterfall.balanced ? <Alert type="warning" showIcon message={t('analytics.waterfall.unbalanced')} /> : null}
          <Suspense fallback={<div style={{ height: 280 }} />}>
            <EChart option={option} height={280} onItemClick={onBar} data-testid="waterfall-chart" />
          </Suspense>
          <Flex gap={6} wrap="wrap" data-testid="waterfall-movements">
            {data.movements.map((m) => (
              <Tag key={m.code} bordered={false} color={m.code === 'advanced' || m.code === 'pulled_in' ? 'green' : 'orange'}>
                <Figure drill={m.drill} figure={`movement-${m.code}`}>
                  {td(`analytics.waterfall.movement.${m.code}`, m.code)} {m.count}
                </Figure>
              </Tag>
            ))}
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('analytics.waterfall.note', { from: data.from, to: data.to, month: data.rate_period })}
          </Typography.Text>
        </Flex>
      ) : null}
    </Panel>
  );
}
