import { FileAddOutlined, StopOutlined } from '@ant-design/icons';
import { App, Button, Flex, Space, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { useI18n } from '@/i18n';
import { Money, StatusTag } from '../common';
import { formatDate } from '../format';
import type { Invoice } from '../types';
import { fetchInvoicesPage, moneyKeys, useVoidInvoice } from './hooks';
import { ReasonModal } from './ReasonModal';

/** Invoices of a contract (or an account) with 作废; 开票 opens the invoice dialog. */
export function InvoicesPanel({
  contract,
  accountId,
  canWrite,
  onIssue,
}: {
  contract?: { id: string };
  accountId?: string;
  canWrite: boolean;
  onIssue?: () => void;
}) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const voidInvoice = useVoidInvoice();
  const [voiding, setVoiding] = useState<Invoice | null>(null);
  const contractId = contract?.id;
  const fetchPage = useCallback((req: PageRequest) => fetchInvoicesPage({ contractId, accountId }, req), [contractId, accountId]);

  const columns: ColumnsType<Invoice> = [
    {
      title: t('ltc.invoice.number'),
      key: 'number',
      render: (_, i) => (
        <Space direction="vertical" size={0}>
          <span style={{ whiteSpace: 'nowrap' }}>{i.number}</span>
          {i.external_number ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {i.external_number}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    ...(contractId
      ? []
      : [{ title: t('ltc.contract.number'), key: 'contract', render: (_: unknown, i: Invoice) => <Link to={`/contracts/${i.contract_id}`}>{i.contract_number}</Link> }]),
    { title: t('ltc.invoice.installment'), key: 'installment', render: (_, i) => i.installment_label ?? t('common.none') },
    { title: t('ltc.invoice.kind'), key: 'kind', responsive: ['md'], render: (_, i) => td(`ltc.invoice.kind.${i.kind}`, i.kind) },
    { title: t('ltc.invoice.amount'), key: 'amount', align: 'right', render: (_, i) => <Money amount={i.amount} currency={i.currency} /> },
    { title: t('ltc.invoice.tax'), key: 'tax', align: 'right', responsive: ['lg'], render: (_, i) => <Money amount={i.tax_amount} currency={i.currency} /> },
    { title: t('ltc.invoice.issuedOn'), key: 'issued', responsive: ['sm'], render: (_, i) => formatDate(i.issued_on) },
    {
      title: t('ltc.status'),
      key: 'status',
      render: (_, i) =>
        i.void_reason ? (
          <Tooltip title={i.void_reason}>
            <span>
              <StatusTag kind="invoice" status={i.status} />
            </span>
          </Tooltip>
        ) : (
          <StatusTag kind="invoice" status={i.status} />
        ),
    },
    ...(canWrite
      ? [
          {
            title: '',
            key: 'actions',
            render: (_: unknown, i: Invoice) =>
              i.status === 'issued' ? (
                <Button size="small" danger icon={<StopOutlined />} onClick={() => setVoiding(i)} data-testid="invoice-void">
                  {t('ltc.invoice.void')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <div data-testid="invoices-panel">
      {canWrite && onIssue ? (
        <Flex justify="flex-end" style={{ marginBottom: 12 }}>
          <Button type="primary" icon={<FileAddOutlined />} onClick={onIssue} data-testid="invoice-issue">
            {t('ltc.invoice.issue')}
          </Button>
        </Flex>
      ) : null}
      <CursorTable<Invoice>
        testId="invoices-table"
        queryKey={[...moneyKeys.invoices, { contractId, accountId }]}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(i) => i.id}
        emptyText={t('ltc.invoice.empty')}
        pageSizes={[10, 20, 50]}
      />
      <ReasonModal
        open={Boolean(voiding)}
        title={t('ltc.invoice.voidTitle', { number: voiding?.number ?? '' })}
        okText={t('ltc.invoice.void')}
        testId="invoice-void-confirm"
        onClose={() => setVoiding(null)}
        onSubmit={async (reason) => {
          if (!voiding) return;
          await voidInvoice.mutateAsync({ id: voiding.id, reason });
          message.success(t('ltc.invoice.voided'));
        }}
      />
    </div>
  );
}
