import { TrophyFilled, UserOutlined } from '@ant-design/icons';
import { Progress, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router-dom';
import { useI18n } from '@/i18n';
import { Figure } from './Figure';
import { formatCount, formatCoverage, formatDays, formatRatio, PACE_COLORS, paceOf, ratioPercent } from './format';
import { FigureText } from './KpiCards';
import { KPI_METRICS, type KpiRow, MONEY_METRICS } from './types';

const RANK_COLORS = ['#d4a106', '#94a3b8', '#b45309'];

/**
 * 排行榜: the unit's total, its child units, then the people placed directly in it; per metric
 * actual (a link to the rows), target and ratio; then win rate, pipeline, coverage, overdue and
 * stalled. A unit's name re-opens the dashboard on that unit.
 */
export function LeagueTable({ rows, currency, elapsed, unitLink }: { rows: readonly KpiRow[]; currency: string; elapsed: number; unitLink: (unitId: string) => string }) {
  const { t, locale } = useI18n();
  const rowKey = (r: KpiRow) => `${r.kind}-${r.unit_id}-${r.user_id ?? ''}-${r.is_total ? 'total' : ''}`;
  const nameOf = (r: KpiRow) => (locale === 'zh-CN' ? r.name : r.name_en || r.name);

  const columns: ColumnsType<KpiRow> = [
    {
      title: t('analytics.league.rank'),
      key: 'rank',
      width: 56,
      align: 'center',
      render: (_, r) =>
        r.rank === null ? null : r.rank <= 3 ? (
          <TrophyFilled style={{ color: RANK_COLORS[r.rank - 1] }} aria-label={String(r.rank)} />
        ) : (
          <Typography.Text type="secondary">{r.rank}</Typography.Text>
        ),
    },
    {
      title: t('analytics.league.name'),
      key: 'name',
      fixed: 'left',
      render: (_, r) =>
        r.is_total ? (
          <Typography.Text strong data-testid="league-total">
            {t('analytics.league.total', { name: nameOf(r) })}
          </Typography.Text>
        ) : r.kind === 'unit' ? (
          <Link to={unitLink(r.unit_id)} data-testid="league-unit-link" data-unit-id={r.unit_id}>
            {nameOf(r)}
          </Link>
        ) : (
          <Space size={4}>
            <UserOutlined style={{ color: '#64748b' }} />
            <span data-testid="league-person">{nameOf(r)}</span>
          </Space>
        ),
    },
    ...KPI_METRICS.map((m) => ({
      title: t(`analytics.metric.${m}`),
      key: m,
      align: 'right' as const,
      render: (_: unknown, r: KpiRow) => {
        const f = r.metrics[m];
        const money = MONEY_METRICS.has(m);
        return (
          <div className="league-metric">
            <Figure drill={r.drill[m]} figure={m} testId="league-figure">
              <span data-value={String(f.actual)}>
                <FigureText value={f.actual} currency={currency} money={money} />
              </span>
            </Figure>
            {f.target === null ? (
              <Typography.Text type="secondary" className="league-sub">
                {t('analytics.kpi.noTarget')}
              </Typography.Text>
            ) : (
              <>
                <Progress percent={ratioPercent(f.ratio)} showInfo={false} size="small" strokeColor={PACE_COLORS[paceOf(f.ratio, elapsed)]} style={{ margin: 0, width: 96 }} />
                <Typography.Text type="secondary" className="league-sub">
                  {formatRatio(f.ratio)} · <FigureText value={f.target} currency={currency} money={money} />
                </Typography.Text>
              </>
            )}
          </div>
        );
      },
    })),
    {
      title: t('analytics.kpi.winRate'),
      key: 'win_rate',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.win_rate} figure="win_rate" testId="league-figure">
          {formatRatio(r.win_rate)}
        </Figure>
      ),
    },
    {
      title: t('analytics.kpi.averageDealSize'),
      key: 'deal',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.average_deal_size} figure="average_deal_size" testId="league-figure">
          <FigureText value={r.average_deal_size} currency={currency} money />
        </Figure>
      ),
    },
    { title: t('analytics.kpi.cycleDays'), key: 'cycle', align: 'right', render: (_, r) => (r.cycle_days === null ? '—' : formatDays(r.cycle_days)) },
    {
      title: t('analytics.kpi.weighted'),
      key: 'weighted',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.weighted_pipeline} figure="weighted_pipeline" testId="league-figure">
          <FigureText value={r.weighted_pipeline} currency={currency} money />
        </Figure>
      ),
    },
    {
      title: t('analytics.coverage.title'),
      key: 'coverage',
      align: 'right',
      render: (_, r) =>
        r.coverage === null ? (
          '—'
        ) : (
          <Tag color={Number(r.coverage) >= 1 ? 'green' : Number(r.coverage) >= 0.8 ? 'orange' : 'red'} bordered={false} data-testid="league-coverage">
            {formatCoverage(r.coverage)}
          </Tag>
        ),
    },
    {
      title: t('analytics.kpi.overdue'),
      key: 'overdue',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.overdue_receivables} figure="overdue_receivables" testId="league-figure">
          <Typography.Text type={Number(r.overdue_receivables) > 0 ? 'danger' : undefined}>
            <FigureText value={r.overdue_receivables} currency={currency} money />
          </Typography.Text>
        </Figure>
      ),
    },
    {
      title: t('analytics.kpi.stalled'),
      key: 'stalled',
      align: 'right',
      render: (_, r) => (
        <Figure drill={r.drill.stalled_deals} figure="stalled_deals" testId="league-figure">
          {formatCount(r.stalled_deals, locale)}
        </Figure>
      ),
    },
  ];

  return (
    <Table<KpiRow>
      size="small"
      className="league-table"
      data-testid="league-table"
      rowKey={rowKey}
      columns={columns}
      dataSource={[...rows]}
      pagination={false}
      scroll={{ x: 'max-content' }}
      rowClassName={(r) => (r.is_total ? 'league-total-row' : r.kind === 'person' ? 'league-person-row' : 'league-unit-row')}
      onRow={(r) => ({ 'data-testid': 'league-row', 'data-kind': r.kind, 'data-unit-id': r.unit_id, 'data-total': r.is_total ? 'true' : 'false' }) as React.HTMLAttributes<HTMLElement>}
    />
  );
}
