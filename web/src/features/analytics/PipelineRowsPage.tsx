import { Card, Flex, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '@/api/client';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { ExportButton } from './ExportButton';
import { formatMoneyExact } from './format';
import { analyticsKeys } from './hooks';
import type { PipelineRow, PipelineRowsQuery } from './types';

/** Query parameters the rows endpoint takes; anything else in the URL is ignored. */
const ROW_FILTERS = ['unit_id', 'date', 'from', 'change', 'stage_code', 'forecast_category', 'owner_id', 'include_children'] as const;

/**
 * 管道明细: the deal versions behind a pipeline or waterfall figure, as the snapshots recorded
 * them on the date (stage, amount and close date then, not now). Deals since moved out of the
 * caller's reach keep their row without a name.
 */
export default function PipelineRowsPage() {
  const { t, td, locale } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { byId } = useOrgUnits();
  const filters = useMemo(() => {
    const out: Record<string, string> = {};
    for (const key of ROW_FILTERS) {
      const v = params.get(key);
      if (v) out[key] = v;
    }
    return out;
  }, [params]);
  const key = JSON.stringify(filters);
  const fetchPage = useCallback(
    (req: PageRequest) =>
      unwrap(
        api.GET('/api/v1/analytics/pipeline/rows', {
          params: {
            query: {
              ...(JSON.parse(key) as PipelineRowsQuery),
              limit: req.limit,
              ...(req.cursor ? { cursor: req.cursor } : {}),
              ...(req.includeTotal ? { include_total: true } : {}),
            },
          },
        }),
      ),
    [key],
  );
  const unit = filters.unit_id ? byId.get(filters.unit_id) : undefined;
  const chips = [
    unit ? `${t('analytics.drill.unit')}：${unit.name}` : null,
    filters.from ? `${filters.from} → ${filters.date ?? t('analytics.pipeline.today')}` : filters.date ? `${t('analytics.pipeline.onDate')}：${filters.date}` : null,
    filters.change ? td(`analytics.waterfall.change.${filters.change}`, filters.change) : null,
    filters.stage_code ? `${t('analytics.drill.stage')}：${filters.stage_code}` : null,
    filters.forecast_category ? td(`analytics.forecast.category.${filters.forecast_category}`, filters.forecast_category) : null,
    filters.include_children === 'false' ? t('analytics.pipeline.directOnly') : null,
  ].filter(Boolean);

  const columns: ColumnsType<PipelineRow> = [
    {
      title: t('opp.name'),
      key: 'name',
      fixed: 'left',
      render: (_, r) => (r.name ? <Link to={`/opportunities/${r.opportunity_id}`}>{r.name}</Link> : <Typography.Text type="secondary">{t('analytics.pipeline.hidden')}</Typography.Text>),
    },
    {
      title: t('opp.stage'),
      key: 'stage',
      render: (_, r) => (
        <Tag bordered={false} color={r.status === 'open' ? 'blue' : r.status === 'won' ? 'success' : 'default'}>
          {(locale === 'zh-CN' ? r.stage.name : r.stage.name_en || r.stage.name) ?? r.stage.code ?? '—'} · {r.probability}%
        </Tag>
      ),
    },
    { title: t('opp.amount'), key: 'amount', align: 'right', render: (_, r) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoneyExact(r.amount, r.currency, locale)}</span> },
    { title: t('opp.forecast'), key: 'category', responsive: ['md'], render: (_, r) => td(`analytics.forecast.category.${r.forecast_category}`, r.forecast_category) },
    { title: t('opp.expectedClose'), key: 'close', responsive: ['sm'], render: (_, r) => r.expected_close_date ?? '—' },
    { title: t('opp.owner'), key: 'owner', responsive: ['md'], render: (_, r) => r.owner?.name ?? '—' },
    { title: t('analytics.drill.unit'), key: 'unit', responsive: ['lg'], render: (_, r) => (r.unit ? (locale === 'zh-CN' ? r.unit.name : r.unit.name_en || r.unit.name) : '—') },
    { title: t('analytics.pipeline.validFrom'), key: 'valid', responsive: ['xl'], render: (_, r) => `${r.valid_from} ~ ${r.valid_to ?? ''}` },
  ];

  return (
    <PageContainer
      title={t('analytics.pipeline.rowsTitle')}
      subtitle={t('analytics.pipeline.rowsSubtitle')}
      extra={<ExportButton path="/api/v1/analytics/pipeline/rows" query={filters} name="pipeline-rows" size="middle" testId="pipeline-rows-export" />}
    >
      <Card>
        {chips.length ? (
          <Flex gap={8} wrap="wrap" style={{ marginBottom: 12 }} data-testid="drill-filters">
            <Space size={[6, 6]} wrap>
              {chips.map((c) => (
                <Tag key={String(c)} color="blue">
                  {c}
                </Tag>
              ))}
            </Space>
          </Flex>
        ) : null}
        <CursorTable<PipelineRow>
          testId="pipeline-rows-table"
          queryKey={analyticsKeys.pipelineRows(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(r) => r.id}
          onRowClick={(r) => (r.name ? navigate(`/opportunities/${r.opportunity_id}`) : undefined)}
        />
      </Card>
    </PageContainer>
  );
}
