import { ClockCircleOutlined, FieldTimeOutlined, UserOutlined } from '@ant-design/icons';
import { Flex, Spin, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import type { Opportunity } from '@/api/types';
import { useI18n } from '@/i18n';
import { formatMoney } from './stages';

/** A deal on the kanban: account, amount, owner, days in stage and whether it is stalled. */
export function DealCard({ deal, pending, overlay }: { deal: Opportunity; pending?: boolean; overlay?: boolean }) {
  const { t, locale } = useI18n();
  const overdue = deal.status === 'open' && deal.expected_close_date && dayjs(deal.expected_close_date).isBefore(dayjs(), 'day');
  return (
    <div className={`deal-card${overlay ? ' is-overlay' : ''}${deal.stalled ? ' is-stalled' : ''}`}>
      <Spin spinning={Boolean(pending)} size="small">
        <Typography.Text strong className="deal-card-name" ellipsis={{ tooltip: deal.name }}>
          {deal.name}
        </Typography.Text>
        <Typography.Text type="secondary" className="deal-card-account" ellipsis>
          {deal.account_name ?? t('common.none')}
        </Typography.Text>
        <Flex justify="space-between" align="baseline" gap={8} className="deal-card-money">
          <span data-testid="deal-amount">{formatMoney(deal.amount, deal.currency, locale)}</span>
          {deal.expected_close_date ? (
            <Tooltip title={t('opp.expectedClose')}>
              <Typography.Text type={overdue ? 'danger' : 'secondary'} className="deal-card-date">
                <FieldTimeOutlined /> {dayjs(deal.expected_close_date).format('MM-DD')}
              </Typography.Text>
            </Tooltip>
          ) : null}
        </Flex>
        <Flex justify="space-between" align="center" gap={6} wrap="wrap" className="deal-card-foot">
          <Typography.Text type="secondary" ellipsis style={{ maxWidth: 120 }}>
            <UserOutlined /> {deal.owner_name ?? t('common.none')}
          </Typography.Text>
          <Flex gap={4} align="center">
            <Tooltip title={t('opp.daysInStageHint', { days: deal.days_in_stage, max: deal.stage.max_days ?? '∞' })}>
              <Typography.Text type="secondary" className="deal-card-days">
                <ClockCircleOutlined /> {t('opp.days', { days: deal.days_in_stage })}
              </Typography.Text>
            </Tooltip>
            {deal.stalled ? (
              <Tag color="red" bordered={false} className="deal-card-stalled" data-testid="stalled-badge">
                {t('opp.stalled')}
              </Tag>
            ) : null}
          </Flex>
        </Flex>
      </Spin>
    </div>
  );
}
