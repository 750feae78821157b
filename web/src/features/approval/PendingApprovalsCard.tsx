import { AuditOutlined, RightOutlined } from '@ant-design/icons';
import { Badge, Card, Empty, Flex, List, Skeleton, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { Link } from 'react-router-dom';
import { QueryError } from '@/components/QueryError';
import { useI18n } from '@/i18n';
import { formatMoney } from './format';
import { useInboxTop } from './hooks';
import './approval.css';

/** Workbench card: how many requests wait for me, and the newest five. */
export function PendingApprovalsCard() {
  const { t, locale } = useI18n();
  const inbox = useInboxTop(true);
  const items = inbox.data?.items ?? [];
  const count = inbox.data?.total ?? items.length;
  return (
    <Card
      size="small"
      data-testid="wb-approvals"
      title={
        <Space size={8}>
          <AuditOutlined />
          <span>{t('approval.wbTitle')}</span>
          <Badge count={count} showZero={false} data-testid="wb-approvals-count" />
        </Space>
      }
      extra={
        <Link to="/approvals" data-testid="wb-approvals-all">
          {count > 0 ? t('approval.wbAll', { count }) : t('approval.menu.center')} <RightOutlined />
        </Link>
      }
    >
      {inbox.isError ? (
        <QueryError error={inbox.error} onRetry={() => void inbox.refetch()} />
      ) : inbox.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('approval.wbEmpty')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          rowKey="id"
          renderItem={(r) => (
            <List.Item style={{ padding: 0 }}>
              <Link to={`/approvals/${r.id}`} className="wb-approval-item" data-testid="wb-approval-item">
                <Flex justify="space-between" align="center" gap={12}>
                  <div style={{ minWidth: 0, flex: 1 }}>
                    <Typography.Text ellipsis style={{ display: 'block' }}>
                      {`${locale === 'en-US' ? r.action_name_en : r.action_name} · ${r.record_label}`}
                    </Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {[r.requester_name, dayjs(r.submitted_at).format('MM-DD HH:mm')].filter(Boolean).join(' · ')}
                    </Typography.Text>
                  </div>
                  {r.amount_base !== null && r.amount_base !== undefined ? (
                    <Typography.Text className="num">{formatMoney(r.amount_base, r.base_currency, locale)}</Typography.Text>
                  ) : null}
                </Flex>
              </Link>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
