import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { Money, StatusTag, tid } from '../common';
import { formatDate, formatPercent, quoteNumber } from '../format';
import type { Quote } from '../types';
import { useOpportunityQuotes } from './hooks';
import { QuoteCreateModal, type QuoteTarget } from './QuoteCreateModal';
import '../ltc.css';

/** 报价 on the opportunity page: every revision of the deal's quotes, and 新建报价. */
export function OpportunityQuotes({ opportunity, canCreate }: { opportunity: QuoteTarget; canCreate: boolean }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const quotes = useOpportunityQuotes(opportunity.id, can('quote.read'));
  const [creating, setCreating] = useState(false);
  if (!can('quote.read')) return null;

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
    { title: t('ltc.quote.total'), key: 'total', align: 'right', render: (_, r) => <Money amount={r.total} currency={r.currency} /> },
    { title: t('ltc.quote.discount'), key: 'discount', align: 'right', responsive: ['sm'], render: (_, r) => formatPercent(String(r.discount_pct)) },
    { title: t('common.createdAt'), key: 'created', responsive: ['md'], render: (_, r) => formatDate(r.created_at) },
  ];

  const rows = [...(quotes.data ?? [])].sort((a, b) => (a.number === b.number ? b.revision - a.revision : a.created_at < b.created_at ? 1 : -1));

  return (
    <Card
      size="small"
      title={t('ltc.quote.panelTitle')}
      data-testid="opp-quotes"
      extra={
        canCreate && can('quote.write') ? (
          <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="opp-quote-create">
            {t('ltc.quote.create')}
          </Button>
        ) : null
      }
    >
      {quotes.isError ? (
        <QueryError error={quotes.error} onRetry={() => void quotes.refetch()} />
      ) : (
        <Table<Quote>
          size="small"
          rowKey="id"
          loading={quotes.isFetching}
          columns={columns}
          dataSource={rows}
          pagination={rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
          scroll={{ x: 'max-content' }}
          rowClassName={(r) => (r.is_current ? '' : 'ltc-row-muted')}
          onRow={(r) => ({ onClick: () => navigate(`/quotes/${r.id}`), style: { cursor: 'pointer' }, ...tid('opp-quote-row') })}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ltc.quote.emptyForDeal')} /> }}
        />
      )}
      <QuoteCreateModal
        open={creating}
        opportunity={opportunity}
        onClose={() => setCreating(false)}
        onCreated={(q) => {
          setCreating(false);
          navigate(`/quotes/${q.id}`);
        }}
      />
    </Card>
  );
}
