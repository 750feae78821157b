import { Collapse, Flex, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useI18n } from '@/i18n';
import { Figure } from './Figure';
import { formatRatio } from './format';
import { type DashboardScope, scopeQuery, useForecast } from './hooks';
import { FigureText } from './KpiCards';
import { Panel } from './Panel';
import type { BacktestQuarter, Forecast, ForecastCategory } from './types';

type ModelCell = Forecast['model'][number];
type StageForecast = Forecast['stages'][number];

/** Which method the back-test says to trust: the lower mean absolute percentage error. */
function better(f: Forecast): 'statistical' | 'stage_weighted' | null {
  const a = f.backtest.mean_absolute_percentage_error;
  const b = f.backtest.stage_weighted_mean_absolute_percentage_error;
  if (a === null || b === null) return null;
  return Number(a) <= Number(b) ? 'statistical' : 'stage_weighted';
}

/**
 * 预测: open deals expected to close in the period by forecast category, stage-weighted, and the
 * statistical forecast learned from the group's own history — with its back-test error on past
 * quarters next to the stage-weighted method's, so users see which to trust.
 */
export function ForecastPanel({ scope, enabled }: { scope: DashboardScope; enabled: boolean }) {
  const { t, td, locale } = useI18n();
  const forecast = useForecast(scope, enabled);
  const f = forecast.data;
  const cur = f?.currency ?? scope.currency ?? 'CNY';
  const money = (v: string | number | null | undefined) => <FigureText value={v} currency={cur} money />;
  const stageName = (s: { name: string; name_en: string | null }) => (locale === 'zh-CN' ? s.name : s.name_en || s.name);

  const categoryColumns: ColumnsType<ForecastCategory> = [
    { title: t('analytics.forecast.category'), key: 'category', render: (_, c) => td(`analytics.forecast.category.${c.category}`, c.category) },
    { title: t('analytics.forecast.count'), key: 'count', align: 'right', render: (_, c) => <Figure drill={c.drill} figure={`forecast-${c.category}`}>{c.count}</Figure> },
    { title: t('analytics.forecast.amount'), key: 'amount', align: 'right', render: (_, c) => <Figure drill={c.drill} figure={`forecast-${c.category}-amount`}>{money(c.amount)}</Figure> },
  ];
  const stageColumns: ColumnsType<StageForecast> = [
    { title: t('analytics.funnel.stage'), key: 'stage', render: (_, s) => `${stageName(s)} · ${s.probability}%` },
    { title: t('analytics.forecast.count'), key: 'count', align: 'right', render: (_, s) => <Figure drill={s.drill} figure="forecast-stage">{s.count}</Figure> },
    { title: t('analytics.forecast.amount'), key: 'amount', align: 'right', render: (_, s) => money(s.amount) },
    { title: t('analytics.forecast.weighted'), key: 'weighted', align: 'right', render: (_, s) => money(s.weighted) },
    { title: t('analytics.forecast.statistical'), key: 'statistical', align: 'right', render: (_, s) => money(s.statistical) },
  ];
  const backtestColumns: ColumnsType<BacktestQuarter> = [
    { title: t('analytics.forecast.quarter'), dataIndex: 'quarter' },
    { title: t('analytics.forecast.predicted'), key: 'predicted', align: 'right', render: (_, q) => money(q.predicted) },
    { title: t('analytics.forecast.actual'), key: 'actual', align: 'right', render: (_, q) => money(q.actual) },
    { title: t('analytics.forecast.error'), key: 'error', align: 'right', render: (_, q) => formatRatio(q.error) },
    { title: t('analytics.forecast.weightedError'), key: 'werror', align: 'right', responsive: ['sm'], render: (_, q) => formatRatio(q.stage_weighted_error) },
  ];
  const modelColumns: ColumnsType<ModelCell> = [
    { title: t('analytics.funnel.stage'), dataIndex: 'stage_code' },
    { title: t('analytics.forecast.ageBucket'), key: 'age', render: (_, m) => td(`analytics.forecast.age.${m.age_bucket}`, m.age_bucket) },
    { title: t('analytics.forecast.examples'), dataIndex: 'examples', align: 'right' },
    { title: t('analytics.forecast.winRate'), key: 'rate', align: 'right', render: (_, m) => formatRatio(m.win_rate) },
    { title: t('analytics.forecast.applied'), key: 'applied', align: 'right', render: (_, m) => formatRatio(m.applied_rate) },
    { title: t('analytics.forecast.basis'), key: 'basis', render: (_, m) => <Tag bordered={false}>{td(`analytics.forecast.basis.${m.basis}`, m.basis)}</Tag> },
  ];
  const winner = f ? better(f) : null;

  return (
    <Panel
      title={t('analytics.forecast.title')}
      testId="forecast-panel"
      exportPath="/api/v1/analytics/forecast"
      exportQuery={scopeQuery(scope)}
      exportName="forecast"
      loading={!f}
      error={forecast.isError && !f ? forecast.error : null}
      onRetry={() => void forecast.refetch()}
    >
      {f ? (
        <Flex vertical gap={12}>
          <div className="forecast-stats">
            <Statistic title={t('analytics.forecast.committedPlusClosed')} valueRender={() => money(f.committed_plus_closed)} />
            <Statistic title={t('analytics.forecast.weighted')} valueRender={() => money(f.stage_weighted)} />
            <Statistic title={t('analytics.forecast.statistical')} valueRender={() => <span data-testid="forecast-statistical">{money(f.statistical)}</span>} />
            <Statistic title={t('analytics.forecast.target')} valueRender={() => (f.target === null ? '—' : money(f.target))} />
          </div>
          <Table<ForecastCategory> size="small" rowKey="category" columns={categoryColumns} dataSource={f.by_category} pagination={false} scroll={{ x: 'max-content' }} />
          <div data-testid="forecast-backtest">
            <Flex gap={8} wrap="wrap" align="center" style={{ marginBottom: 6 }}>
              <Typography.Text strong>{t('analytics.forecast.backtest')}</Typography.Text>
              <Tag color={winner === 'statistical' ? 'green' : undefined} bordered={false}>
                {t('analytics.forecast.statisticalMape', { error: formatRatio(f.backtest.mean_absolute_percentage_error) })}
              </Tag>
              <Tag color={winner === 'stage_weighted' ? 'green' : undefined} bordered={false}>
                {t('analytics.forecast.weightedMape', { error: formatRatio(f.backtest.stage_weighted_mean_absolute_percentage_error) })}
              </Tag>
            </Flex>
            <Table<BacktestQuarter> size="small" rowKey="quarter" columns={backtestColumns} dataSource={f.backtest.quarters} pagination={false} scroll={{ x: 'max-content' }} />
          </div>
          <Collapse
            size="small"
            ghost
            items={[
              {
                key: 'stages',
                label: t('analytics.forecast.byStage'),
                children: <Table<StageForecast> size="small" rowKey="stage_code" columns={stageColumns} dataSource={f.stages} pagination={false} scroll={{ x: 'max-content' }} />,
              },
              {
                key: 'model',
                label: t('analytics.forecast.model'),
                children: (
                  <Table<ModelCell>
                    size="small"
                    rowKey={(m) => `${m.stage_code}-${m.age_bucket}`}
                    columns={modelColumns}
                    dataSource={f.model}
                    pagination={false}
                    scroll={{ x: 'max-content' }}
                  />
                ),
              },
            ]}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('analytics.forecast.note', { date: f.as_of })}
          </Typography.Text>
        </Flex>
      ) : null}
    </Panel>
  );
}
