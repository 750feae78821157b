/** Names for the analytics API's shapes, taken from the generated schema by path. */
import type { Ok, Query } from '@/api/types';

type ItemOf<T> = T extends ReadonlyArray<infer I> ? I : never;

export type KpiReport = Ok<'/api/v1/analytics/kpis', 'get'>;
export type KpiRow = ItemOf<KpiReport['rows']>;
export type KpiMetricName = keyof KpiRow['metrics'];
export type MetricFigure = KpiRow['metrics'][KpiMetricName];
export type MissingRate = ItemOf<KpiReport['missing_rates']>;

export type TrendReport = Ok<'/api/v1/analytics/trends', 'get'>;
export type TrendPoint = ItemOf<TrendReport['points']>;
export type TrendMetric = Query<'/api/v1/analytics/trends', 'get'>['metric'];

export type UnitAging = Ok<'/api/v1/analytics/receivables-aging', 'get'>;
export type UnitAgingRow = ItemOf<UnitAging['rows']>;

export type Funnel = Ok<'/api/v1/analytics/funnel', 'get'>;
export type FunnelStage = ItemOf<Funnel['stages']>;

export type Forecast = Ok<'/api/v1/analytics/forecast', 'get'>;
export type ForecastCategory = ItemOf<Forecast['by_category']>;
export type BacktestQuarter = ItemOf<Forecast['backtest']['quarters']>;

/** The five target metrics, in the order the cards and the league table show them. */
export const KPI_METRICS = ['contract_amount', 'payment_collected', 'won_deals', 'new_customers', 'activities'] as const satisfies readonly KpiMetricName[];
export const MONEY_METRICS: ReadonlySet<string> = new Set(['contract_amount', 'payment_collected', 'won_amount']);
export const TREND_METRICS = ['contract_amount', 'payment_collected', 'won_amount', 'won_deals', 'new_customers', 'activities'] as const satisfies readonly TrendMetric[];
export const REPORT_CURRENCIES = ['CNY', 'HKD', 'SGD', 'USD'] as const;

export type PipelineOnDate = Ok<'/api/v1/analytics/pipeline', 'get'>;
export type PipelineStage = ItemOf<PipelineOnDate['by_stage']>;
export type PipelineCategory = ItemOf<PipelineOnDate['by_forecast_category']>;
export type PipelineChanges = Ok<'/api/v1/analytics/pipeline-changes', 'get'>;
export type PipelineStep = ItemOf<PipelineChanges['steps']>;
export type PipelineRowsPage = Ok<'/api/v1/analytics/pipeline/rows', 'get'>;
export type PipelineRow = ItemOf<PipelineRowsPage['items']>;
export type PipelineRowsQuery = Query<'/api/v1/analytics/pipeline/rows', 'get'>;
