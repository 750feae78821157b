import { ClockCircleOutlined, ExportOutlined, ImportOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Empty, Flex, Grid, Input, Progress, Row, Select, Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { Account, PoolAccount, PoolQuota, PoolRule } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { ReleaseModal } from '@/features/account/AccountModals';
import { accountKeys, fetchAccountsPage } from '@/features/account/hooks';
import { ProtectionTag, TIERS, TierTag, ValueClassTag } from '@/features/account/labels';
import { MoreFilters } from '@/features/account/MoreFilters';
import { serverSorter } from '@/features/account/sorting';
import { useAccess, useMe } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { DEFAULT_POOL_SORT, fetchPoolPage, type PoolFilters, poolKeys, usePoolRules, usePoolSummary, useClaimFromPool } from './hooks';
import { daysLeft, reclaimDate, reclaimUrgency } from './reclaim';
import '@/features/account/account.css';

function QuotaCards({ quotas, loading }: { quotas: PoolQuota[]; loading: boolean }) {
  const { t } = useI18n();
  if (!loading && quotas.length === 0) {
    return <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('pool.noSeat')} />;
  }
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="pool-quotas">
      {quotas.map((q) => {
        const percent = q.max > 0 ? Math.round((q.held / q.max) * 100) : 100;
        return (
          <Col key={q.subsidiary_id} xs={24} md={12} xl={8}>
            <Card size="small" className="quota-card" loading={loading}>
              <Flex justify="space-between" align="center" gap={12}>
                <div style={{ minWidth: 0 }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {q.subsidiary_name}
                  </Typography.Text>
                  <div>
                    <Typography.Text strong style={{ fontSize: 20 }} data-testid="pool-quota">
                      {t('pool.quotaValue', { held: q.held, max: q.max })}
                    </Typography.Text>
                  </div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('pool.quotaDetail', { remaining: q.remaining, days: q.cooldown_days })}
                  </Typography.Text>
                </div>
                <Progress
                  type="circle"
                  size={56}
                  percent={percent}
                  status={q.remaining === 0 ? 'exception' : 'normal'}
                  strokeColor={percent >= 90 ? '#dc2626' : percent >= 75 ? '#f59e0b' : '#1d4ed8'}
                />
              </Flex>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}

function PoolList({ onError, onClaimed, rules }: { onError: (e: unknown) => void; onClaimed: () => void; rules: Map<string, PoolRule> | undefined }) {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const claim = useClaimFromPool();
  const phone = !Grid.useBreakpoint().md;
  const [claimingId, setClaimingId] = useState<string | null>(null);
  const filters: PoolFilters = {
    q: params.get('q') ?? '',
    tier: params.get('tier'),
    subsidiaryId: params.get('subsidiary_id'),
    industry: params.get('industry') ?? '',
    region: params.get('region') ?? '',
    sort: params.get('sort'),
  };
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);
  const setFilter = (changes: Record<string, string | null>) =>
    setParams(
      (p) => {
        for (const [k, v] of Object.entries(changes)) {
          if (v) p.set(k, v);
          else p.delete(k);
        }
        return p;
      },
      { replace: true },
    );
  const { q, tier, subsidiaryId, industry, region, sort } = filters;
  const fetchPage = useCallback(
    (req: PageRequest) => fetchPoolPage({ q, tier, subsidiaryId, industry, region, sort }, req),
    [q, tier, subsidiaryId, industry, region, sort],
  );
  const subsidiaries = useMemo(() => [...(rules?.values() ?? [])], [rules]);
  const onSort = (next: string | null) => setFilter({ sort: next });

  const doClaim = (row: PoolAccount) => {
    setClaimingId(row.id);
    onError(null);
    claim
      .mutateAsync(row.id)
      .then(
        (result) => {
          message.success(t('pool.claimedUntil', { name: row.name, date: dayjs(result.protected_until).format('YYYY-MM-DD') }));
          onClaimed();
        },
        (error: unknown) => onError(error),
      )
      .finally(() => setClaimingId(null));
  };

  const claimBlocker = (row: PoolAccount): string | null => {
    if (row.claimable) return null;
    if (row.cooldown_until) return t('pool.inCooldown', { date: dayjs(row.cooldown_until).format('YYYY-MM-DD HH:mm') });
    if (!can('account.write')) return t('pool.noWrite');
    return t('pool.notClaimable');
  };

  const claimCell = (a: PoolAccount) => {
    const blocker = claimBlocker(a);
    return (
      <Space size={6} wrap={false}>
        {a.cooldown_until ? (
          <Tooltip title={t('pool.cooldownHint')}>
            <Tag icon={<ClockCircleOutlined />} color="orange" data-testid="pool-cooldown">
              {t('pool.cooldownUntil', { date: dayjs(a.cooldown_until).format('MM-DD HH:mm') })}
            </Tag>
          </Tooltip>
        ) : null}
        <Tooltip title={blocker}>
          <Button
            size="small"
            type={blocker ? 'default' : 'primary'}
            icon={<ImportOutlined />}
            disabled={!can('account.write')}
            loading={claimingId === a.id}
            onClick={() => doClaim(a)}
            data-testid="pool-claim"
          >
            {t('pool.claim')}
          </Button>
        </Tooltip>
      </Space>
    );
  };

  const columns: ColumnsType<PoolAccount> = [
    {
      title: t('account.name'),
      key: 'name',
      fixed: phone ? undefined : 'left',
      ...serverSorter<PoolAccount>('name', sort, DEFAULT_POOL_SORT, onSort),
      render: (_, a) => (
        <Space direction="vertical" size={0} className="account-name-cell">
          <Typography.Text strong data-testid="pool-name-cell">
            {a.name}
          </Typography.Text>
          {a.name_en ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.name_en}
            </Typography.Text>
          ) : null}
          {phone ? <div style={{ marginTop: 6 }}>{claimCell(a)}</div> : null}
        </Space>
      ),
    },
    {
      title: t('account.classification'),
      key: 'class',
      responsive: ['sm'],
      render: (_, a) => (
        <Space size={4}>
          <TierTag tier={a.tier} />
          <ValueClassTag value={a.value_class} />
        </Space>
      ),
    },
    {
      title: t('account.industryRegion'),
      key: 'industry',
      responsive: ['md'],
      render: (_, a) => [a.industry, a.region].filter(Boolean).join(' · ') || t('common.none'),
    },
    ...(subsidiaries.length > 1
      ? [{ title: t('account.subsidiary'), key: 'sub', responsive: ['xl' as const], render: (_: unknown, a: PoolAccount) => rules?.get(a.subsidiary_id)?.subsidiary_name ?? t('common.none') }]
      : []),
    {
      title: t('pool.enteredAt'),
      key: 'pool_entered_at',
      responsive: ['lg'],
      ...serverSorter<PoolAccount>('pool_entered_at', sort, DEFAULT_POOL_SORT, onSort, 'descend'),
      render: (_, a) => (a.pool_entered_at ? dayjs(a.pool_entered_at).format('YYYY-MM-DD') : t('common.none')),
    },
    {
      title: t('account.lastFollowUp'),
      dataIndex: 'last_follow_up_at',
      responsive: ['lg'],
      render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD') : t('account.neverFollowedUp')),
    },
    ...(phone
      ? []
      : [
          {
            title: t('common.actions'),
            key: 'claim',
            align: 'right' as const,
            render: (_: unknown, a: PoolAccount) => claimCell(a),
          },
        ]),
  ];

  return (
    <>
      <Flex className="filter-bar" gap={12} wrap="wrap">
        <Input.Search
          allowClear
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            if (!e.target.value) setFilter({ q: null });
          }}
          onSearch={(v) => setFilter({ q: v.trim() || null })}
          placeholder={t('account.searchPlaceholder')}
          style={{ width: 280 }}
          data-testid="pool-search"
        />
        <MoreFilters active={[tier, subsidiaryId, industry, region].filter(Boolean).length}>
        <Select
          allowClear
          value={tier ?? undefined}
          onChange={(v: string | undefined) => setFilter({ tier: v ?? null })}
          placeholder={t('account.tier')}
          options={TIERS.map((v) => ({ value: v, label: td(`account.tier.${v}`, v) }))}
          style={{ width: 140 }}
        />
        {subsidiaries.length > 1 ? (
          <Select
            allowClear
            value={subsidiaryId ?? undefined}
            onChange={(v: string | undefined) => setFilter({ subsidiary_id: v ?? null })}
            placeholder={t('account.subsidiary')}
            options={subsidiaries.map((r) => ({ value: r.subsidiary_id, label: r.subsidiary_name }))}
            style={{ width: 220 }}
          />
        ) : null}
        <Input
          allowClear
          defaultValue={industry}
          placeholder={t('account.industry')}
          onPressEnter={(e) => setFilter({ industry: e.currentTarget.value.trim() || null })}
          onBlur={(e) => setFilter({ industry: e.currentTarget.value.trim() || null })}
          style={{ width: 150 }}
        />
        <Input
          allowClear
          defaultValue={region}
          placeholder={t('account.region')}
          onPressEnter={(e) => setFilter({ region: e.currentTarget.value.trim() || null })}
          onBlur={(e) => setFilter({ region: e.currentTarget.value.trim() || null })}
          style={{ width: 130 }}
        />
        </MoreFilters>
      </Flex>
      <CursorTable<PoolAccount>
        testId="pool-table"
        queryKey={poolKeys.list(filters)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(a) => a.id}
        emptyText={q || tier || subsidiaryId || industry || region ? t('common.noMatch') : t('pool.empty')}
      />
    </>
  );
}

/** My accounts, most neglected first, with when the reclaim job would take each back. */
function MyAccounts({ rules }: { rules: Map<string, PoolRule> | undefined }) {
  const { t } = useI18n();
  const { data: me } = useMe();
  const { can } = useAccess();
  const [releasing, setReleasing] = useState<Account | null>(null);
  const ownerId = me?.user.id ?? null;
  const fetchPage = useCallback(
    (req: PageRequest) => fetchAccountsPage({ ownerId, status: 'owned', sort: 'last_follow_up_at' }, req),
    [ownerId],
  );
  const now = new Date();
  const columns: ColumnsType<Account> = [
    {
      title: t('account.name'),
      key: 'name',
      fixed: 'left',
      render: (_, a) => (
        <Link to={`/accounts/${a.id}`} className="account-name-cell">
          {a.name}
        </Link>
      ),
    },
    { title: t('account.statusCol'), key: 'protection', responsive: ['md'], render: (_, a) => <ProtectionTag account={a} /> },
    {
      title: t('account.lastFollowUp'),
      dataIndex: 'last_follow_up_at',
      responsive: ['sm'],
      render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD') : t('account.neverFollowedUp')),
    },
    {
      title: t('pool.reclaimAt'),
      key: 'reclaim',
      render: (_, a) => {
        const days = rules?.get(a.subsidiary_id)?.reclaim_after_days;
        const when = days ? reclaimDate(a, days) : null;
        if (!when) return t('common.none');
        const urgency = reclaimUrgency(when, now);
        const color = urgency === 'due' ? 'red' : urgency === 'soon' ? 'orange' : 'default';
        return (
          <Tooltip title={t('pool.reclaimRule', { days: days ?? 0 })}>
            <Tag color={color} data-testid={`reclaim-${urgency}`}>
              {urgency === 'due' ? t('pool.reclaimDue') : t('pool.reclaimIn', { days: daysLeft(when, now), date: dayjs(when).format('MM-DD') })}
            </Tag>
          </Tooltip>
        );
      },
    },
    ...(can('account.write')
      ? [
          {
            title: t('common.actions'),
            key: 'release',
            align: 'right' as const,
            render: (_: unknown, a: Account) => (
              <Button size="small" icon={<ExportOutlined />} onClick={() => setReleasing(a)}>
                {t('account.release')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  if (!ownerId) return <Empty />;
  return (
    <>
      <Typography.Paragraph type="secondary">{t('pool.mineHint')}</Typography.Paragraph>
      <CursorTable<Account>
        testId="pool-mine-table"
        queryKey={accountKeys.list({ ownerId, status: 'owned', sort: 'last_follow_up_at' })}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(a) => a.id}
        emptyText={t('pool.mineEmpty')}
      />
      {releasing ? <ReleaseModal open account={releasing} onClose={() => setReleasing(null)} /> : null}
    </>
  );
}

export default function PoolPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const summary = usePoolSummary();
  const rules = usePoolRules();
  const [error, setError] = useState<unknown>(null);
  const tab = params.get('tab') === 'mine' ? 'mine' : 'pool';
  const total = summary.data?.total;
  const poolError = isApiError(error) ? error : null;

  return (
    <PageContainer title={t('pool.title')} subtitle={t('pool.subtitle')}>
      <QuotaCards quotas={summary.data?.quotas ?? []} loading={summary.isPending} />
      {poolError ? (
        <Alert
          type={poolError.code === 'pool_cooldown' || poolError.code === 'pool_limit_reached' ? 'warning' : 'error'}
          showIcon
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 16 }}
          data-testid="pool-error"
          message={poolError.message}
          description={poolError.code === 'pool_limit_reached' ? t('pool.limitHint') : poolError.code === 'pool_cooldown' ? t('pool.cooldownHint') : undefined}
        />
      ) : null}
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) =>
            setParams(
              (p) => {
                if (key === 'mine') p.set('tab', 'mine');
                else p.delete('tab');
                return p;
              },
              { replace: true },
            )
          }
          items={[
            {
              key: 'pool',
              label: typeof total === 'number' ? t('pool.tabPoolCount', { total }) : t('pool.tabPool'),
              children: <PoolList onError={setError} onClaimed={() => void summary.refetch()} rules={rules.data} />,
            },
            { key: 'mine', label: t('pool.tabMine'), children: <MyAccounts rules={rules.data} /> },
          ]}
        />
      </Card>
    </PageContainer>
  );
}
