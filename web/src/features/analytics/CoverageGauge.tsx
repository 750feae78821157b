import { Flex, Typography } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { useI18n } from '@/i18n';
import { coverageGaugeOption } from './charts';
import { Figure } from './Figure';
import { FigureText } from './KpiCards';
import type { KpiRow } from './types';

const EChart = lazy(() => import('@/components/EChart'));

/**
 * Pipeline coverage: the weighted open pipeline closing in the period ÷ what is left of the
 * contract-amount target. Below 1× the pipeline cannot fill the gap even if it closes as weighted.
 */
export function CoverageGauge({ row, currency }: { row: KpiRow; currency: string }) {
  const { t } = useI18n();
  const coverage = row.coverage === null ? null : Number(row.coverage);
  const option = useMemo(() => coverageGaugeOption(coverage, t('analytics.coverage.axis')), [coverage, t]);
  const noTarget = row.metrics.contract_amount.target === null;
  return (
    <div data-testid="coverage" data-value={row.coverage ?? ''}>
      <Suspense fallback={<div style={{ height: 200 }} />}>
        <EChart option={option} height={200} data-testid="coverage-gauge" />
      </Suspense>
      <Flex vertical gap={2} align="center">
        {coverage === null ? (
          <Typography.Text type="secondary">{noTarget ? t('analytics.coverage.noTarget') : t('analytics.coverage.targetMet')}</Typography.Text>
        ) : null}
        <Typography.Text type="secondary">
          {t('analytics.kpi.weighted')}{' '}
          <Figure drill={row.drill.weighted_pipeline} figure="weighted_pipeline">
            <FigureText value={row.weighted_pipeline} currency={currency} money />
          </Figure>
          {' ÷ '}
          {t('analytics.coverage.remaining')}{' '}
          <Figure drill={row.drill.remaining_target} figure="remaining_target">
            <FigureText value={row.remaining_target} currency={currency} money />
          </Figure>
        </Typography.Text>
      </Flex>
    </div>
  );
}
