import { FlagOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Space, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { Account, AccountQuery } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { drillFilters } from '@/features/analytics/drill';
import { DrillFilterBar } from '@/features/analytics/DrillFilterBar';
import { ExportButton } from '@/features/analytics/ExportButton';
import { useAccess, useMe } from '@/features/auth/hooks';
import { ClaimLookupModal } from '@/features/conflict/ClaimLookupModal';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { AccountCreateModal } from './AccountCreateModal';
import { type AccountFilters, accountKeys, accountQuery, DEFAULT_ACCOUNT_SORT, fetchAccountsPage } from './hooks';
import { ACCOUNT_STATUSES, ProtectionTag, TIERS, TierTag, VALUE_CLASSES, ValueClassTag } from './labels';
import { serverSorter } from './sorting';
import { MoreFilters } from './MoreFilters';
import { UserSelect } from './UserSelect';
import './account.css';

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | null => (v && (values as readonly string[]).includes(v) ? (v as T) : null);

export default function AccountsPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const { units } = useOrgUnits({ enabled: can('org.read') });
  const [creating, setCreating] = useState(false);
  const [claiming, setClaiming] = useState(false);

  const filters: AccountFilters = {
    q: params.get('q') ?? '',
    tier: oneOf(TIERS, params.get('tier')) as AccountQuery['tier'] | null,
    valueClass: oneOf(VALUE_CLASSES, params.get('value_class')) as AccountQuery['value_class'] | null,
    subsidiaryId: params.get('subsidiary_id'),
    ownerId: params.get('owner_id'),
    status: oneOf(ACCOUNT_STATUSES, params.get('status')) as AccountQuery['status'] | null,
    sort: params.get('sort'),
  };
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);

  const setFilter = useCallback(
    (changes: Record<string, string | null>) =>
      setParams(
        (p) => {
          for (const [k, v] of Object.entries(changes)) {
            if (v) p.set(k, v);
            else p.delete(k);
          }
          return p;
        },
        { replace: true },
      ),
    [setParams],
  );

  const subsidiaries = useMemo(() => units.filter((u) => u.kind === 'subsidiary'), [units]);
  const { q, tier, valueClass, subsidiaryId, ownerId, status, sort } = filters;
  // Filters a dashboard figure opened the list with (unit, creation dates): read from the URL too.
  const drill = drillFilters('accounts', params) as AccountQuery;
  const drillKey = JSON.stringify(drill);
  const fetchPage = useCallback(
    (req: PageRequest) => fetchAccountsPage({ q, tier, valueClass, subsidiaryId, ownerId, status, sort }, req, JSON.parse(drillKey) as AccountQuery),
    [q, tier, valueClass, subsidiaryId, ownerId, status, sort, drillKey],
  );
  const onSort = (next: string | null) => setFilter({ sort: next });
  const mine = Boolean(me && ownerId === me.user.id);
  const filtered = Boolean(q || tier || valueClass || subsidiaryId || ownerId || status || drillKey !== '{}');

  const columns: ColumnsType<Account> = [
    {
      title: t('account.name'),
      key: 'name',
      fixed: 'left',
      ...serverSorter<Account>('name', sort, DEFAULT_ACCOUNT_SORT, onSort),
      render: (_, a) => (
        <Space direction="vertical" size={0} className="account-name-cell">
          <Typography.Link data-testid="account-name-cell">{a.name}</Typography.Link>
          {a.name_en ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.name_en}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('account.classification'),
      key: 'class',
      responsive: ['sm'],
      render: (_, a) => (
        <Space size={4} wrap={false}>
          <TierTag tier={a.tier} />
          <ValueClassTag value={a.value_class} />
        </Space>
      ),
    },
    {
      title: t('account.owner'),
      key: 'owner',
      responsive: ['md'],
      render: (_, a) => (
        <Space direction="vertical" size={0}>
          <span>{a.owner_name ?? t('account.noOwner')}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {a.unit_name}
          </Typography.Text>
        </Space>
      ),
    },
    ...(subsidiaries.length > 1 ? [{ title: t('account.subsidiary'), dataIndex: 'subsidiary_name', responsive: ['xl' as const] }] : []),
    {
      title: t('account.industryRegion'),
      key: 'industry',
      responsive: ['lg'],
      render: (_, a) => [a.industry, a.region].filter(Boolean).join(' · ') || t('common.none'),
    },
    { title: t('account.statusCol'), key: 'status', render: (_, a) => <ProtectionTag account={a} /> },
    {
      title: t('account.lastFollowUp'),
      key: 'last_follow_up_at',
      responsive: ['sm'],
      ...serverSorter<Account>('last_follow_up_at', sort, DEFAULT_ACCOUNT_SORT, onSort),
      render: (_, a) => {
        const stale = a.last_follow_up_at ? dayjs().diff(dayjs(a.last_follow_up_at), 'day') : null;
        return (
          <Tooltip title={a.last_follow_up_at ? dayjs(a.last_follow_up_at).format('YYYY-MM-DD HH:mm') : undefined}>
            <Typography.Text type={stale === null || stale > 30 ? 'warning' : undefined} style={{ whiteSpace: 'nowrap' }}>
              {a.last_follow_up_at ? t('account.daysAgo', { days: stale ?? 0 }) : t('account.neverFollowedUp')}
            </Typography.Text>
          </Tooltip>
        );
      },
    },
    {
      title: t('common.createdAt'),
      key: 'created_at',
      responsive: ['xl'],
      ...serverSorter<Account>('created_at', sort, DEFAULT_ACCOUNT_SORT, onSort, 'descend'),
      render: (_, a) => dayjs(a.created_at).format('YYYY-MM-DD'),
    },
  ];

  return (
    <PageContainer
      title={t('account.title')}
      subtitle={t('account.subtitle')}
      extra={
        <>
          <ExportButton path="/api/v1/accounts" query={{ ...accountQuery(filters), ...drill }} name="accounts" size="middle" testId="accounts-export" />
          {can('account.write') ? (
          <>
            <Button icon={<FlagOutlined />} onClick={() => setClaiming(true)} data-testid="account-claim-lookup">
              {t('conflict.claimTitle')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="account-create">
              {t('account.create')}
            </Button>
          </>
          ) : null}
        </>
      }
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) setFilter({ q: null });
            }}
            onSearch={(v) => setFilter({ q: v.trim() || null })}
            placeholder={t('account.searchPlaceholder')}
            style={{ width: 300 }}
            data-testid="account-search"
          />
          <MoreFilters active={[tier, valueClass, status, subsidiaryId, ownerId && !mine ? ownerId : null].filter(Boolean).length}>
          <Select
            allowClear
            value={tier ?? undefined}
            onChange={(v: string | undefined) => setFilter({ tier: v ?? null })}
            placeholder={t('account.tier')}
            options={TIERS.map((v) => ({ value: v, label: td(`account.tier.${v}`, v) }))}
            style={{ width: 140 }}
            data-testid="account-tier-filter"
          />
          <Select
            allowClear
            value={valueClass ?? undefined}
            onChange={(v: string | undefined) => setFilter({ value_class: v ?? null })}
            placeholder={t('account.valueClass')}
            options={VALUE_CLASSES.map((v) => ({ value: v, label: td(`account.valueClass.${v}`, v) }))}
            style={{ width: 140 }}
          />
          <Select
            allowClear
            value={status ?? undefined}
            onChange={(v: string | undefined) => setFilter({ status: v ?? null })}
            placeholder={t('account.statusCol')}
            options={ACCOUNT_STATUSES.map((v) => ({ value: v, label: td(`account.status.${v}`, v) }))}
            style={{ width: 130 }}
          />
          {subsidiaries.length > 1 ? (
            <Select
              allowClear
              value={subsidiaryId ?? undefined}
              onChange={(v: string | undefined) => setFilter({ subsidiary_id: v ?? null })}
              placeholder={t('account.subsidiary')}
              options={subsidiaries.map((u) => ({ value: u.id, label: u.name }))}
              style={{ width: 220 }}
            />
          ) : null}
          {can('user.read') ? (
            <UserSelect
              allowClear
              offerMe
              value={ownerId}
              onChange={(v) => setFilter({ owner_id: v })}
              placeholder={t('account.owner')}
              style={{ width: 200 }}
              data-testid="account-owner-filter"
            />
          ) : null}
          </MoreFilters>
          {me ? (
            <Button
              icon={<UserOutlined />}
              type={mine ? 'primary' : 'default'}
              ghost={mine}
              onClick={() => setFilter({ owner_id: mine ? null : me.user.id })}
            >
              {t('account.mine')}
            </Button>
          ) : null}
          {filtered ? <Button onClick={() => setParams(sort ? { sort } : {}, { replace: true })}>{t('common.reset')}</Button> : null}
        </Flex>
        <DrillFilterBar resource="accounts" />
        <CursorTable<Account>
          testId="accounts-table"
          queryKey={[...accountKeys.list(filters), drill]}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(a) => a.id}
          onRowClick={(a) => navigate(`/accounts/${a.id}`)}
          emptyText={filtered ? t('common.noMatch') : t('account.empty')}
        />
      </Card>
      <AccountCreateModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(a) => {
          setCreating(false);
          navigate(`/accounts/${a.id}`);
        }}
      />
      {claiming ? <ClaimLookupModal open onClose={() => setClaiming(false)} /> : null}
    </PageContainer>
  );
}
