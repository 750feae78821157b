import { Button, DatePicker, Flex, Select, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap } from '@/api/client';
import type { CursorPage, Query } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { DrillFilterBar } from '@/features/analytics/DrillFilterBar';
import { ExportButton } from '@/features/analytics/ExportButton';
import { useI18n } from '@/i18n';
import { Money, StatusTag } from '../common';
import { moneyKeys } from '../contract/hooks';
import { formatDate } from '../format';
import type { Payment } from '../types';

export type PaymentQuery = Query<'/api/v1/payments', 'get'>;

export interface PaymentFilters {
  unitId: string | null;
  status: 'recorded' | 'reversed' | null;
  receivedFrom: string | null;
  receivedTo: string | null;
}

/** The list endpoint's filters (also what an export sends); `unit_id` is the unit's whole subtree. */
export function paymentQuery(f: PaymentFilters): PaymentQuery {
  return {
    ...(f.unitId ? { unit_id: f.unitId } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.receivedFrom ? { received_from: f.receivedFrom } : {}),
    ...(f.receivedTo ? { received_to: f.receivedTo } : {}),
  };
}

function fetchPayments(f: PaymentFilters, req: PageRequest): Promise<CursorPage<Payment>> {
  return unwrap(
    api.GET('/api/v1/payments', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...paymentQuery(f),
        },
      },
    }),
  );
}

/** 回款明细: payments received across the caller's scope (the list behind “payment collected”). */
export function PaymentsList({ filters, onChange }: { filters: PaymentFilters; onChange: (changes: Record<string, string | null>) => void }) {
  const { t, td } = useI18n();
  const key = JSON.stringify(filters);
  const fetchPage = useCallback((req: PageRequest) => fetchPayments(JSON.parse(key) as PaymentFilters, req), [key]);
  const filtered = Boolean(filters.unitId || filters.status || filters.receivedFrom || filters.receivedTo);
  const columns: ColumnsType<Payment> = [
    { title: t('ltc.payment.receivedOn'), key: 'received', render: (_, p) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(p.received_on)}</span> },
    {
      title: t('ltc.account'),
      key: 'account',
      render: (_, p) => <Link to={`/accounts/${p.account_id}`}>{p.account_name ?? t('common.none')}</Link>,
    },
    {
      title: t('ltc.contract.number'),
      key: 'contract',
      responsive: ['sm'],
      render: (_, p) => (p.contract_id ? <Link to={`/contracts/${p.contract_id}`}>{p.contract_number}</Link> : t('common.none')),
    },
    { title: t('ltc.payment.amount'), key: 'amount', align: 'right', render: (_, p) => <Money amount={p.amount} currency={p.currency} strong /> },
    { title: t('ltc.payment.method'), key: 'method', responsive: ['lg'], render: (_, p) => td(`ltc.payment.method.${p.method}`, p.method) },
    { title: t('ltc.owner'), key: 'owner', responsive: ['md'], render: (_, p) => p.owner_name ?? t('common.none') },
    { title: t('ltc.status'), key: 'status', render: (_, p) => <StatusTag kind="payment" status={p.status} /> },
  ];
  return (
    <div data-testid="payments-list">
      <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
        <DatePicker.RangePicker
          value={[filters.receivedFrom ? dayjs(filters.receivedFrom) : null, filters.receivedTo ? dayjs(filters.receivedTo) : null]}
          onChange={(range) => onChange({ received_from: range?.[0]?.format('YYYY-MM-DD') ?? null, received_to: range?.[1]?.format('YYYY-MM-DD') ?? null })}
          placeholder={[t('ltc.payment.receivedFrom'), t('ltc.payment.receivedTo')]}
          allowEmpty={[true, true]}
          style={{ width: 260 }}
        />
        <Select
          allowClear
          value={filters.status ?? undefined}
          onChange={(v: string | undefined) => onChange({ status: v ?? null })}
          placeholder={t('ltc.status')}
          options={(['recorded', 'reversed'] as const).map((s) => ({ value: s, label: td(`ltc.payment.status.${s}`, s) }))}
          style={{ width: 140 }}
        />
        {filtered ? <Button onClick={() => onChange({ unit_id: null, status: null, received_from: null, received_to: null })}>{t('common.reset')}</Button> : null}
        <Typography.Text type="secondary" style={{ marginInlineStart: 'auto' }}>
          <ExportButton path="/api/v1/payments" query={paymentQuery(filters)} name="payments" testId="payments-export" />
        </Typography.Text>
      </Flex>
      <DrillFilterBar resource="payments" />
      <CursorTable<Payment>
        testId="payments-list-table"
        queryKey={[...moneyKeys.payments, 'list', filters]}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(p) => p.id}
        emptyText={filtered ? t('common.noMatch') : t('ltc.payment.empty')}
      />
    </div>
  );
}
