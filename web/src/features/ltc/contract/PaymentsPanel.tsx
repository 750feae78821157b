import { DollarOutlined, NodeIndexOutlined, RollbackOutlined } from '@ant-design/icons';
import { App, Button, Flex, Space, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { useI18n } from '@/i18n';
import { Money, StatusTag } from '../common';
import { compareMoney } from '../decimal';
import { formatDate } from '../format';
import type { Payment } from '../types';
import { fetchPaymentsPage, moneyKeys, useReversePayment } from './hooks';
import { ReasonModal } from './ReasonModal';

/** Payments received (回款) for a contract or an account, with 冲销; 登记回款 opens the dialog. */
export function PaymentsPanel({
  contract,
  accountId,
  canWrite,
  onRecord,
  onAllocate,
}: {
  contract?: { id: string };
  accountId?: string;
  canWrite: boolean;
  onRecord?: () => void;
  /** 核销: allocate a payment's unapplied remainder (offered when given). */
  onAllocate?: (payment: Payment) => void;
}) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const reverse = useReversePayment();
  const [reversing, setReversing] = useState<Payment | null>(null);
  const contractId = contract?.id;
  const fetchPage = useCallback((req: PageRequest) => fetchPaymentsPage({ contractId, accountId }, req), [contractId, accountId]);

  const columns: ColumnsType<Payment> = [
    { title: t('ltc.payment.receivedOn'), key: 'received', render: (_, p) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(p.received_on)}</span> },
    ...(contractId
      ? []
      : [
          {
            title: t('ltc.contract.number'),
            key: 'contract',
            render: (_: unknown, p: Payment) => (p.contract_id ? <Link to={`/contracts/${p.contract_id}`}>{p.contract_number}</Link> : t('common.none')),
          },
        ]),
    { title: t('ltc.payment.amount'), key: 'amount', align: 'right', render: (_, p) => <Money amount={p.amount} currency={p.currency} strong /> },
    { title: t('ltc.payment.allocated'), key: 'allocated', align: 'right', responsive: ['sm'], render: (_, p) => <Money amount={p.allocated_amount} currency={p.currency} /> },
    {
      title: t('ltc.payment.unappliedAmount'),
      key: 'unapplied',
      align: 'right',
      responsive: ['md'],
      render: (_, p) => <Money amount={p.unapplied_amount} currency={p.currency} type={compareMoney(String(p.unapplied_amount), '0') === 1 ? 'warning' : undefined} />,
    },
    { title: t('ltc.payment.method'), key: 'method', responsive: ['md'], render: (_, p) => td(`ltc.payment.method.${p.method}`, p.method) },
    {
      title: t('ltc.payment.reference'),
      key: 'ref',
      responsive: ['lg'],
      render: (_, p) => (
        <Space direction="vertical" size={0}>
          <span>{p.reference ?? t('common.none')}</span>
          {p.payer_name ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {p.payer_name}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('ltc.status'),
      key: 'status',
      render: (_, p) =>
        p.notes ? (
          <Tooltip title={p.notes}>
            <span>
              <StatusTag kind="payment" status={p.status} />
            </span>
          </Tooltip>
        ) : (
          <StatusTag kind="payment" status={p.status} />
        ),
    },
    ...(canWrite
      ? [
          {
            title: '',
            key: 'actions',
            render: (_: unknown, p: Payment) =>
              p.status === 'recorded' ? (
                <Space size={4}>
                  {onAllocate && compareMoney(String(p.unapplied_amount), '0') === 1 ? (
                    <Button size="small" icon={<NodeIndexOutlined />} onClick={() => onAllocate(p)} data-testid="payment-allocate">
                      {t('ltc.payment.allocateAction')}
                    </Button>
                  ) : null}
                  <Button size="small" danger icon={<RollbackOutlined />} onClick={() => setReversing(p)} data-testid="payment-reverse">
                    {t('ltc.payment.reverse')}
                  </Button>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <div data-testid="payments-panel">
      {canWrite && onRecord ? (
        <Flex justify="flex-end" style={{ marginBottom: 12 }}>
          <Button type="primary" icon={<DollarOutlined />} onClick={onRecord} data-testid="payment-record">
            {t('ltc.payment.record')}
          </Button>
        </Flex>
      ) : null}
      <CursorTable<Payment>
        testId="payments-table"
        queryKey={[...moneyKeys.payments, { contractId, accountId }]}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(p) => p.id}
        emptyText={t('ltc.payment.empty')}
        pageSizes={[10, 20, 50]}
      />
      <ReasonModal
        open={Boolean(reversing)}
        title={t('ltc.payment.reverseTitle')}
        okText={t('ltc.payment.reverse')}
        testId="payment-reverse-confirm"
        onClose={() => setReversing(null)}
        onSubmit={async (reason) => {
          if (!reversing) return;
          await reverse.mutateAsync({ id: reversing.id, reason });
          message.success(t('ltc.payment.reversed'));
        }}
      />
    </div>
  );
}
