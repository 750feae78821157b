import { CheckCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, List, Skeleton, Space, Tag, Typography } from 'antd';
import { ExportButton } from '@/features/analytics/ExportButton';
import { QueryError } from '@/components/QueryError';
import { useOrgUnits } from '@/features/org/hooks';
import { ancestorIds } from '@/features/org/orgTree';
import { useI18n } from '@/i18n';
import { formatTargetValue } from './format';
import { type ConsistencyIssue, type TargetMetric, useConsistency } from './hooks';

/**
 * 一致性检查: every unit target (in the caller's scope) whose children's targets do not add up
 * to it, or whose child units lack a target — with a link that opens the cascade to fix it.
 */
export function ConsistencyPanel({ period, onOpen }: { period: string; onOpen: (unitId: string, metric: TargetMetric) => void }) {
  const { t, td, locale } = useI18n();
  const check = useConsistency(period, null);
  const { byId } = useOrgUnits();
  // Every subsidiary has a 大客户部: name the unit by its path below the group.
  const pathOf = (unit: { id: string; name: string }) =>
    [...ancestorIds(byId, unit.id).map((id) => byId.get(id)).filter((u) => u && u.kind !== 'group').map((u) => u!.name), unit.name].join(' › ');
  const issues = check.data?.issues ?? [];
  const value = (i: ConsistencyIssue, v: string) => formatTargetValue(v, i.metric, i.currency, locale);
  return (
    <Card
      size="small"
      title={
        <Space>
          {issues.length ? <WarningOutlined style={{ color: '#f59e0b' }} /> : <CheckCircleOutlined style={{ color: '#16a34a' }} />}
          {t('target.consistency.title')}
        </Space>
      }
      extra={<ExportButton path="/api/v1/targets/consistency" query={{ period }} name="target-consistency" testId="consistency-export" />}
      data-testid="target-consistency"
      data-count={issues.length}
    >
      {check.isError ? (
        <QueryError error={check.error} onRetry={() => void check.refetch()} />
      ) : !check.data ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : issues.length === 0 ? (
        <Typography.Text type="secondary" data-testid="consistency-ok">
          {t('target.consistency.ok')}
        </Typography.Text>
      ) : (
        <>
          <Alert type="warning" showIcon message={t('target.consistency.warning', { count: issues.length })} style={{ marginBottom: 8 }} data-testid="consistency-warning" />
          <List<ConsistencyIssue>
            size="small"
            dataSource={issues}
            rowKey={(i) => i.target_id}
            renderItem={(i) => (
              <List.Item
                data-testid="consistency-issue"
                actions={[
                  <Button key="fix" size="small" type="link" onClick={() => onOpen(i.unit.id, i.metric)} data-testid="consistency-fix">
                    {t('target.consistency.fix')}
                  </Button>,
                ]}
              >
                <Flex vertical gap={2} style={{ minWidth: 0 }}>
                  <Space size={6} wrap>
                    <Typography.Text strong data-testid="consistency-unit">{pathOf(i.unit)}</Typography.Text>
                    <Tag bordered={false}>{t(`analytics.metric.${i.metric}`)}</Tag>
                    <Tag color={i.status === 'over' ? 'red' : i.status === 'under' ? 'orange' : 'green'}>{td(`target.consistency.status.${i.status}`, i.status)}</Tag>
                  </Space>
                  <Typography.Text type="secondary">
                    {t('target.consistency.line', { value: value(i, i.value), sum: value(i, i.children_sum), diff: value(i, i.difference) })}
                  </Typography.Text>
                  {i.children_without_target.length ? (
                    <Typography.Text type="secondary">
                      {t('target.consistency.missing', { names: i.children_without_target.map((u) => u.name).join(locale === 'zh-CN' ? '、' : ', ') })}
                    </Typography.Text>
                  ) : null}
                </Flex>
              </List.Item>
            )}
          />
        </>
      )}
    </Card>
  );
}
