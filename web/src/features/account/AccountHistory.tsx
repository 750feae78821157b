import { Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback } from 'react';
import type { AuditEvent } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { ChangesDiff } from '@/features/audit/ChangesDiff';
import { useI18n } from '@/i18n';
import { actionLabel } from '@/i18n/labels';
import { fetchAccountAudit, relatedKeys } from './hooks';

const ACTION_COLORS: Record<string, string> = { create: 'green', update: 'blue', delete: 'red', claim: 'purple', release: 'orange', transfer: 'geekblue' };

/** The audit trail of one account: who changed what, when, with before/after. */
export function AccountHistory({ accountId }: { accountId: string }) {
  const { t, td } = useI18n();
  const fetchPage = useCallback((req: PageRequest) => fetchAccountAudit(accountId, req), [accountId]);
  const columns: ColumnsType<AuditEvent> = [
    {
      title: t('audit.time'),
      dataIndex: 'occurred_at',
      render: (v: string) => (
        <Tooltip title={dayjs(v).format('YYYY-MM-DD HH:mm:ss')}>
          <span style={{ whiteSpace: 'nowrap' }}>{dayjs(v).format('YYYY-MM-DD HH:mm')}</span>
        </Tooltip>
      ),
    },
    { title: t('audit.actor'), key: 'actor', render: (_, e) => (e.actor_id ? e.actor_name : t('audit.system')) },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (action: string) => {
        const verb = action.slice(action.lastIndexOf('.') + 1);
        return (
          <Tag color={ACTION_COLORS[verb] ?? 'default'} title={action}>
            {actionLabel(td, action)}
          </Tag>
        );
      },
    },
    {
      title: t('audit.changes'),
      key: 'changes',
      responsive: ['sm'],
      render: (_, e) => {
        const n = Object.keys(e.changes ?? {}).length;
        return n ? t('audit.changedFields', { count: n }) : <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
      },
    },
  ];
  return (
    <CursorTable<AuditEvent>
      testId="account-history"
      queryKey={[...relatedKeys.audit, 'account', accountId]}
      fetchPage={fetchPage}
      columns={columns}
      rowKey={(e) => e.id}
      emptyText={t('audit.empty')}
      pageSizes={[10, 20, 50]}
      expandable={{ expandedRowRender: (e) => <ChangesDiff changes={e.changes} />, rowExpandable: () => true }}
    />
  );
}
