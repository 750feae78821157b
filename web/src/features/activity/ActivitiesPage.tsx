import { Button, Card, DatePicker, Flex, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap } from '@/api/client';
import type { Activity, ActivityKind, CursorPage, Query } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { ACTIVITY_COLORS, ACTIVITY_ICONS, ACTIVITY_KINDS } from '@/features/account/activityKinds';
import { UserSelect } from '@/features/account/UserSelect';
import { ExportButton } from '@/features/analytics/ExportButton';
import { useAccess } from '@/features/auth/hooks';
import { UserName } from '@/features/lead/UserName';
import { oneOf, useUrlFilters } from '@/features/ltc/urlFilters';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useI18n } from '@/i18n';

type ActivityQuery = Query<'/api/v1/activities', 'get'>;

interface ActivityListFilters {
  unitId: string | null;
  ownerId: string | null;
  kind: ActivityKind | null;
  occurredFrom: string | null;
  occurredTo: string | null;
}

const isoDay = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);

/** The list endpoint's filters (also what an export sends); `unit_id` is the unit's whole subtree. */
function activityQuery(f: ActivityListFilters): ActivityQuery {
  return {
    ...(f.unitId ? { unit_id: f.unitId } : {}),
    ...(f.ownerId ? { owner_id: f.ownerId } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.occurredFrom ? { occurred_from: f.occurredFrom } : {}),
    ...(f.occurredTo ? { occurred_to: f.occurredTo } : {}),
  };
}

function fetchActivities(f: ActivityListFilters, req: PageRequest): Promise<CursorPage<Activity>> {
  return unwrap(
    api.GET('/api/v1/activities', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...activityQuery(f),
        },
      },
    }),
  );
}

/**
 * 销售活动: activities across the caller's scope, filtered by unit (subtree), owner, kind and
 * the day they occurred — the list behind the dashboard's “activities” figure. Filters live in
 * the URL (`unit_id`, `owner_id`, `kind`, `occurred_from`, `occurred_to`).
 */
export default function ActivitiesPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { get, set, clear } = useUrlFilters();
  const filters: ActivityListFilters = {
    unitId: get('unit_id'),
    ownerId: get('owner_id'),
    kind: oneOf(ACTIVITY_KINDS, get('kind')),
    occurredFrom: isoDay(get('occurred_from')),
    occurredTo: isoDay(get('occurred_to')),
  };
  const key = JSON.stringify(filters);
  const fetchPage = useCallback((req: PageRequest) => fetchActivities(JSON.parse(key) as ActivityListFilters, req), [key]);
  const filtered = Object.values(filters).some(Boolean);

  const columns: ColumnsType<Activity> = [
    {
      title: t('activityList.occurredAt'),
      key: 'occurred',
      render: (_, a) => <span style={{ whiteSpace: 'nowrap' }}>{dayjs(a.occurred_at).format('YYYY-MM-DD HH:mm')}</span>,
    },
    {
      title: t('activityList.kind'),
      key: 'kind',
      render: (_, a) => (
        <Tag color={ACTIVITY_COLORS[a.kind]} icon={ACTIVITY_ICONS[a.kind]} bordered={false}>
          {td(`account.activity.kind.${a.kind}`, a.kind)}
        </Tag>
      ),
    },
    {
      title: t('activityList.subject'),
      key: 'subject',
      render: (_, a) => (
        <Space direction="vertical" size={0} style={{ maxWidth: 360 }}>
          <Typography.Text ellipsis={{ tooltip: a.subject }}>{a.subject}</Typography.Text>
          {a.body ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: a.body }}>
              {a.body}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('activityList.related'),
      key: 'related',
      responsive: ['sm'],
      render: (_, a) => (
        <Space size={8} wrap>
          {a.account_id ? <Link to={`/accounts/${a.account_id}`}>{t('activityList.account')}</Link> : null}
          {a.opportunity_id ? <Link to={`/opportunities/${a.opportunity_id}`}>{t('activityList.opportunity')}</Link> : null}
        </Space>
      ),
    },
    { title: t('activityList.owner'), key: 'owner', responsive: ['md'], render: (_, a) => <UserName id={a.owner_id} /> },
  ];

  return (
    <PageContainer
      title={t('activityList.title')}
      subtitle={t('activityList.subtitle')}
      extra={<ExportButton path="/api/v1/activities" query={activityQuery(filters)} name="activities" size="middle" testId="activities-export" />}
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <OrgUnitTreeSelect allowClear value={filters.unitId} onChange={(v) => set({ unit_id: v })} placeholder={t('activityList.unit')} style={{ width: 220 }} data-testid="activities-unit" />
          {can('user.read') ? (
            <UserSelect allowClear offerMe value={filters.ownerId} onChange={(v) => set({ owner_id: v })} placeholder={t('activityList.owner')} style={{ width: 200 }} />
          ) : null}
          <Select
            allowClear
            value={filters.kind ?? undefined}
            onChange={(v: string | undefined) => set({ kind: v ?? null })}
            placeholder={t('activityList.kind')}
            options={ACTIVITY_KINDS.map((k) => ({ value: k, label: td(`account.activity.kind.${k}`, k) }))}
            style={{ width: 130 }}
          />
          <DatePicker.RangePicker
            value={[filters.occurredFrom ? dayjs(filters.occurredFrom) : null, filters.occurredTo ? dayjs(filters.occurredTo) : null]}
            onChange={(range) => set({ occurred_from: range?.[0]?.format('YYYY-MM-DD') ?? null, occurred_to: range?.[1]?.format('YYYY-MM-DD') ?? null })}
            placeholder={[t('activityList.from'), t('activityList.to')]}
            allowEmpty={[true, true]}
            style={{ width: 260 }}
            data-testid="activities-range"
          />
          {filtered ? <Button onClick={() => clear()}>{t('common.reset')}</Button> : null}
        </Flex>
        <CursorTable<Activity>
          testId="activities-table"
          queryKey={['activities', 'list', filters]}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(a) => a.id}
          emptyText={filtered ? t('common.noMatch') : t('activityList.empty')}
        />
      </Card>
    </PageContainer>
  );
}
