import { BarChartOutlined, DeleteOutlined, ScissorOutlined, UserOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Popconfirm, Progress, Result, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { ExportButton } from '@/features/analytics/ExportButton';
import { formatRatio, PACE_COLORS, paceOf, ratioPercent } from '@/features/analytics/format';
import { useKpis } from '@/features/analytics/hooks';
import { MissingRatesAlert } from '@/features/analytics/MissingRatesAlert';
import { elapsedShare, parsePeriod, periodContaining } from '@/features/analytics/period';
import { PeriodPicker } from '@/features/analytics/PeriodPicker';
import { UnitBreadcrumb } from '@/features/analytics/UnitBreadcrumb';
import { useAccess } from '@/features/auth/hooks';
import { oneOf, useUrlFilters } from '@/features/ltc/urlFilters';
import { useOrgUnits } from '@/features/org/hooks';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useI18n } from '@/i18n';
import { type CascadeRow, type ChildRef, cascadeRows, subtract, sumValues } from './cascade';
import { ConsistencyPanel } from './ConsistencyPanel';
import { FiscalYearSetting } from './FiscalYearSetting';
import { formatTargetValue } from './format';
import { type Target, TARGET_METRICS, type TargetQuery, useCascade, useDeleteTarget, useFiscalYear } from './hooks';
import { SplitModal } from './SplitModal';
import { TargetValueCell } from './TargetValueCell';
import '@/features/analytics/analytics.css';

type Row = CascadeRow<Target> & { isParent: boolean };

/**
 * 目标管理: for a period, a metric and a unit, the unit's target and its children's (child
 * units, people placed in it) with achievement, ratio and rank; values edit in place, the
 * parent splits to the children (by hand, evenly, by last year), and the consistency check
 * lists where children do not add up. Period, metric and unit live in the URL.
 */
export default function TargetsPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const { can } = useAccess();
  const navigate = useNavigate();
  const { get, set, params } = useUrlFilters();
  const fiscal = useFiscalYear();
  const fiscalStart = fiscal.data?.start_month ?? 1;
  const today = dayjs().format('YYYY-MM-DD');
  const { tree, byId, units } = useOrgUnits();
  const canWrite = can('target.write');
  const remove = useDeleteTarget();
  const [splitting, setSplitting] = useState(false);

  const unitId = get('unit_id') ?? tree[0]?.unit.id ?? null;
  const parsed = parsePeriod(get('period'), fiscalStart) ?? periodContaining('quarter', today, fiscalStart);
  const period = parsed.label;
  const metric = oneOf(TARGET_METRICS, get('metric')) ?? 'contract_amount';
  const ready = Boolean(unitId) && fiscal.isFetched;
  const query: TargetQuery = { period, metric, ...(unitId ? { unit_id: unitId } : {}), include_children: true };
  const list = useCascade(query, ready);
  // The people placed directly in the unit come with the league table's rows.
  const kpis = useKpis({ unitId, period, currency: null });
  const notFound = isApiError(list.error) && list.error.status === 404;

  const unit = unitId ? byId.get(unitId) : undefined;
  const children: ChildRef[] = useMemo(() => {
    const rows = kpis.data?.rows.filter((r) => !r.is_total) ?? [];
    if (rows.length) {
      return rows.map((r) => ({ kind: r.kind, unitId: r.unit_id, userId: r.user_id, name: locale === 'zh-CN' ? r.name : r.name_en || r.name }));
    }
    return units.filter((u) => u.parent_id === unitId && u.is_active).map((u) => ({ kind: 'unit' as const, unitId: u.id, userId: null, name: u.name }));
  }, [kpis.data, units, unitId, locale]);
  const items = list.data?.items ?? [];
  const { parent, children: childRows } = useMemo(
    () =>
      cascadeRows(
        { id: unitId ?? '', name: (unit && locale !== 'zh-CN' ? unit.name_en : null) || unit?.name || list.data?.items.find((i) => i.unit.id === unitId)?.unit.name || '' },
        children,
        items,
      ),
    [unitId, unit, children, items, list.data, locale],
  );
  const rows: Row[] = [{ ...parent, isParent: true }, ...childRows.map((r) => ({ ...r, isParent: false }))];
  const currency = list.data?.currency ?? null;
  const childSum = sumValues(childRows.map((r) => r.target?.value ?? null));
  const diff = parent.target ? subtract(childSum, parent.target.value) : null;
  const elapsed = elapsedShare(parsed, today);
  const linkTo = (id: string) => {
    const next = new URLSearchParams(params);
    next.set('unit_id', id);
    return `/targets?${next.toString()}`;
  };

  const columns: ColumnsType<Row> = [
    {
      title: t('target.assignee'),
      key: 'name',
      fixed: 'left',
      render: (_, r) =>
        r.isParent ? (
          <Typography.Text strong data-testid="cascade-parent">
            {r.name}
          </Typography.Text>
        ) : r.kind === 'unit' ? (
          <Link to={linkTo(r.unitId)} data-testid="cascade-child-link">
            {r.name}
          </Link>
        ) : (
          <Space size={4}>
            <UserOutlined style={{ color: '#64748b' }} />
            {r.name}
          </Space>
        ),
    },
    {
      title: t('target.value'),
      key: 'value',
      render: (_, r) => <TargetValueCell row={r} metric={metric} period={period} currency={currency} canWrite={canWrite} />,
    },
    {
      title: t('target.actual'),
      key: 'actual',
      align: 'right',
      render: (_, r) => (r.target ? <span style={{ whiteSpace: 'nowrap' }}>{formatTargetValue(r.target.achievement.actual, metric, currency, locale)}</span> : '—'),
    },
    {
      title: t('target.achievement'),
      key: 'ratio',
      render: (_, r) =>
        r.target ? (
          <Flex align="center" gap={8} style={{ minWidth: 150 }}>
            <Progress percent={ratioPercent(r.target.achievement.ratio)} showInfo={false} size="small" strokeColor={PACE_COLORS[paceOf(r.target.achievement.ratio, elapsed)]} style={{ margin: 0, width: 90 }} />
            <span data-testid="target-ratio">{formatRatio(r.target.achievement.ratio)}</span>
          </Flex>
        ) : null,
    },
    { title: t('target.rank'), key: 'rank', align: 'center', render: (_, r) => (r.isParent || !r.target?.rank ? '—' : <Tag bordered={false}>{r.target.rank}</Tag>) },
    ...(canWrite
      ? [
          {
            title: '',
            key: 'actions',
            render: (_: unknown, r: Row) =>
              r.target ? (
                <Popconfirm
                  title={t('target.deleteConfirm')}
                  onConfirm={async () => {
                    try {
                      await remove.mutateAsync(r.target!.id);
                      message.success(t('target.deleted'));
                    } catch (error) {
                      message.error(isApiError(error) ? error.message : t('common.loadFailed'));
                    }
                  }}
                >
                  <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('target.delete')} />
                </Popconfirm>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <PageContainer
      title={t('target.title')}
      subtitle={t('target.subtitle')}
      extra={
        <>
          <FiscalYearSetting />
          <ExportButton path="/api/v1/targets" query={{ period, metric, ...(unitId ? { unit_id: unitId } : {}), include_children: true }} name="targets" size="middle" testId="targets-export" />
        </>
      }
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card size="small">
          <Flex className="filter-bar analytics-filters" gap={12} wrap="wrap" align="center" style={{ marginBottom: 0 }}>
            <PeriodPicker value={period} fiscalStartMonth={fiscalStart} onChange={(p) => set({ period: p })} />
            <Select
              value={metric}
              onChange={(m: string) => set({ metric: m })}
              options={TARGET_METRICS.map((m) => ({ value: m, label: t(`analytics.metric.${m}`) }))}
              style={{ width: 140 }}
              data-testid="target-metric"
            />
            <OrgUnitTreeSelect value={unitId} onChange={(v) => set({ unit_id: v })} placeholder={t('analytics.unit')} style={{ width: 240 }} data-testid="target-unit" />
          </Flex>
          {unitId && unit ? (
            <div style={{ marginTop: 12 }}>
              <UnitBreadcrumb unit={unit} linkTo={linkTo} />
            </div>
          ) : null}
        </Card>

        <ConsistencyPanel period={period} onOpen={(id, m) => navigate(`/targets?${new URLSearchParams({ period, metric: m, unit_id: id }).toString()}`)} />

        <MissingRatesAlert rates={list.data?.missing_rates ?? []} />

        {notFound ? (
          <Card data-testid="targets-not-found">
            <Result status="404" title={t('analytics.notFound.title')} subTitle={t('analytics.notFound.hint')} />
          </Card>
        ) : list.isError && !list.data ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Card
            size="small"
            title={t('target.cascade.title', { name: parent.name, metric: t(`analytics.metric.${metric}`) })}
            extra={
              <Space wrap>
                <Link to={`/analytics?${new URLSearchParams({ period, ...(unitId ? { unit_id: unitId } : {}) }).toString()}`}>
                  <BarChartOutlined /> {t('target.openDashboard')}
                </Link>
                {canWrite && parent.target && childRows.length ? (
                  <Button type="primary" icon={<ScissorOutlined />} onClick={() => setSplitting(true)} data-testid="target-split">
                    {t('target.split.button')}
                  </Button>
                ) : null}
              </Space>
            }
            data-testid="target-cascade"
          >
            <Table<Row>
              size="small"
              rowKey="key"
              loading={!list.data || list.isFetching}
              columns={columns}
              dataSource={list.data ? rows : []}
              pagination={false}
              scroll={{ x: 'max-content' }}
              rowClassName={(r) => (r.isParent ? 'league-total-row' : '')}
              onRow={(r) => ({ 'data-testid': r.isParent ? 'cascade-parent-row' : 'cascade-row' }) as React.HTMLAttributes<HTMLElement>}
            />
            {list.data && childRows.length ? (
              <Flex justify="flex-end" gap={8} wrap="wrap" style={{ marginTop: 12 }} className="target-split-sum" data-testid="cascade-sum">
                <Typography.Text>
                  {t('target.split.sum')} <Typography.Text strong>{formatTargetValue(childSum, metric, currency, locale)}</Typography.Text>
                </Typography.Text>
                {diff !== null ? (
                  <Tag color={Number(diff) === 0 ? 'green' : Number(diff) < 0 ? 'orange' : 'red'}>
                    {Number(diff) === 0 ? t('target.split.balanced') : t('target.split.difference', { diff: formatTargetValue(diff, metric, currency, locale) })}
                  </Tag>
                ) : (
                  <Tag>{t('target.cascade.noParent')}</Tag>
                )}
              </Flex>
            ) : null}
          </Card>
        )}
      </Space>
      {parent.target ? (
        <SplitModal
          open={splitting}
          onClose={() => setSplitting(false)}
          parent={{ ...parent, target: parent.target }}
          childRows={childRows}
          metric={metric}
          period={period}
          currency={currency}
        />
      ) : null}
    </PageContainer>
  );
}
