import { Card, Empty, Skeleton, Space, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { QueryError } from '@/components/QueryError';
import { useI18n } from '@/i18n';
import { useOpportunityHistory } from './hooks';
import { stageName } from './labels';

/** Every stage the deal entered, newest first, with who moved it and why. */
export function HistoryCard({ dealId }: { dealId: string }) {
  const { t, locale } = useI18n();
  const history = useOpportunityHistory(dealId);
  const rows = [...(history.data ?? [])].reverse();
  return (
    <Card size="small" title={t('opp.history.title')} data-testid="opp-history">
      {history.isError ? (
        <QueryError error={history.error} onRetry={() => void history.refetch()} />
      ) : history.isPending ? (
        <Skeleton active />
      ) : rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opp.history.empty')} />
      ) : (
        <Timeline
          style={{ marginTop: 8 }}
          items={rows.map((h) => ({
            key: h.id,
            color: h.to_stage.kind === 'won' ? 'green' : h.to_stage.kind === 'lost' ? 'gray' : h.is_backward ? 'orange' : 'blue',
            children: (
              <div data-testid="history-entry">
                <Space size={6} wrap>
                  <Typography.Text strong>
                    {h.from_stage ? `${stageName(h.from_stage, locale)} → ` : ''}
                    {stageName(h.to_stage, locale)}
                  </Typography.Text>
                  {!h.from_stage ? <Tag bordered={false}>{t('opp.history.created')}</Tag> : null}
                  {h.is_skip ? <Tag color="orange" bordered={false}>{t('opp.history.skip')}</Tag> : null}
                  {h.is_backward ? <Tag color="orange" bordered={false}>{t('opp.history.backward')}</Tag> : null}
                </Space>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {dayjs(h.changed_at).format('YYYY-MM-DD HH:mm')} · {h.changed_by_name ?? t('opp.history.system')}
                    {typeof h.days_in_previous === 'number' ? ` · ${t('opp.history.daysInPrevious', { days: h.days_in_previous })}` : ''}
                  </Typography.Text>
                </div>
                {h.reason ? (
                  <Typography.Text style={{ fontSize: 12 }}>
                    {t('opp.reason')}：{h.reason}
                  </Typography.Text>
                ) : null}
              </div>
            ),
          }))}
        />
      )}
    </Card>
  );
}
