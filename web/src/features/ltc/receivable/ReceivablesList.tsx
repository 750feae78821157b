import { Button, Flex, Space, Switch, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { useI18n } from '@/i18n';
import { Money } from '../common';
import { formatDate } from '../format';
import type { Receivable } from '../types';
import { fetchReceivablesPage, type ReceivableFilters, receivableKeys } from './hooks';

const BUCKET_TAG: Record<string, string> = { not_due: 'default', d1_30: 'gold', d31_90: 'orange', d91_180: 'volcano', over_180: 'red' };

/** 应收明细: installments with money outstanding (overdue ones with their days), linked to account and contract. */
export function ReceivablesList({
  filters,
  onChange,
  scopeLabel,
  hideAccount,
}: {
  filters: ReceivableFilters;
  onChange?: (changes: Partial<ReceivableFilters>) => void;
  scopeLabel?: string | null;
  hideAccount?: boolean;
}) {
  const { t, td } = useI18n();
  const fetchPage = useCallback((req: PageRequest) => fetchReceivablesPage(filters, req), [JSON.stringify(filters)]);
  const columns: ColumnsType<Receivable> = [
    ...(hideAccount
      ? []
      : [
          {
            title: t('ltc.account'),
            key: 'account',
            fixed: 'left' as const,
            render: (_: unknown, r: Receivable) => <Link to={`/accounts/${r.account_id}`}>{r.account_name ?? t('common.none')}</Link>,
          },
        ]),
    {
      title: t('ltc.contract.number'),
      key: 'contract',
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Link to={`/contracts/${r.contract_id}`} style={{ whiteSpace: 'nowrap' }} data-testid="receivable-contract-link">
            {r.contract_number ?? t('common.none')}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.seq}. {r.label}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('ltc.plan.dueDate'), key: 'due', render: (_, r) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(r.due_date)}</span> },
    { title: t('ltc.plan.amount'), key: 'amount', align: 'right', responsive: ['md'], render: (_, r) => <Money amount={r.amount} currency={r.currency} /> },
    { title: t('ltc.plan.paid'), key: 'paid', align: 'right', responsive: ['lg'], render: (_, r) => <Money amount={r.paid_amount} currency={r.currency} /> },
    { title: t('ltc.plan.outstanding'), key: 'outstanding', align: 'right', render: (_, r) => <Money amount={r.outstanding} currency={r.currency} strong /> },
    {
      title: t('ltc.plan.overdue'),
      key: 'overdue',
      render: (_, r) => (
        <Tag color={BUCKET_TAG[r.bucket] ?? 'default'}>
          {r.days_overdue > 0 ? t('ltc.daysN', { days: r.days_overdue }) : td(`ltc.aging.bucket.${r.bucket}`, r.bucket)}
        </Tag>
      ),
    },
    { title: t('ltc.owner'), key: 'owner', responsive: ['xl'], render: (_, r) => r.owner_name ?? t('common.none') },
  ];
  return (
    <div data-testid="receivables-list">
      {onChange ? (
        <Flex gap={12} align="center" wrap="wrap" style={{ marginBottom: 12 }}>
          <Space>
            <Switch checked={filters.overdueOnly} onChange={(v) => onChange({ overdueOnly: v })} data-testid="receivables-overdue-only" />
            <span>{t('ltc.receivable.overdueOnly')}</span>
          </Space>
          {scopeLabel ? (
            <Tag closable onClose={() => onChange({ accountId: null, subsidiaryId: null })} color="blue" data-testid="receivables-scope">
              {scopeLabel}
            </Tag>
          ) : null}
          {filters.asOf ? <Typography.Text type="secondary">{t('ltc.aging.asOfValue', { date: formatDate(filters.asOf) })}</Typography.Text> : null}
          {filters.accountId || filters.subsidiaryId || filters.contractId ? (
            <Button size="small" onClick={() => onChange({ accountId: null, subsidiaryId: null, contractId: null })}>
              {t('common.reset')}
            </Button>
          ) : null}
        </Flex>
      ) : null}
      <CursorTable<Receivable>
        testId="receivables-table"
        queryKey={receivableKeys.list(filters)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(r) => r.id}
        emptyText={filters.overdueOnly ? t('ltc.receivable.noneOverdue') : t('ltc.receivable.empty')}
      />
    </div>
  );
}
