import {
  AlertOutlined,
  CheckOutlined,
  ClockCircleOutlined,
  FundOutlined,
  GlobalOutlined,
  RightOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Col, Empty, Flex, List, Progress, Row, Segmented, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap } from '@/api/client';
import { isApiError } from '@/api/errors';
import type { Activity, Me } from '@/api/types';
import { QueryError } from '@/components/QueryError';
import { formatMoney } from '@/features/account/format';
import { fetchAccountsPage, useCompleteActivity } from '@/features/account/hooks';
import { accessOf } from '@/features/auth/hooks';
import { useOpenConflicts } from '@/features/conflict/hooks';
import { usePoolRules, usePoolSummary } from '@/features/pool/hooks';
import { atRisk, daysLeft } from '@/features/pool/reclaim';
import { useI18n } from '@/i18n';
import { dueToday, groupByStage, totalAmounts } from './sales';

const OPEN_DEALS_LIMIT = 200;
const AT_RISK_SCAN = 100;

export const workbenchKeys = {
  overdue: ['activities', 'workbench', 'overdue'] as const,
  upcoming: ['activities', 'workbench', 'upcoming'] as const,
  deals: (ownerId: string) => ['opportunities', 'workbench', ownerId] as const,
  neglected: (ownerId: string) => ['accounts', 'workbench', 'neglected', ownerId] as const,
};

function useMyTasks(enabled: boolean) {
  const overdue = useQuery({
    queryKey: workbenchKeys.overdue,
    enabled,
    queryFn: () =>
      unwrap(api.GET('/api/v1/activities', { params: { query: { owner_id: 'me', kind: 'task', overdue: true, sort: 'due_at', limit: 10, include_total: true } } })),
  });
  const upcoming = useQuery({
    queryKey: workbenchKeys.upcoming,
    enabled,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/activities', {
          params: { query: { owner_id: 'me', kind: 'task', completed: false, overdue: false, sort: 'due_at', limit: 50 } },
        }),
      ),
  });
  return { overdue, upcoming };
}

function CardTitle({ icon, children }: { icon: ReactNode; children: ReactNode }) {
  return (
    <Space size={8}>
      <span style={{ color: '#1d4ed8' }}>{icon}</span>
      {children}
    </Space>
  );
}

function TaskRow({ task }: { task: Activity }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const complete = useCompleteActivity();
  const due = task.due_at ? dayjs(task.due_at) : null;
  return (
    <List.Item
      data-testid="wb-task"
      actions={[
        <Button
          key="done"
          size="small"
          type="text"
          icon={<CheckOutlined />}
          loading={complete.isPending}
          aria-label={t('account.activity.complete')}
          onClick={() =>
            complete.mutateAsync(task).then(
              () => message.success(t('account.activity.completed')),
              (e: unknown) => message.error(isApiError(e) ? e.message : String(e)),
            )
          }
        />,
      ]}
    >
      <List.Item.Meta
        title={
          task.account_id ? (
            <Link to={`/accounts/${task.account_id}`}>{task.subject}</Link>
          ) : (
            <Typography.Text>{task.subject}</Typography.Text>
          )
        }
        description={
          <Typography.Text type={task.is_overdue ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
            <ClockCircleOutlined /> {due ? due.format(due.isSame(dayjs(), 'day') ? 'HH:mm' : 'MM-DD HH:mm') : t('common.none')}
            {task.is_overdue && due ? ` · ${t('workbench.overdueBy', { days: Math.max(1, dayjs().diff(due, 'day')) })}` : ''}
          </Typography.Text>
        }
      />
    </List.Item>
  );
}

export function TasksCard({ enabled }: { enabled: boolean }) {
  const { t } = useI18n();
  const [view, setView] = useState<'overdue' | 'today'>('overdue');
  const { overdue, upcoming } = useMyTasks(enabled);
  const today = useMemo(() => dueToday(upcoming.data?.items ?? [], new Date()), [upcoming.data]);
  const overdueCount = overdue.data?.total ?? overdue.data?.items.length ?? 0;
  const active = view === 'overdue' ? overdue : upcoming;
  const items = view === 'overdue' ? (overdue.data?.items ?? []) : today;
  return (
    <Card
      size="small"
      data-testid="wb-tasks"
      title={<CardTitle icon={<ClockCircleOutlined />}>{t('workbench.tasks')}</CardTitle>}
      extra={
        <Segmented
          size="small"
          value={view}
          onChange={(v) => setView(v as 'overdue' | 'today')}
          options={[
            {
              value: 'overdue',
              label: <span style={overdueCount ? { color: '#dc2626' } : undefined}>{t('workbench.overdueCount', { count: overdueCount })}</span>,
            },
            { value: 'today', label: t('workbench.dueToday', { count: today.length }) },
          ]}
        />
      }
    >
      {active.isError ? (
        <QueryError error={active.error} onRetry={() => void active.refetch()} />
      ) : active.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={view === 'overdue' ? t('workbench.noOverdue') : t('workbench.noToday')} />
      ) : (
        <List size="small" dataSource={items} rowKey="id" renderItem={(task) => <TaskRow task={task} />} />
      )}
    </Card>
  );
}

export function PipelineCard({ me }: { me: Me }) {
  const { t, locale } = useI18n();
  const deals = useQuery({
    queryKey: workbenchKeys.deals(me.user.id),
    queryFn: () =>
      unwrap(api.GET('/api/v1/opportunities', { params: { query: { owner_id: me.user.id, status: 'open', limit: OPEN_DEALS_LIMIT, include_total: true } } })),
  });
  const groups = useMemo(() => groupByStage(deals.data?.items ?? []), [deals.data]);
  const total = deals.data?.total ?? deals.data?.items.length ?? 0;
  const max = Math.max(1, ...groups.map((g) => g.count));
  const sums = totalAmounts(groups);
  const money = (amounts: Map<string, number>) =>
    [...amounts.entries()].map(([c, v]) => formatMoney(v, c, locale, { compact: true })).join(' + ') || formatMoney(0, 'CNY', locale);
  return (
    <Card
      size="small"
      data-testid="wb-pipeline"
      title={<CardTitle icon={<FundOutlined />}>{t('workbench.pipeline')}</CardTitle>}
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('workbench.pipelineSummary', { count: total, amount: money(sums) })}
        </Typography.Text>
      }
    >
      {deals.isError ? (
        <QueryError error={deals.error} onRetry={() => void deals.refetch()} />
      ) : deals.isPending ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : groups.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workbench.noDeals')} />
      ) : (
        <Space direction="vertical" size={10} style={{ width: '100%' }}>
          {groups.map((g) => (
            <div key={g.code} data-testid="wb-stage">
              <Flex justify="space-between" gap={8} wrap="wrap">
                <Typography.Text>
                  {locale === 'en-US' && g.nameEn ? g.nameEn : g.name}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {' '}
                    · {g.probability}%
                  </Typography.Text>
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('workbench.stageDeals', { count: g.count })} · {money(g.amounts)}
                </Typography.Text>
              </Flex>
              <Progress percent={Math.round((g.count / max) * 100)} showInfo={false} size="small" strokeColor="#1d4ed8" />
            </div>
          ))}
          {total > OPEN_DEALS_LIMIT ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('workbench.pipelineTruncated', { shown: OPEN_DEALS_LIMIT, total })}
            </Typography.Text>
          ) : null}
        </Space>
      )}
    </Card>
  );
}

export function ConflictsCard() {
  const { t } = useI18n();
  const open = useOpenConflicts(5);
  const total = open.data?.total ?? 0;
  return (
    <Card
      size="small"
      data-testid="wb-conflicts"
      title={<CardTitle icon={<SwapOutlined />}>{t('workbench.conflicts')}</CardTitle>}
      extra={
        <Link to="/conflicts">
          {t('workbench.viewAll')} <RightOutlined />
        </Link>
      }
    >
      {open.isError ? (
        <QueryError error={open.error} onRetry={() => void open.refetch()} />
      ) : open.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : total === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workbench.noConflicts')} />
      ) : (
        <>
          <Typography.Text type="danger" strong>
            {t('workbench.openConflicts', { count: total })}
          </Typography.Text>
          <List
            size="small"
            dataSource={open.data?.items ?? []}
            rowKey="id"
            renderItem={(c) => (
              <List.Item>
                <List.Item.Meta
                  title={c.account_id && c.account_name ? <Link to={`/accounts/${c.account_id}`}>{c.account_name}</Link> : t('conflict.hiddenAccount')}
                  description={
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('workbench.conflictLine', { requester: `${c.requested_by_name} · ${c.requesting_unit_name}`, holder: c.protecting_unit_name })}
                    </Typography.Text>
                  }
                />
              </List.Item>
            )}
          />
        </>
      )}
    </Card>
  );
}

export function PoolCard({ me }: { me: Me }) {
  const { t } = useI18n();
  const { can } = accessOf(me);
  const summary = usePoolSummary();
  const rules = usePoolRules();
  const neglected = useQuery({
    queryKey: workbenchKeys.neglected(me.user.id),
    enabled: can('account.write'),
    queryFn: () => fetchAccountsPage({ ownerId: me.user.id, status: 'owned', sort: 'last_follow_up_at' }, { cursor: null, limit: AT_RISK_SCAN, includeTotal: false }),
  });
  const now = new Date();
  const risky = useMemo(
    () => atRisk(neglected.data?.items ?? [], (sid) => rules.data?.get(sid)?.reclaim_after_days ?? null, new Date(), 7),
    [neglected.data, rules.data],
  );
  const quotas = summary.data?.quotas ?? [];
  return (
    <Card
      size="small"
      data-testid="wb-pool"
      title={<CardTitle icon={<GlobalOutlined />}>{t('workbench.pool')}</CardTitle>}
      extra={
        <Link to="/pool">
          {t('workbench.viewAll')} <RightOutlined />
        </Link>
      }
    >
      {summary.isError ? (
        <QueryError error={summary.error} onRetry={() => void summary.refetch()} />
      ) : summary.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <Row gutter={[12, 12]}>
            <Col xs={12}>
              <Statistic title={t('workbench.poolSize')} value={summary.data?.total ?? 0} valueStyle={{ fontSize: 20 }} />
            </Col>
            {quotas.slice(0, 1).map((q) => (
              <Col xs={12} key={q.subsidiary_id}>
                <Statistic
                  title={t('workbench.myQuota')}
                  value={q.held}
                  suffix={`/ ${q.max}`}
                  valueStyle={{ fontSize: 20, color: q.remaining === 0 ? '#dc2626' : undefined }}
                />
              </Col>
            ))}
          </Row>
          {can('account.write') ? (
            risky.length === 0 ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {neglected.isPending ? t('common.loading') : t('workbench.noReclaimRisk')}
              </Typography.Text>
            ) : (
              <div data-testid="wb-reclaim">
                <Typography.Text type="warning" strong>
                  <AlertOutlined /> {t('workbench.reclaimSoon', { count: risky.length })}
                </Typography.Text>
                <List
                  size="small"
                  dataSource={risky.slice(0, 5)}
                  rowKey={(r) => r.account.id}
                  renderItem={({ account, when }) => (
                    <List.Item extra={<Tag color={when <= now ? 'red' : 'orange'}>{when <= now ? t('pool.reclaimDue') : t('pool.reclaimIn', { days: daysLeft(when, now), date: dayjs(when).format('MM-DD') })}</Tag>}>
                      <Link to={`/accounts/${account.id}`} style={{ minWidth: 0 }}>
                        <Typography.Text ellipsis style={{ maxWidth: 220 }}>
                          {account.name}
                        </Typography.Text>
                      </Link>
                    </List.Item>
                  )}
                />
                {risky.length > 5 ? (
                  <Link to="/pool?tab=mine">{t('workbench.moreAtRisk', { count: risky.length - 5 })}</Link>
                ) : null}
              </div>
            )
          ) : null}
        </Space>
      )}
    </Card>
  );
}

/** The sales part of the workbench: tasks, my pipeline, conflicts and the pool, as the user's rights allow. */
export function SalesCards({ me }: { me: Me }) {
  const { can } = accessOf(me);
  const cards: { key: string; node: ReactNode; span: { xs: number; lg: number; xl: number } }[] = [];
  if (can('activity.read')) cards.push({ key: 'tasks', node: <TasksCard enabled />, span: { xs: 24, lg: 12, xl: 12 } });
  if (can('opportunity.read')) cards.push({ key: 'pipeline', node: <PipelineCard me={me} />, span: { xs: 24, lg: 12, xl: 12 } });
  if (can('account.read')) {
    cards.push({ key: 'pool', node: <PoolCard me={me} />, span: { xs: 24, lg: 12, xl: 12 } });
    cards.push({ key: 'conflicts', node: <ConflictsCard />, span: { xs: 24, lg: 12, xl: 12 } });
  }
  if (cards.length === 0) return null;
  return (
    <Row gutter={[16, 16]} data-testid="wb-sales">
      {cards.map((c) => (
        <Col key={c.key} {...c.span}>
          {c.node}
        </Col>
      ))}
    </Row>
  );
}
