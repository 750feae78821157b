import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Opportunity, OpportunityQuery } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { drillFilters } from '@/features/analytics/drill';
import { DrillFilterBar } from '@/features/analytics/DrillFilterBar';
import { ExportButton } from '@/features/analytics/ExportButton';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { CreateOpportunityModal } from './CreateOpportunityModal';
import { fetchOpportunitiesPage, filterQuery, type OpportunityFilters, oppKeys, SORTS } from './hooks';
import { FORECAST_COLORS, forecastLabel, STATUS_COLORS, stageName, statusLabel } from './labels';
import { OpportunityFilterBar, useOpportunityFilters } from './OpportunityFilterBar';
import { formatMoney } from './stages';
import { ViewSwitch } from './ViewSwitch';
import './opportunity.css';

export default function OpportunityListPage() {
  const { t, td, locale } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const { filters, params, setFilter } = useOpportunityFilters();
  const [creating, setCreating] = useState(false);
  const sort = filters.sort && (SORTS as readonly string[]).includes(filters.sort) ? filters.sort : '-updated_at';
  const listFilters = { ...filters, sort };
  // Filters a dashboard figure opened the list with (closing dates, stage…): read from the URL too.
  const drill = drillFilters('opportunities', params) as OpportunityQuery;
  const key = JSON.stringify([listFilters, drill]);
  const fetchPage = useCallback((req: PageRequest) => {
    const [f, d] = JSON.parse(key) as [OpportunityFilters, OpportunityQuery];
    return fetchOpportunitiesPage(f, req, d);
  }, [key]);

  const columns: ColumnsType<Opportunity> = [
    {
      title: t('opp.name'),
      key: 'name',
      fixed: 'left',
      render: (_, d) => (
        <Space direction="vertical" size={0} style={{ maxWidth: 280 }}>
          <Typography.Link data-testid="opp-name-cell" ellipsis>
            {d.name}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
            {d.account_name ?? t('common.none')}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('opp.stage'),
      key: 'stage',
      render: (_, d) => (
        <Space size={4} wrap>
          <Tag color={d.status === 'open' ? 'blue' : d.status === 'won' ? 'success' : 'default'} bordered={false}>
            {stageName(d.stage, locale)} · {d.stage.probability}%
          </Tag>
          {d.stalled ? (
            <Tag color="red" bordered={false} data-testid="stalled-badge">
              {t('opp.stalled')}
            </Tag>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('opp.amount'),
      dataIndex: 'amount',
      align: 'right',
      render: (_: string, d) => <span style={{ fontWeight: 600, whiteSpace: 'nowrap' }}>{formatMoney(d.amount, d.currency, locale)}</span>,
    },
    {
      title: t('opp.expectedClose'),
      dataIndex: 'expected_close_date',
      responsive: ['sm'],
      render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD') : t('common.none')),
    },
    { title: t('opp.owner'), dataIndex: 'owner_name', responsive: ['md'], render: (v: string | null) => v ?? t('common.none') },
    {
      title: t('opp.daysInStage'),
      dataIndex: 'days_in_stage',
      responsive: ['lg'],
      render: (v: number, d) => (
        <Tooltip title={t('opp.daysInStageHint', { days: v, max: d.stage.max_days ?? '∞' })}>
          <Typography.Text type={d.stalled ? 'danger' : undefined}>{t('opp.days', { days: v })}</Typography.Text>
        </Tooltip>
      ),
    },
    {
      title: t('opp.forecast'),
      dataIndex: 'forecast_category',
      responsive: ['lg'],
      render: (v: string) => (
        <Tag color={FORECAST_COLORS[v]} bordered={false}>
          {forecastLabel(td, v)}
        </Tag>
      ),
    },
    {
      title: t('opp.status'),
      dataIndex: 'status',
      responsive: ['md'],
      render: (v: string) => <Tag color={STATUS_COLORS[v]}>{statusLabel(td, v)}</Tag>,
    },
    {
      title: t('common.updatedAt'),
      dataIndex: 'updated_at',
      responsive: ['xl'],
      render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm'),
    },
  ];

  const filtered = Boolean(filters.q || filters.ownerId || filters.unitId || filters.subsidiaryId || filters.stalled !== null || filters.status || Object.keys(drill).length);

  return (
    <PageContainer
      title={t('opp.title')}
      subtitle={t('opp.listSubtitle')}
      extra={
        <>
          <ViewSwitch view="list" />
          <ExportButton path="/api/v1/opportunities" query={{ ...filterQuery(listFilters), ...drill }} name="opportunities" size="middle" testId="opp-export" />
          {can('opportunity.write') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="opp-create">
              {t('opp.create')}
            </Button>
          ) : null}
        </>
      }
    >
      <Card>
        <OpportunityFilterBar>
          <Select
            allowClear
            value={filters.status ?? undefined}
            onChange={(v: string | undefined) => setFilter('status', v ?? null)}
            placeholder={t('opp.status')}
            options={(['open', 'won', 'lost'] as const).map((s) => ({ value: s, label: statusLabel(td, s) }))}
            style={{ width: 130 }}
            data-testid="opp-status-filter"
          />
          <Select
            value={sort}
            onChange={(v: string) => setFilter('sort', v === '-updated_at' ? null : v)}
            options={SORTS.map((s) => ({ value: s, label: t(`opp.sort.${s}`) }))}
            style={{ width: 190 }}
            aria-label={t('opp.sortBy')}
            data-testid="opp-sort"
          />
        </OpportunityFilterBar>
        <DrillFilterBar resource="opportunities" />
        <CursorTable<Opportunity>
          testId="opp-table"
          queryKey={[...oppKeys.list(listFilters), drill]}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(d) => d.id}
          onRowClick={(d) => navigate(`/opportunities/${d.id}`)}
          emptyText={filtered ? t('common.noMatch') : t('opp.empty')}
        />
      </Card>
      <CreateOpportunityModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(deal) => {
          setCreating(false);
          navigate(`/opportunities/${deal.id}`);
        }}
      />
    </PageContainer>
  );
}
