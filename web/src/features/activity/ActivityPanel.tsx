import {
  CalendarOutlined,
  CheckCircleOutlined,
  CheckOutlined,
  FileTextOutlined,
  MailOutlined,
  PhoneOutlined,
  PlusOutlined,
  ScheduleOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { App, Avatar, Button, Card, DatePicker, Empty, Flex, Form, Input, List, Modal, Segmented, Skeleton, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { type ReactNode, useState } from 'react';
import { isApiError } from '@/api/errors';
import type { Activity, ActivityKind } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { QueryError } from '@/components/QueryError';
import { useI18n } from '@/i18n';
import { useActivities, useCompleteActivity, useLogActivity } from './hooks';

export const ACTIVITY_KINDS: readonly ActivityKind[] = ['call', 'visit', 'meeting', 'email', 'note', 'task'];

const KIND_ICONS: Record<ActivityKind, ReactNode> = {
  call: <PhoneOutlined />,
  visit: <TeamOutlined />,
  meeting: <CalendarOutlined />,
  email: <MailOutlined />,
  note: <FileTextOutlined />,
  task: <ScheduleOutlined />,
};
const KIND_COLORS: Record<ActivityKind, string> = {
  call: '#0ea5e9',
  visit: '#16a34a',
  meeting: '#7c3aed',
  email: '#f59e0b',
  note: '#64748b',
  task: '#1d4ed8',
};

interface LogValues {
  kind: ActivityKind;
  subject: string;
  body?: string;
  occurred_at?: Dayjs | null;
  due_at?: Dayjs | null;
}

/** Logs a call, visit, meeting, e-mail or note (when it happened), or plans a task (due date). */
export function LogActivityModal({ open, onClose, opportunityId, accountId }: { open: boolean; onClose: () => void; opportunityId?: string; accountId?: string }) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<LogValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const log = useLogActivity();
  const kind = Form.useWatch('kind', form) ?? 'call';

  const onOk = async () => {
    let v: LogValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await log.mutateAsync({
        kind: v.kind,
        subject: v.subject.trim(),
        ...(v.body?.trim() ? { body: v.body.trim() } : {}),
        ...(opportunityId ? { opportunity_id: opportunityId } : accountId ? { account_id: accountId } : {}),
        ...(v.kind === 'task' ? { due_at: v.due_at?.toISOString() ?? null } : v.occurred_at ? { occurred_at: v.occurred_at.toISOString() } : {}),
      });
      message.success(v.kind === 'task' ? t('activity.taskCreated') : t('activity.logged'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('activity.log')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ id: 'activity-submit' }}
      confirmLoading={log.isPending}
      forceRender
      afterOpenChange={(visible) => {
        if (visible) {
          clearError();
          form.resetFields();
        }
      }}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="activity-log" requiredMark="optional" initialValues={{ kind: 'call' }}>
        <Form.Item name="kind" label={t('activity.kind')}>
          <Segmented block options={ACTIVITY_KINDS.map((k) => ({ value: k, label: td(`activity.kind.${k}`, k) }))} />
        </Form.Item>
        <Form.Item name="subject" label={t('activity.subject')} rules={[{ required: true, whitespace: true, message: t('activity.subjectRequired') }]}>
          <Input maxLength={200} data-testid="activity-subject" />
        </Form.Item>
        <Form.Item name="body" label={t('activity.body')}>
          <Input.TextArea rows={3} maxLength={20000} />
        </Form.Item>
        {kind === 'task' ? (
          <Form.Item name="due_at" label={t('activity.dueAt')} rules={[{ required: true, message: t('activity.dueRequired') }]}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>
        ) : (
          <Form.Item name="occurred_at" label={t('activity.occurredAt')} extra={t('activity.occurredAtHint')}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function ActivityItem({ activity, canWrite }: { activity: Activity; canWrite: boolean }) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const complete = useCompleteActivity();
  const isTask = activity.kind === 'task';
  const done = Boolean(activity.completed_at);
  const when = isTask ? activity.due_at : activity.occurred_at;
  return (
    <List.Item
      data-testid="activity-item"
      actions={
        isTask && !done && canWrite
          ? [
              <Button
                key="done"
                size="small"
                icon={<CheckOutlined />}
                loading={complete.isPending}
                data-testid="activity-complete"
                onClick={() =>
                  complete.mutate(
                    { id: activity.id, version: activity.version },
                    {
                      onSuccess: () => message.success(t('activity.completed')),
                      onError: (e) => message.error(isApiError(e) ? e.message : String(e)),
                    },
                  )
                }
              >
                {t('activity.complete')}
              </Button>,
            ]
          : undefined
      }
    >
      <List.Item.Meta
        avatar={<Avatar size="small" icon={KIND_ICONS[activity.kind]} style={{ backgroundColor: KIND_COLORS[activity.kind] }} />}
        title={
          <Flex gap={6} wrap="wrap" align="center">
            <Typography.Text delete={isTask && done}>{activity.subject}</Typography.Text>
            <Tag bordered={false}>{td(`activity.kind.${activity.kind}`, activity.kind)}</Tag>
            {activity.is_overdue ? <Tag color="red">{t('activity.overdue')}</Tag> : null}
            {isTask && done ? (
              <Tag color="success" icon={<CheckCircleOutlined />}>
                {t('activity.done')}
              </Tag>
            ) : null}
          </Flex>
        }
        description={
          <>
            {activity.body ? <Typography.Paragraph style={{ marginBottom: 2, whiteSpace: 'pre-wrap' }} ellipsis={{ rows: 3, expandable: true }}>{activity.body}</Typography.Paragraph> : null}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {isTask ? t('activity.dueLabel') : ''}
              {when ? dayjs(when).format('YYYY-MM-DD HH:mm') : t('common.none')}
            </Typography.Text>
          </>
        }
      />
    </List.Item>
  );
}

/** The activities of a deal (or account): list, log, complete tasks. */
export function ActivityPanel({ opportunityId, accountId, canWrite, title }: { opportunityId?: string; accountId?: string; canWrite: boolean; title?: ReactNode }) {
  const { t } = useI18n();
  const [logging, setLogging] = useState(false);
  const activities = useActivities({ opportunityId: opportunityId ?? null, accountId: opportunityId ? null : (accountId ?? null) });
  const items = activities.data?.pages.flatMap((p) => p.items) ?? [];
  const total = activities.data?.pages[0]?.total;
  return (
    <Card
      size="small"
      data-testid="activity-panel"
      title={
        <Flex gap={8} align="center">
          <span>{title ?? t('activity.title')}</span>
          {typeof total === 'number' ? <Tag bordered={false}>{total}</Tag> : null}
        </Flex>
      }
      extra={
        canWrite ? (
          <Button size="small" type="primary" ghost icon={<PlusOutlined />} onClick={() => setLogging(true)} data-testid="activity-log">
            {t('activity.log')}
          </Button>
        ) : null
      }
    >
      {activities.isError ? (
        <QueryError error={activities.error} onRetry={() => void activities.refetch()} />
      ) : activities.isPending ? (
        <Skeleton active />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('activity.empty')} />
      ) : (
        <>
          <List size="small" dataSource={items} rowKey="id" renderItem={(a) => <ActivityItem activity={a} canWrite={canWrite} />} />
          {activities.hasNextPage ? (
            <Button block type="link" loading={activities.isFetchingNextPage} onClick={() => void activities.fetchNextPage()}>
              {t('activity.more')}
            </Button>
          ) : null}
        </>
      )}
      <LogActivityModal open={logging} onClose={() => setLogging(false)} opportunityId={opportunityId} accountId={accountId} />
    </Card>
  );
}
