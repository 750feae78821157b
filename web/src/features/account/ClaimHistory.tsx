import { Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import type { AccountClaim } from '@/api/types';
import { QueryError } from '@/components/QueryError';
import { useOrgUnits } from '@/features/org/hooks';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { useAccountClaims } from './hooks';

const STATUS_COLORS: Record<string, string> = { active: 'green', released: 'default', expired: 'orange', transferred: 'blue' };

/** Every claim (报备) the account has had: who held it, from when, protected until when. */
export function ClaimHistory({ accountId }: { accountId: string }) {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const claims = useAccountClaims(accountId);
  const { byId } = useOrgUnits({ enabled: can('org.read') });
  if (claims.isError) return <QueryError error={claims.error} onRetry={() => void claims.refetch()} />;
  const now = dayjs();
  const columns: ColumnsType<AccountClaim> = [
    { title: t('account.claimUnit'), dataIndex: 'unit_id', render: (id: string) => byId.get(id)?.name ?? t('common.none') },
    { title: t('account.subsidiary'), dataIndex: 'subsidiary_id', responsive: ['md'], render: (id: string) => byId.get(id)?.name ?? t('common.none') },
    { title: t('account.claimedAt'), dataIndex: 'claimed_at', render: (v: string) => dayjs(v).format('YYYY-MM-DD') },
    {
      title: t('account.protectedUntilCol'),
      dataIndex: 'protected_until',
      render: (v: string, c) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {dayjs(v).format('YYYY-MM-DD')}
          {c.status === 'active' && dayjs(v).isBefore(now) ? (
            <Tag color="orange" style={{ marginInlineStart: 6 }}>
              {t('account.protectionExpired')}
            </Tag>
          ) : null}
        </span>
      ),
    },
    {
      title: t('account.claimStatus'),
      dataIndex: 'status',
      render: (s: string) => <Tag color={STATUS_COLORS[s] ?? 'default'}>{td(`account.claimStatus.${s}`, s)}</Tag>,
    },
  ];
  return (
    <Table<AccountClaim>
      data-testid="account-claims"
      size="middle"
      rowKey="id"
      loading={claims.isLoading}
      dataSource={claims.data ?? []}
      columns={columns}
      pagination={false}
      scroll={{ x: 'max-content' }}
    />
  );
}
