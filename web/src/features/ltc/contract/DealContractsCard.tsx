import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, List, Space, Typography } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '@/api/client';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { ActionError, Money, StatusTag } from '../common';
import { formatDate } from '../format';
import { contractKeys, useCreateContract } from './hooks';

/** The contracts of one deal; a won deal without a live contract offers to draw one up from the
 * deal itself (amount and currency from the deal; a quote is not required). */
export function DealContractsCard({ deal }: { deal: { id: string; status: string } }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const create = useCreateContract();
  const contracts = useQuery({
    queryKey: contractKeys.list({ opportunityId: deal.id }),
    enabled: can('contract.read'),
    queryFn: () => unwrap(api.GET('/api/v1/contracts', { params: { query: { opportunity_id: deal.id, limit: 20 } } })),
  });
  if (!can('contract.read')) return null;
  const items = contracts.data?.items ?? [];
  const live = items.some((c) => c.status !== 'terminated');
  const offer = deal.status === 'won' && !live && can('contract.write');
  return (
    <Card
      size="small"
      title={t('ltc.contract.title')}
      data-testid="opp-contracts"
      extra={
        offer ? (
          <Button
            size="small"
            type="primary"
            icon={<PlusOutlined />}
            loading={create.isPending}
            data-testid="opp-contract-create"
            onClick={() => create.mutate({ opportunity_id: deal.id }, { onSuccess: (c) => navigate(`/contracts/${c.id}`) })}
          >
            {t('ltc.quote.createContract')}
          </Button>
        ) : null
      }
    >
      {create.error ? <ActionError error={create.error} onClose={() => create.reset()} /> : null}
      {contracts.error ? (
        <QueryError error={contracts.error} onRetry={() => contracts.refetch()} />
      ) : (
        <List
          size="small"
          loading={contracts.isLoading}
          dataSource={items}
          locale={{ emptyText: t('ltc.contract.emptyForDeal') }}
          renderItem={(c) => (
            <List.Item>
              <Space wrap>
                <Link to={`/contracts/${c.id}`}>{c.number}</Link>
                <StatusTag kind="contract" status={c.status} />
                <Money amount={c.amount} currency={c.currency} />
                <Typography.Text type="secondary">{formatDate(c.signing_date)}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
