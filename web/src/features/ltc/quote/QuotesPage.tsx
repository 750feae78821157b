import { UserOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Space, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { serverSorter } from '@/features/account/sorting';
import { UserSelect } from '@/features/account/UserSelect';
import { useAccess, useMe } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { Money, StatusTag } from '../common';
import { formatDate, formatPercent, quoteNumber } from '../format';
import { QUOTE_STATUSES } from '../status';
import type { Quote, QuoteQuery } from '../types';
import { oneOf, useUrlFilters } from '../urlFilters';
import { DEFAULT_QUOTE_SORT, fetchQuotesPage, type QuoteFilters, quoteKeys } from './hooks';

/** 报价: every quote revision the caller can see, filtered and sorted on the server. */
export default function QuotesPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const { get, set, clear } = useUrlFilters();

  const filters: QuoteFilters = {
    q: get('q') ?? '',
    status: oneOf(QUOTE_STATUSES, get('status')) as QuoteQuery['status'] | null,
    ownerId: get('owner_id'),
    opportunityId: get('opportunity_id'),
    accountId: get('account_id'),
    sort: get('sort'),
  };
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);
  const { q, status, ownerId, opportunityId, accountId, sort } = filters;
  const fetchPage = useCallback(
    (req: PageRequest) => fetchQuotesPage({ q, status, ownerId, opportunityId, accountId, sort }, req),
    [q, status, ownerId, opportunityId, accountId, sort],
  );
  const onSort = (next: string | null) => set({ sort: next });
  const mine = Boolean(me && ownerId === me.user.id);
  const filtered = Boolean(q || status || ownerId || opportunityId || accountId);

  const columns: ColumnsType<Quote> = [
    {
      title: t('ltc.quote.number'),
      key: 'number',
      fixed: 'left',
      ...serverSorter<Quote>('number', sort, DEFAULT_QUOTE_SORT, onSort),
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Typography.Link data-testid="quote-number-cell" style={{ whiteSpace: 'nowrap' }}>
            {quoteNumber(r.number, r.revision)}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: r.title }}>
            {r.title}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('ltc.status'), key: 'status', render: (_, r) => <StatusTag kind="quote" status={r.status} /> },
    {
      title: t('ltc.account'),
      key: 'account',
      responsive: ['md'],
      render: (_, r) => (
        <Link to={`/accounts/${r.account_id}`} onClick={(e) => e.stopPropagation()}>
          {r.account_name ?? t('common.none')}
        </Link>
      ),
    },
    {
      title: t('ltc.opportunity'),
      key: 'opportunity',
      responsive: ['lg'],
      render: (_, r) => (
        <Link to={`/opportunities/${r.opportunity_id}`} onClick={(e) => e.stopPropagation()}>
          {r.opportunity_name ?? t('common.none')}
        </Link>
      ),
    },
    { title: t('ltc.owner'), key: 'owner', responsive: ['md'], render: (_, r) => r.owner_name ?? t('common.none') },
    {
      title: t('ltc.quote.total'),
      key: 'total',
      align: 'right',
      ...serverSorter<Quote>('total', sort, DEFAULT_QUOTE_SORT, onSort, 'descend'),
      render: (_, r) => <Money amount={r.total} currency={r.currency} />,
    },
    {
      title: t('ltc.quote.discount'),
      key: 'discount',
      align: 'right',
      responsive: ['lg'],
      render: (_, r) => formatPercent(String(r.discount_pct)),
    },
    { title: t('ltc.quote.validUntil'), key: 'valid_until', responsive: ['xl'], render: (_, r) => formatDate(r.valid_until) },
    {
      title: t('common.createdAt'),
      key: 'created_at',
      responsive: ['sm'],
      ...serverSorter<Quote>('created_at', sort, DEFAULT_QUOTE_SORT, onSort, 'descend'),
      render: (_, r) => formatDate(r.created_at),
    },
  ];

  return (
    <PageContainer title={t('ltc.quote.title')} subtitle={t('ltc.quote.subtitle')}>
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
            placeholder={t('ltc.quote.searchPlaceholder')}
            style={{ width: 280, maxWidth: '100%' }}
            data-testid="quote-search"
          />
          <Select
            allowClear
            value={status ?? undefined}
            onChange={(v: string | undefined) => set({ status: v ?? null })}
            placeholder={t('ltc.status')}
            options={QUOTE_STATUSES.map((s) => ({ value: s, label: td(`ltc.quote.status.${s}`, s) }))}
            style={{ width: 140 }}
            data-testid="quote-status-filter"
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
        <CursorTable<Quote>
          testId="quotes-table"
          queryKey={quoteKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(r) => r.id}
          onRowClick={(r) => navigate(`/quotes/${r.id}`)}
          emptyText={filtered ? t('common.noMatch') : t('ltc.quote.empty')}
        />
      </Card>
    </PageContainer>
  );
}
