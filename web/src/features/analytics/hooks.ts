import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { TrendMetric } from './types';

/** What every panel of the dashboard is asked for; null means “the server's default”. */
export interface DashboardScope {
  unitId: string | null;
  period: string | null;
  currency: string | null;
}

export const analyticsKeys = {
  all: ['analytics'] as const,
  kpis: (s: DashboardScope) => [...analyticsKeys.all, 'kpis', s] as const,
  trends: (s: DashboardScope, metric: TrendMetric, to: string | null) => [...analyticsKeys.all, 'trends', s, metric, to] as const,
  funnel: (unitId: string | null, from: string | null, to: string | null) => [...analyticsKeys.all, 'funnel', unitId, from, to] as const,
  forecast: (s: DashboardScope) => [...analyticsKeys.all, 'forecast', s] as const,
  aging: (unitId: string | null, currency: string | null) => [...analyticsKeys.all, 'aging', unitId, currency] as const,
  pipeline: (unitId: string | null, date: string | null, currency: string | null) => [...analyticsKeys.all, 'pipeline', unitId, date, currency] as const,
  changes: (unitId: string | null, from: string | null, to: string | null, currency: string | null) =>
    [...analyticsKeys.all, 'pipeline-changes', unitId, from, to, currency] as const,
  pipelineRows: (q: Record<string, string>) => [...analyticsKeys.all, 'pipeline-rows', q] as const,
};

const opt = <K extends string>(key: K, value: string | null | undefined) => (value ? ({ [key]: value } as Record<K, string>) : {});

/** The query an endpoint was asked with (also what its export sends). */
export const scopeQuery = (s: DashboardScope) => ({ ...opt('unit_id', s.unitId), ...opt('period', s.period), ...opt('currency', s.currency) });

// Dashboards are live: a short stale time, and the previous answer stays on screen while a
// filter change loads.
const LIVE = { staleTime: 15_000, placeholderData: keepPreviousData } as const;

export function useKpis(s: DashboardScope) {
  return useQuery({
    queryKey: analyticsKeys.kpis(s),
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/kpis', { params: { query: scopeQuery(s) } })),
  });
}

export function trendQuery(s: DashboardScope, metric: TrendMetric, from: string | null, to: string | null) {
  return { metric, ...opt('unit_id', s.unitId), ...opt('currency', s.currency), ...opt('from', from), ...opt('to', to) };
}

/** Twelve months ending with `to` (`YYYY-MM`; the server's default is the current month). */
export function useTrends(s: DashboardScope, metric: TrendMetric, from: string | null, to: string | null, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.trends(s, metric, to),
    enabled,
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/trends', { params: { query: trendQuery(s, metric, from, to) } })),
  });
}

export function funnelQuery(unitId: string | null, from: string | null, to: string | null) {
  return { ...opt('unit_id', unitId), ...opt('from', from), ...opt('to', to) };
}

export function useFunnel(unitId: string | null, from: string | null, to: string | null, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.funnel(unitId, from, to),
    enabled,
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/funnel', { params: { query: funnelQuery(unitId, from, to) } })),
  });
}

export function useForecast(s: DashboardScope, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.forecast(s),
    enabled,
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/forecast', { params: { query: scopeQuery(s) } })),
  });
}

export function agingQuery(unitId: string | null, currency: string | null) {
  return { ...opt('unit_id', unitId), ...opt('currency', currency) };
}

export function useUnitAging(unitId: string | null, currency: string | null, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.aging(unitId, currency),
    enabled,
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/receivables-aging', { params: { query: agingQuery(unitId, currency) } })),
  });
}

export function pipelineQuery(unitId: string | null, date: string | null, currency: string | null) {
  return { ...opt('unit_id', unitId), ...opt('date', date), ...opt('currency', currency) };
}

/** The open pipeline as the daily snapshots saw it on `date` (default today). */
export function usePipeline(unitId: string | null, date: string | null, currency: string | null, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.pipeline(unitId, date, currency),
    enabled,
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/pipeline', { params: { query: pipelineQuery(unitId, date, currency) } })),
  });
}

export function changesQuery(unitId: string | null, from: string | null, to: string | null, currency: string | null) {
  return { ...opt('unit_id', unitId), ...opt('from', from), ...opt('to', to), ...opt('currency', currency) };
}

/** The waterfall between two dates (default: the 30 days to today). */
export function usePipelineChanges(unitId: string | null, from: string | null, to: string | null, currency: string | null, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.changes(unitId, from, to, currency),
    enabled,
    ...LIVE,
    queryFn: () => unwrap(api.GET('/api/v1/analytics/pipeline-changes', { params: { query: changesQuery(unitId, from, to, currency) } })),
  });
}
