import { App, Col, DatePicker, Form, Input, Modal, Row, Segmented, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import type { ActivityCreate, ActivityKind } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useContactOptions } from '@/features/contact/hooks';
import { useI18n } from '@/i18n';
import { ACTIVITY_ICONS, ACTIVITY_KINDS } from './activityKinds';
import { useLogActivity } from './hooks';

interface Values {
  kind: ActivityKind;
  subject: string;
  body?: string;
  occurred_at?: Dayjs | null;
  due_at?: Dayjs | null;
  contact_id?: string | null;
}

/** Logs a call, visit, meeting, e-mail or note on an account, or schedules a follow-up task. */
export function LogActivityModal({
  open,
  accountId,
  defaultKind = 'call',
  onClose,
}: {
  open: boolean;
  accountId: string;
  defaultKind?: ActivityKind;
  onClose: () => void;
}) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const log = useLogActivity();
  const contacts = useContactOptions(accountId, open);
  const kind = Form.useWatch('kind', form) ?? defaultKind;

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({ kind: defaultKind, occurred_at: dayjs(), due_at: dayjs().add(1, 'day').hour(10).minute(0).second(0) });
  }, [open, defaultKind, form, clearError]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body: ActivityCreate = { kind: v.kind, subject: v.subject.trim(), account_id: accountId };
    if (v.body?.trim()) body.body = v.body.trim();
    if (v.contact_id) body.contact_id = v.contact_id;
    if (v.kind === 'task') {
      if (v.due_at) body.due_at = v.due_at.toISOString();
    } else if (v.occurred_at) body.occurred_at = v.occurred_at.toISOString();
    try {
      await log.mutateAsync(body);
      message.success(v.kind === 'task' ? t('account.activity.taskCreated') : t('account.activity.logged'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('account.activity.logTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      okButtonProps={{ 'data-testid': 'activity-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={log.isPending}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="log-activity" requiredMark="optional">
        <Form.Item name="kind" label={t('account.activity.kind')}>
          <Segmented<ActivityKind>
            block
            options={ACTIVITY_KINDS.map((k) => ({
              value: k,
              label: (
                <span data-testid={`activity-kind-${k}`}>
                  {ACTIVITY_ICONS[k]} <span className="hide-xs">{td(`account.activity.kind.${k}`, k)}</span>
                </span>
              ),
            }))}
          />
        </Form.Item>
        <Form.Item name="subject" label={t('account.activity.subject')} rules={[{ required: true, whitespace: true, message: t('account.activity.subjectRequired') }]}>
          <Input maxLength={200} placeholder={td(`account.activity.subjectPlaceholder.${kind}`, '')} data-testid="activity-subject" />
        </Form.Item>
        <Form.Item name="body" label={t('account.activity.body')}>
          <Input.TextArea rows={3} maxLength={20000} />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            {kind === 'task' ? (
              <Form.Item name="due_at" label={t('account.activity.dueAt')} rules={[{ required: true, message: t('account.activity.dueRequired') }]}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
              </Form.Item>
            ) : (
              <Form.Item name="occurred_at" label={t('account.activity.occurredAt')}>
                <DatePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  style={{ width: '100%' }}
                  disabledDate={(d) => d.isAfter(dayjs(), 'day')}
                />
              </Form.Item>
            )}
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="contact_id" label={t('account.activity.contact')}>
              <Select
                allowClear
                loading={contacts.isLoading}
                options={(contacts.data?.items ?? []).map((c) => ({ value: c.id, label: c.title ? `${c.name} · ${c.title}` : c.name }))}
                notFoundContent={t('contact.empty')}
              />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
