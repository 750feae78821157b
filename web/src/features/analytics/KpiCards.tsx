import { Card, Flex, Progress, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '@/i18n';
import { Figure } from './Figure';
import { formatCount, formatDays, formatMoneyExact, formatMoneyShort, formatRatio, PACE_COLORS, paceOf, ratioPercent } from './format';
import { KPI_METRICS, type KpiMetricName, type KpiRow, MONEY_METRICS } from './types';

/** A figure as a card shows it: money short (exact in the tooltip), counts in full. */
export function FigureText({ value, currency, money }: { value: string | number | null | undefined; currency: string; money: boolean }) {
  const { locale } = useI18n();
  if (!money) return <>{formatCount(value, locale)}</>;
  return (
    <Tooltip title={formatMoneyExact(value, currency, locale)}>
      <span>{formatMoneyShort(value, currency, locale)}</span>
    </Tooltip>
  );
}

function MetricCard({ row, metric, currency, elapsed }: { row: KpiRow; metric: KpiMetricName; currency: string; elapsed: number }) {
  const { t } = useI18n();
  const figure = row.metrics[metric];
  const money = MONEY_METRICS.has(metric);
  const pace = paceOf(figure.ratio, elapsed);
  return (
    <Card size="small" className="kpi-card" data-testid="kpi-card" data-metric={metric}>
      <Flex justify="space-between" align="center" gap={8}>
        <div style={{ minWidth: 0 }}>
          <Typography.Text type="secondary">{t(`analytics.metric.${metric}`)}</Typography.Text>
          <div className="kpi-value">
            <Figure drill={row.drill[metric]} figure={metric} testId="kpi-figure">
              <span data-testid="kpi-actual" data-value={String(figure.actual)}>
                <FigureText value={figure.actual} currency={currency} money={money} />
              </span>
            </Figure>
          </div>
          <Typography.Text type="secondary" className="kpi-target">
            {figure.target === null ? t('analytics.kpi.noTarget') : <>{t('analytics.kpi.target')} <FigureText value={figure.target} currency={currency} money={money} /></>}
          </Typography.Text>
        </div>
        <Tooltip title={figure.ratio === null ? t('analytics.kpi.noTarget') : t(`analytics.pace.${pace}`, { elapsed: formatRatio(elapsed) })}>
          <Progress
            type="circle"
            size={64}
            percent={ratioPercent(figure.ratio)}
            strokeColor={PACE_COLORS[pace]}
            format={() => <span className="kpi-ratio">{formatRatio(figure.ratio)}</span>}
            data-testid="kpi-ratio"
          />
        </Tooltip>
      </Flex>
    </Card>
  );
}

function StatCard({ label, hint, children, testId }: { label: string; hint?: ReactNode; children: ReactNode; testId: string }) {
  return (
    <Card size="small" className="kpi-stat" data-testid={testId}>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <div className="kpi-stat-value">{children}</div>
      {hint ? (
        <Typography.Text type="secondary" className="kpi-target">
          {hint}
        </Typography.Text>
      ) : null}
    </Card>
  );
}

/**
 * The unit's five target metrics (actual vs target, achievement ring coloured by the pace of
 * the period), then win rate, average deal size, cycle, pipeline, overdue and stalled — each
 * figure opens the list it counts.
 */
export function KpiCards({ row, currency, elapsed }: { row: KpiRow; currency: string; elapsed: number }) {
  const { t, locale } = useI18n();
  return (
    <>
      <div className="kpi-grid" data-testid="kpi-cards">
        {KPI_METRICS.map((m) => (
          <MetricCard key={m} row={row} metric={m} currency={currency} elapsed={elapsed} />
        ))}
      </div>
      <div className="kpi-grid kpi-grid-small">
        <StatCard label={t('analytics.kpi.winRate')} hint={t('analytics.kpi.wonLost', { won: row.won_count, lost: row.lost_count })} testId="kpi-win-rate">
          <Figure drill={row.drill.win_rate} figure="win_rate">
            {formatRatio(row.win_rate)}
          </Figure>
        </StatCard>
        <StatCard label={t('analytics.kpi.averageDealSize')} hint={<>{t('analytics.kpi.wonAmount')} <FigureText value={row.won_amount} currency={currency} money /></>} testId="kpi-deal-size">
          <Figure drill={row.drill.average_deal_size} figure="average_deal_size">
            <FigureText value={row.average_deal_size} currency={currency} money />
          </Figure>
        </StatCard>
        <StatCard label={t('analytics.kpi.cycleDays')} testId="kpi-cycle">
          <Figure drill={row.drill.cycle_days} figure="cycle_days">
            {row.cycle_days === null ? '—' : t('analytics.kpi.days', { days: formatDays(row.cycle_days) })}
          </Figure>
        </StatCard>
        <StatCard label={t('analytics.kpi.openPipeline')} hint={<>{t('analytics.kpi.weighted')} <FigureText value={row.weighted_pipeline} currency={currency} money /></>} testId="kpi-pipeline">
          <Figure drill={row.drill.open_pipeline} figure="open_pipeline">
            <FigureText value={row.open_pipeline} currency={currency} money />
          </Figure>
        </StatCard>
        <StatCard label={t('analytics.kpi.overdue')} testId="kpi-overdue">
          <Figure drill={row.drill.overdue_receivables} figure="overdue_receivables">
            <Typography.Text type={Number(row.overdue_receivables) > 0 ? 'danger' : undefined}>
              <FigureText value={row.overdue_receivables} currency={currency} money />
            </Typography.Text>
          </Figure>
        </StatCard>
        <StatCard label={t('analytics.kpi.stalled')} testId="kpi-stalled">
          <Figure drill={row.drill.stalled_deals} figure="stalled_deals">
            <Typography.Text type={row.stalled_deals > 0 ? 'warning' : undefined}>{formatCount(row.stalled_deals, locale)}</Typography.Text>
          </Figure>
        </StatCard>
      </div>
    </>
  );
}
