import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Flex, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { Opportunity } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { formatMoney } from './format';
import { fetchAccountOpportunities, relatedKeys } from './hooks';
import { QuickOpportunityModal } from './QuickOpportunityModal';

const STATUS_BADGE: Record<string, 'processing' | 'success' | 'default'> = { open: 'processing', won: 'success', lost: 'default' };

export function stageName(stage: { name: string; name_en?: string | null }, locale: string): string {
  return locale === 'en-US' && stage.name_en ? stage.name_en : stage.name;
}

export function OpportunityStatus({ status }: { status: string }) {
  const { td } = useI18n();
  return <Badge status={STATUS_BADGE[status] ?? 'default'} text={td(`account.opp.status.${status}`, status)} />;
}

/** The opportunities of one account, newest first. */
export function AccountOpportunities({ accountId, accountName }: { accountId: string; accountName: string }) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const fetchPage = useCallback((req: PageRequest) => fetchAccountOpportunities(accountId, req), [accountId]);

  const columns: ColumnsType<Opportunity> = [
    {
      title: t('account.opp.name'),
      key: 'name',
      render: (_, o) => (
        <Space direction="vertical" size={0}>
          <Typography.Link>{o.name}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {o.owner_name ?? t('account.noOwner')}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('account.opp.stage'),
      key: 'stage',
      render: (_, o) => (
        <Space size={4} wrap>
          <Tag color={o.status === 'open' ? 'blue' : o.status === 'won' ? 'green' : 'default'} bordered={false}>
            {stageName(o.stage, locale)} · {o.stage.probability}%
          </Tag>
          {o.stalled ? (
            <Tooltip title={t('account.opp.stalledHint', { days: o.days_in_stage })}>
              <Tag color="red">{t('account.opp.stalled')}</Tag>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('account.opp.amount'),
      key: 'amount',
      align: 'right',
      render: (_, o) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoney(o.amount, o.currency, locale)}</span>,
    },
    {
      title: t('account.opp.closeDate'),
      dataIndex: 'expected_close_date',
      responsive: ['md'],
      render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD') : t('common.none')),
    },
    { title: t('account.opp.statusCol'), dataIndex: 'status', responsive: ['sm'], render: (s: string) => <OpportunityStatus status={s} /> },
  ];

  return (
    <div data-testid="account-opportunities">
      {can('opportunity.write') ? (
        <Flex justify="flex-end" style={{ marginBottom: 12 }}>
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="account-opp-create">
            {t('account.opp.create')}
          </Button>
        </Flex>
      ) : null}
      <CursorTable<Opportunity>
        testId="account-opps-table"
        queryKey={[...relatedKeys.opportunities, 'account', accountId]}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(o) => o.id}
        onRowClick={(o) => navigate(`/opportunities/${o.id}`)}
        emptyText={t('account.opp.empty')}
        pageSizes={[10, 20, 50]}
      />
      <QuickOpportunityModal
        open={creating}
        accountId={accountId}
        accountName={accountName}
        onClose={() => setCreating(false)}
        onCreated={(id) => {
          setCreating(false);
          navigate(`/opportunities/${id}`);
        }}
      />
    </div>
  );
}
