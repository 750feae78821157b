import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Flex, Input, Select, Space, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { serverSorter } from '@/features/account/sorting';
import { DrillFilterBar } from '@/features/analytics/DrillFilterBar';
import { ExportButton } from '@/features/analytics/ExportButton';
import { UserSelect } from '@/features/account/UserSelect';
import { useAccess, useMe } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { Money, StatusTag } from '../common';
import { formatDate } from '../format';
import { CONTRACT_STATUSES, contractFrozen } from '../status';
import type { Contract, ContractQuery } from '../types';
import { oneOf, useUrlFilters } from '../urlFilters';
import { type ContractFilters, contractKeys, contractQuery, DEFAULT_CONTRACT_SORT, fetchContractsPage } from './hooks';

/** 合同: contracts in the caller's scope; filters (status, owner, signing dates) live in the URL. */
export default function ContractsPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const { get, set, clear } = useUrlFilters();

  const filters: ContractFilters = {
    q: get('q') ?? '',
    status: oneOf(CONTRACT_STATUSES, get('status')) as ContractQuery['status'] | null,
    ownerId: get('owner_id'),
    accountId: get('account_id'),
    opportunityId: get('opportunity_id'),
    signedFrom: get('signed_from'),
    signedTo: get('signed_to'),
    unitId: get('unit_id'),
    sort: get('sort'),
  };
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);
  const { q, status, ownerId, accountId, opportunityId, signedFrom, signedTo, unitId, sort } = filters;
  const fetchPage = useCallback(
    (req: PageRequest) => fetchContractsPage({ q, status, ownerId, accountId, opportunityId, signedFrom, signedTo, unitId, sort }, req),
    [q, status, ownerId, accountId, opportunityId, signedFrom, signedTo, unitId, sort],
  );
  const onSort = (next: string | null) => set({ sort: next });
  const mine = Boolean(me && ownerId === me.user.id);
  const filtered = Boolean(q || status || ownerId || accountId || opportunityId || signedFrom || signedTo || unitId);

  const columns: ColumnsType<Contract> = [
    {
      title: t('ltc.contract.number'),
      key: 'number',
      fixed: 'left',
      ...serverSorter<Contract>('number', sort, DEFAULT_CONTRACT_SORT, onSort),
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <Space size={4}>
            <Typography.Link style={{ whiteSpace: 'nowrap' }} data-testid="contract-number-cell">
              {c.number}
            </Typography.Link>
            {contractFrozen(c.status) ? <LockOutlined style={{ color: '#94a3b8' }} /> : null}
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: c.title }}>
            {c.title}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('ltc.account'),
      key: 'account',
      render: (_, c) => (
        <Link to={`/accounts/${c.account_id}`} onClick={(e) => e.stopPropagation()}>
          {c.account_name ?? t('common.none')}
        </Link>
      ),
    },
    {
      title: t('ltc.contract.amount'),
      key: 'amount',
      align: 'right',
      ...serverSorter<Contract>('amount', sort, DEFAULT_CONTRACT_SORT, onSort, 'descend'),
      render: (_, c) => <Money amount={c.amount} currency={c.currency} />,
    },
    { title: t('ltc.status'), key: 'status', render: (_, c) => <StatusTag kind="contract" status={c.status} /> },
    {
      title: t('ltc.contract.signingDate'),
      key: 'signing_date',
      responsive: ['sm'],
      ...serverSorter<Contract>('signing_date', sort, DEFAULT_CONTRACT_SORT, onSort, 'descend'),
      render: (_, c) => formatDate(c.signing_date),
    },
    { title: t('ltc.owner'), key: 'owner', responsive: ['md'], render: (_, c) => c.owner_name ?? t('common.none') },
    { title: t('ltc.contract.entity'), key: 'entity', responsive: ['xl'], render: (_, c) => c.selling_entity_name ?? t('common.none') },
  ];

  return (
    <PageContainer
      title={t('ltc.contract.title')}
      subtitle={t('ltc.contract.subtitle')}
      extra={<ExportButton path="/api/v1/contracts" query={contractQuery(filters)} name="contracts" size="middle" testId="contracts-export" />}
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center" style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) set({ q: null });
            }}
            onSearch={(v) => set({ q: v.trim() || null })}
            placeholder={t('ltc.contract.searchPlaceholder')}
            style={{ width: 280, maxWidth: '100%' }}
            data-testid="contract-search"
          />
          <Select
            allowClear
            value={status ?? undefined}
            onChange={(v: string | undefined) => set({ status: v ?? null })}
            placeholder={t('ltc.status')}
            options={CONTRACT_STATUSES.map((s) => ({ value: s, label: td(`ltc.contract.status.${s}`, s) }))}
            style={{ width: 140 }}
            data-testid="contract-status-filter"
          />
          <DatePicker.RangePicker
            value={[signedFrom ? dayjs(signedFrom) : null, signedTo ? dayjs(signedTo) : null]}
            onChange={(range) =>
              set({ signed_from: range?.[0]?.format('YYYY-MM-DD') ?? null, signed_to: range?.[1]?.format('YYYY-MM-DD') ?? null })
            }
            placeholder={[t('ltc.contract.signedFrom'), t('ltc.contract.signedTo')]}
            allowEmpty={[true, true]}
            style={{ width: 260 }}
          />
          {can('user.read') ? (
            <UserSelect allowClear offerMe value={ownerId} onChange={(v) => set({ owner_id: v })} placeholder={t('ltc.owner')} style={{ width: 200 }} />
          ) : null}
          {me ? (
            <Button icon={<UserOutlined />} type={mine ? 'primary' : 'default'} ghost={mine} onClick={() => set({ owner_id: mine ? null : me.user.id })}>
              {t('ltc.mine')}
            </Button>
          ) : null}
          {filtered ? <Button onClick={() => clear(['sort'])}>{t('common.reset')}</Button> : null}
        </Flex>
        <DrillFilterBar resource="contracts" />
        <CursorTable<Contract>
          testId="contracts-table"
          queryKey={contractKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(c) => c.id}
          onRowClick={(c) => navigate(`/contracts/${c.id}`)}
          emptyText={filtered ? t('common.noMatch') : t('ltc.contract.empty')}
        />
      </Card>
    </PageContainer>
  );
}
