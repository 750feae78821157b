import { Button, Card, Col, Flex, Result, Row, Select, Skeleton, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useMemo } from 'react';
import { useNavigate } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { oneOf, useUrlFilters } from '@/features/ltc/urlFilters';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useFiscalYear } from '@/features/target/hooks';
import { useI18n } from '@/i18n';
import { AgingPanel } from './AgingPanel';
import { CoverageGauge } from './CoverageGauge';
import { ForecastPanel } from './ForecastPanel';
import { FunnelPanel } from './FunnelPanel';
import { type DashboardScope, scopeQuery, useForecast, useKpis, usePipeline, usePipelineChanges, useTrends, useUnitAging } from './hooks';
import { KpiCards } from './KpiCards';
import { LeagueTable } from './LeagueTable';
import { MissingRatesAlert } from './MissingRatesAlert';
import { Panel } from './Panel';
import { addMonths, describePeriod, elapsedShare, type FiscalPeriod, lastDay, parsePeriod } from './period';
import { PeriodPicker } from './PeriodPicker';
import { PipelinePanel } from './PipelinePanel';
import { mergeMissingRates } from './rates';
import { TrendPanel } from './TrendPanel';
import { REPORT_CURRENCIES, TREND_METRICS } from './types';
import { UnitBreadcrumb } from './UnitBreadcrumb';
import { WaterfallPanel } from './WaterfallPanel';
import './analytics.css';

const CURRENCY = /^[A-Z]{3}$/;

/** The trend's twelve months: ending with the period's last month when the period is over, else the server's default (this month). */
function trendWindow(period: FiscalPeriod | null, today: string): { from: string | null; to: string | null } {
  if (!period || period.end > today) return { from: null, to: null };
  const last = lastDay(period);
  return { from: addMonths(last, -11).slice(0, 7), to: last.slice(0, 7) };
}

/**
 * 数据分析: the group dashboard for a group user, a subsidiary's (or a department's, a team's)
 * when `unit_id` names one — the same page. Period, unit and currency live in the URL; every
 * figure opens the list behind it, every unit in the league table re-opens the dashboard there,
 * and the breadcrumb leads back up. A unit outside the caller's scope is simply not found.
 */
export default function AnalyticsDashboardPage() {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const { get, set, params } = useUrlFilters();
  const fiscal = useFiscalYear();
  const fiscalStart = fiscal.data?.start_month ?? 1;
  const today = dayjs().format('YYYY-MM-DD');

  const currencyParam = get('currency');
  const scope: DashboardScope = {
    unitId: get('unit_id'),
    period: get('period'),
    currency: currencyParam && CURRENCY.test(currencyParam) ? currencyParam : null,
  };
  const trendMetric = oneOf(TREND_METRICS, get('trend')) ?? 'contract_amount';
  // Panels that take dates need the fiscal setting to read a period from the URL; without a
  // period in the URL every endpoint uses the same default (the current fiscal quarter).
  const urlPeriod = scope.period && fiscal.data ? parsePeriod(scope.period, fiscalStart) : null;
  const ready = !scope.period || fiscal.isFetched;
  const funnelRange = urlPeriod ? { from: urlPeriod.start, to: lastDay(urlPeriod) } : { from: null, to: null };
  const trendRange = trendWindow(urlPeriod, today);

  const kpis = useKpis(scope);
  const report = kpis.data;
  const notFound = isApiError(kpis.error) && kpis.error.status === 404;
  const enabled = ready && !notFound;
  // The same queries the panels make (shared by key): their missing rates go into one warning.
  const trends = useTrends(scope, trendMetric, trendRange.from, trendRange.to, enabled);
  const aging = useUnitAging(scope.unitId, scope.currency, enabled);
  const forecast = useForecast(scope, enabled);
  const isoDay = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);
  const pipelineDate = isoDay(get('pipeline_date'));
  const changesFrom = isoDay(get('changes_from'));
  const changesTo = isoDay(get('changes_to'));
  const pipeline = usePipeline(scope.unitId, pipelineDate, scope.currency, enabled);
  const changes = usePipelineChanges(scope.unitId, changesFrom, changesTo, scope.currency, enabled);
  const missing = mergeMissingRates(
    report?.missing_rates,
    trends.data?.missing_rates,
    aging.data?.missing_rates,
    forecast.data?.missing_rates,
    pipeline.data?.missing_rates,
    changes.data?.missing_rates,
  );

  const period: FiscalPeriod | null = report ? { kind: report.period.kind as FiscalPeriod['kind'], start: report.period.start, end: report.period.end, label: report.period.label } : urlPeriod;
  const elapsed = period ? elapsedShare(period, today) : 0;
  const total = report?.rows.find((r) => r.is_total) ?? null;
  const currency = report?.currency ?? scope.currency ?? 'CNY';

  const unitLink = useCallback(
    (unitId: string) => {
      const next = new URLSearchParams(params);
      next.set('unit_id', unitId);
      return `/analytics?${next.toString()}`;
    },
    [params],
  );
  const currencies = useMemo(() => [...new Set([...REPORT_CURRENCIES, currency])], [currency]);

  if (notFound) {
    return (
      <PageContainer title={t('analytics.title')}>
        <Card data-testid="analytics-not-found">
          <Result
            status="404"
            title={t('analytics.notFound.title')}
            subTitle={t('analytics.notFound.hint')}
            extra={
              <Button type="primary" onClick={() => navigate('/analytics')}>
                {t('analytics.notFound.back')}
              </Button>
            }
          />
        </Card>
      </PageContainer>
    );
  }

  const unitName = report ? (locale === 'zh-CN' ? report.unit.name : report.unit.name_en || report.unit.name) : null;

  return (
    <PageContainer
      title={t('analytics.title')}
      documentTitle={unitName ? `${t('analytics.title')} · ${unitName}` : t('analytics.title')}
      subtitle={
        report && period ? (
          <span data-testid="analytics-subtitle">
            {t('analytics.subtitle', { unit: unitName ?? '', period: describePeriod(period, locale), currency: report.currency, date: report.as_of })}
          </span>
        ) : null
      }
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }} className="analytics-page">
        <Card size="small">
          <Flex className="filter-bar analytics-filters" gap={12} wrap="wrap" align="center" style={{ marginBottom: 0 }}>
            <PeriodPicker value={scope.period ?? report?.period.label ?? null} fiscalStartMonth={fiscalStart} onChange={(p) => set({ period: p })} />
            <OrgUnitTreeSelect
              value={scope.unitId ?? report?.unit.id ?? null}
              onChange={(v) => navigate(v ? unitLink(v) : '/analytics')}
              placeholder={t('analytics.unit')}
              style={{ width: 240 }}
              data-testid="analytics-unit"
            />
            <Select
              value={currency}
              onChange={(v: string) => set({ currency: v })}
              options={currencies.map((c) => ({ value: c, label: c }))}
              style={{ width: 100, minWidth: 100 }}
              aria-label={t('analytics.currency')}
              data-testid="analytics-currency"
            />
          </Flex>
          {report ? (
            <div style={{ marginTop: 12 }}>
              <UnitBreadcrumb unit={report.unit} linkTo={unitLink} />
            </div>
          ) : null}
        </Card>

        <MissingRatesAlert rates={missing} />

        {kpis.isError && !report ? (
          <QueryError error={kpis.error} onRetry={() => void kpis.refetch()} />
        ) : !report || !total ? (
          <Card>
            <Skeleton active paragraph={{ rows: 8 }} />
          </Card>
        ) : (
          <Flex vertical gap={16} className={kpis.isPlaceholderData ? 'analytics-stale' : undefined} aria-busy={kpis.isPlaceholderData}>
            <KpiCards row={total} currency={currency} elapsed={elapsed} />
            <Typography.Text type="secondary" className="analytics-note">
              {t('analytics.rateNote', { month: report.pipeline_as_of_month, elapsed: `${Math.round(elapsed * 100)}%` })}
            </Typography.Text>
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={8}>
                <Panel title={t('analytics.coverage.title')} testId="coverage-panel" exportPath="/api/v1/analytics/kpis" exportQuery={scopeQuery(scope)} exportName="kpis">
                  <CoverageGauge row={total} currency={currency} />
                </Panel>
              </Col>
              <Col xs={24} lg={16}>
                <ForecastPanel scope={scope} enabled={enabled} />
              </Col>
            </Row>
            <Panel
              title={t('analytics.league.title')}
              testId="league-panel"
              exportPath="/api/v1/analytics/kpis"
              exportQuery={scopeQuery(scope)}
              exportName="kpis"
            >
              <LeagueTable rows={report.rows} currency={currency} elapsed={elapsed} unitLink={unitLink} />
            </Panel>
          </Flex>
        )}

        <Row gutter={[16, 16]}>
          <Col xs={24} xl={12}>
            <FunnelPanel unitId={scope.unitId} from={funnelRange.from} to={funnelRange.to} enabled={enabled} />
          </Col>
          <Col xs={24} xl={12}>
            <TrendPanel scope={scope} metric={trendMetric} onMetric={(m) => set({ trend: m === 'contract_amount' ? null : m })} from={trendRange.from} to={trendRange.to} enabled={enabled} />
          </Col>
          <Col xs={24} xl={12}>
            <AgingPanel unitId={scope.unitId} currency={scope.currency} enabled={enabled} />
          </Col>
          <Col xs={24} xl={12}>
            <PipelinePanel unitId={scope.unitId} currency={scope.currency} date={pipelineDate} onDate={(d) => set({ pipeline_date: d })} enabled={enabled} />
          </Col>
          <Col xs={24}>
            <WaterfallPanel
              unitId={scope.unitId}
              currency={scope.currency}
              from={changesFrom}
              to={changesTo}
              onRange={(from, to) => set({ changes_from: from, changes_to: to })}
              enabled={enabled}
            />
          </Col>
        </Row>
      </Space>
    </PageContainer>
  );
}
