import { useQuery } from '@tanstack/react-query';
import { Card, List, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { api, unwrap } from '@/api/client';
import { QueryError } from '@/components/QueryError';
import { useI18n } from '@/i18n';
import { approvalKeys, useActionCatalog } from './hooks';
import { REQUEST_STATUS_COLORS } from './labels';

/** Every approval request raised on one record (stage gates, skips, quotes of a deal…),
 * newest first, each linking to its request page. */
export function RecordApprovalsCard({ recordId }: { recordId: string }) {
  const { t, td, locale } = useI18n();
  const catalog = useActionCatalog();
  const requests = useQuery({
    queryKey: [...approvalKeys.all, 'record', recordId],
    queryFn: () => unwrap(api.GET('/api/v1/approvals', { params: { query: { record_id: recordId, limit: 20 } } })),
  });
  return (
    <Card size="small" title={t('approval.record.title')} data-testid="record-approvals">
      {requests.error ? (
        <QueryError error={requests.error} onRetry={() => requests.refetch()} />
      ) : (
        <List
          size="small"
          loading={requests.isLoading}
          dataSource={requests.data?.items ?? []}
          locale={{ emptyText: t('approval.record.empty') }}
          renderItem={(r) => (
            <List.Item>
              <Space direction="vertical" size={0} style={{ width: '100%' }}>
                <Space wrap>
                  <Link to={`/approvals/${r.id}`}>{catalog.actionLabel(r.action)}</Link>
                  <Tag color={REQUEST_STATUS_COLORS[r.status]}>{td(`approval.status.${r.status}`, r.status)}</Tag>
                </Space>
                <Typography.Text type="secondary">
                  {new Date(r.submitted_at).toLocaleString(locale)}
                  {r.status === 'pending' && (locale === 'en-US' ? r.current_step_name_en : r.current_step_name)
                    ? ` · ${locale === 'en-US' ? r.current_step_name_en : r.current_step_name}`
                    : ''}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
