import { CheckOutlined, PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { App, Button, Empty, Flex, Segmented, Skeleton, Space, Tag, Timeline, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { Activity, ActivityKind } from '@/api/types';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useContactOptions } from '@/features/contact/hooks';
import { useI18n } from '@/i18n';
import { ACTIVITY_COLORS, ACTIVITY_ICONS, ACTIVITY_KINDS } from './activityKinds';
import { activityKeys, fetchActivitiesPage, useCompleteActivity } from './hooks';
import { LogActivityModal } from './LogActivityModal';

type KindFilter = ActivityKind | 'all';

function ActivityItem({ a, contactName }: { a: Activity; contactName: string | null }) {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const complete = useCompleteActivity();
  const isTask = a.kind === 'task';
  const when = isTask && a.due_at ? a.due_at : a.occurred_at;
  return (
    <div className="activity-item" data-testid="activity-item">
      <Flex justify="space-between" align="flex-start" gap={8} wrap="wrap">
        <Space size={6} wrap>
          <Tag bordered={false} color={ACTIVITY_COLORS[a.kind]} style={{ color: '#fff' }}>
            {td(`account.activity.kind.${a.kind}`, a.kind)}
          </Tag>
          <Typography.Text strong>{a.subject}</Typography.Text>
          {isTask && a.completed_at ? <Tag color="green">{t('account.activity.done')}</Tag> : null}
          {a.is_overdue ? <Tag color="red">{t('account.activity.overdue')}</Tag> : null}
        </Space>
        <Space size={8}>
          <Tooltip title={dayjs(when).format('YYYY-MM-DD HH:mm')}>
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
              {isTask ? t('account.activity.dueOn', { date: dayjs(when).format('MM-DD HH:mm') }) : dayjs(when).format('YYYY-MM-DD HH:mm')}
            </Typography.Text>
          </Tooltip>
          {isTask && !a.completed_at && can('activity.write') ? (
            <Button
              size="small"
              icon={<CheckOutlined />}
              loading={complete.isPending}
              onClick={() =>
                complete.mutateAsync(a).then(
                  () => message.success(t('account.activity.completed')),
                  (e: unknown) => message.error(isApiError(e) ? e.message : String(e)),
                )
              }
            >
              {t('account.activity.complete')}
            </Button>
          ) : null}
        </Space>
      </Flex>
      {a.body ? (
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 3, expandable: true, symbol: t('account.activity.more') }} style={{ margin: '4px 0 0', whiteSpace: 'pre-line' }}>
          {a.body}
        </Typography.Paragraph>
      ) : null}
      {contactName || a.opportunity_id ? (
        <Space size={12} style={{ marginTop: 4, fontSize: 12 }} wrap>
          {contactName ? <Typography.Text type="secondary">{t('account.activity.withContact', { name: contactName })}</Typography.Text> : null}
          {a.opportunity_id ? <Link to={`/opportunities/${a.opportunity_id}`}>{t('account.activity.linkedOpportunity')}</Link> : null}
        </Space>
      ) : null}
    </div>
  );
}

/** The account's activity timeline, newest first, with “load more” by cursor. */
export function ActivityTimeline({ accountId }: { accountId: string }) {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const [kind, setKind] = useState<KindFilter>('all');
  const [logging, setLogging] = useState<ActivityKind | null>(null);
  const filters = { accountId, kind: kind === 'all' ? null : kind };
  const contacts = useContactOptions(accountId);
  const contactNames = useMemo(() => new Map((contacts.data?.items ?? []).map((c) => [c.id, c.name])), [contacts.data]);
  const query = useInfiniteQuery({
    queryKey: activityKeys.ofAccount(filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => fetchActivitiesPage(filters, pageParam),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const total = query.data?.pages[0]?.total;

  return (
    <div data-testid="account-activities">
      <Flex justify="space-between" align="center" gap={8} wrap="wrap" style={{ marginBottom: 16 }}>
        <Segmented<KindFilter>
          size="small"
          value={kind}
          onChange={setKind}
          options={[
            { value: 'all', label: t('account.activity.all') },
            ...ACTIVITY_KINDS.map((k) => ({ value: k, label: td(`account.activity.kind.${k}`, k) })),
          ]}
          style={{ maxWidth: '100%', overflowX: 'auto' }}
        />
        {can('activity.write') ? (
          <Space wrap>
            <Button icon={<PlusOutlined />} onClick={() => setLogging('task')} data-testid="activity-new-task">
              {t('account.activity.newTask')}
            </Button>
          </Space>
        ) : null}
      </Flex>
      {query.isError && !query.data ? (
        <QueryError error={query.error} onRetry={() => void query.refetch()} />
      ) : query.isPending ? (
        <Skeleton active />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('account.activity.empty')} />
      ) : (
        <>
          <Timeline
            items={items.map((a) => ({
              key: a.id,
              dot: <span style={{ color: ACTIVITY_COLORS[a.kind], fontSize: 16 }}>{ACTIVITY_ICONS[a.kind]}</span>,
              children: <ActivityItem a={a} contactName={a.contact_id ? (contactNames.get(a.contact_id) ?? null) : null} />,
            }))}
          />
          <Flex justify="center" gap={12} align="center">
            {typeof total === 'number' ? (
              <Typography.Text type="secondary">{t('account.activity.shown', { shown: items.length, total })}</Typography.Text>
            ) : null}
            {query.hasNextPage ? (
              <Button loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
                {t('account.activity.loadMore')}
              </Button>
            ) : null}
          </Flex>
        </>
      )}
      {logging ? <LogActivityModal open accountId={accountId} defaultKind={logging} onClose={() => setLogging(null)} /> : null}
    </div>
  );
}
