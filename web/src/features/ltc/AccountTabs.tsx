/** The customer 360° page's 报价 / 合同 / 应收 tabs. */
import { Alert, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { QueryError } from '@/components/QueryError';
import { useI18n } from '@/i18n';
import { Money, StatusTag } from './common';
import { contractKeys, fetchContractsPage } from './contract/hooks';
import { formatDate, quoteNumber } from './format';
import { fetchQuotesPage, quoteKeys } from './quote/hooks';
import { AgingTable } from './receivable/AgingTable';
import { useAccountCredit } from './receivable/hooks';
import { ReceivablesList } from './receivable/ReceivablesList';
import type { Contract, Quote } from './types';

export function AccountQuotes({ accountId }: { accountId: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const fetchPage = useCallback((req: PageRequest) => fetchQuotesPage({ accountId }, req), [accountId]);
  const columns: ColumnsType<Quote> = [
    {
      title: t('ltc.quote.number'),
      key: 'number',
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Typography.Link style={{ whiteSpace: 'nowrap' }}>{quoteNumber(r.number, r.revision)}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.title}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('ltc.status'), key: 'status', render: (_, r) => <StatusTag kind="quote" status={r.status} /> },
    {
      title: t('ltc.opportunity'),
      key: 'opp',
      responsive: ['md'],
      render: (_, r) => (
        <Link to={`/opportunities/${r.opportunity_id}`} onClick={(e) => e.stopPropagation()}>
          {r.opportunity_name}
        </Link>
      ),
    },
    { title: t('ltc.quote.total'), key: 'total', align: 'right', render: (_, r) => <Money amount={r.total} currency={r.currency} /> },
    { title: t('common.createdAt'), key: 'created', responsive: ['sm'], render: (_, r) => formatDate(r.created_at) },
  ];
  return (
    <div data-testid="account-quotes">
      <CursorTable<Quote>
        testId="account-quotes-table"
        queryKey={quoteKeys.list({ accountId })}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(r) => r.id}
        onRowClick={(r) => navigate(`/quotes/${r.id}`)}
        emptyText={t('ltc.quote.emptyForAccount')}
        pageSizes={[10, 20, 50]}
      />
    </div>
  );
}

export function AccountContracts({ accountId }: { accountId: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const fetchPage = useCallback((req: PageRequest) => fetchContractsPage({ accountId }, req), [accountId]);
  const columns: ColumnsType<Contract> = [
    {
      title: t('ltc.contract.number'),
      key: 'number',
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <Typography.Link style={{ whiteSpace: 'nowrap' }}>{c.number}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.title}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('ltc.status'), key: 'status', render: (_, c) => <StatusTag kind="contract" status={c.status} /> },
    { title: t('ltc.contract.amount'), key: 'amount', align: 'right', render: (_, c) => <Money amount={c.amount} currency={c.currency} /> },
    { title: t('ltc.contract.signingDate'), key: 'signed', responsive: ['sm'], render: (_, c) => formatDate(c.signing_date) },
    { title: t('ltc.contract.entity'), key: 'entity', responsive: ['lg'], render: (_, c) => c.selling_entity_name ?? t('common.none') },
  ];
  return (
    <div data-testid="account-contracts">
      <CursorTable<Contract>
        testId="account-contracts-table"
        queryKey={contractKeys.list({ accountId })}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(c) => c.id}
        onRowClick={(c) => navigate(`/contracts/${c.id}`)}
        emptyText={t('ltc.contract.emptyForAccount')}
        pageSizes={[10, 20, 50]}
      />
    </div>
  );
}

/** 应收: the account's aging per subsidiary, any credit hold, and its open installments. */
export function AccountReceivables({ accountId }: { accountId: string }) {
  const { t } = useI18n();
  const credit = useAccountCredit(accountId);
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="account-receivables">
      {credit.isError ? (
        <QueryError error={credit.error} onRetry={() => void credit.refetch()} />
      ) : credit.data ? (
        <>
          {credit.data.holds
            .filter((h) => h.status === 'active')
            .map((h) => (
              <Alert
                key={h.id}
                type="error"
                showIcon
                data-testid="account-credit-hold"
                message={t('ltc.credit.onHold', { subsidiary: h.subsidiary_name ?? '' })}
                description={
                  <span>
                    {h.reason} · <Tag color="red">{t('ltc.daysN', { days: h.max_days_overdue })}</Tag>
                    <Money amount={h.overdue_amount} currency={h.currency ?? ''} />
                  </span>
                }
              />
            ))}
          <AgingTable aging={credit.data.aging} rowTestId="account-aging-row" />
        </>
      ) : null}
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('ltc.receivable.open')}
      </Typography.Title>
      <ReceivablesList filters={{ accountId, subsidiaryId: null, contractId: null, overdueOnly: false, asOf: null }} hideAccount />
    </Space>
  );
}
