import { useQueryClient } from '@tanstack/react-query';
import { App, Descriptions, Form, Input, Modal, Radio, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect } from 'react';
import type { Conflict, ConflictResolution } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { conflictKeys, useResolveConflict } from './hooks';

export const RESOLUTIONS: readonly ConflictResolution[] = ['transfer', 'share', 'reject'];

/** The protecting side decides: transfer the customer, share it with the requester, or reject. */
export function ResolveConflictModal({ conflict, onClose }: { conflict: Conflict | null; onClose: () => void }) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ resolution: ConflictResolution; note?: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const resolve = useResolveConflict();
  const qc = useQueryClient();

  useEffect(() => {
    if (!conflict) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({ resolution: 'reject' });
  }, [conflict, form, clearError]);

  const onOk = async () => {
    if (!conflict) return;
    let v: { resolution: ConflictResolution; note?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await resolve.mutateAsync({ id: conflict.id, body: { resolution: v.resolution, note: v.note?.trim() || null, version: conflict.version } });
      message.success(t('conflict.resolved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={conflict !== null}
      forceRender
      title={t('conflict.resolveTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('conflict.resolveSubmit')}
      okButtonProps={{ 'data-testid': 'resolve-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={resolve.isPending}
    >
      <FormErrorAlert
        error={formError}
        onReload={() => {
          void qc.invalidateQueries({ queryKey: conflictKeys.all });
          onClose();
        }}
      />
      {conflict ? (
      <Descriptions size="small" column={1} style={{ marginBottom: 16 }} bordered>
        <Descriptions.Item label={t('conflict.account')}>{conflict.account_name ?? t('conflict.hiddenAccount')}</Descriptions.Item>
        <Descriptions.Item label={t('conflict.protecting')}>
          {conflict.protecting_unit_name} · {conflict.protecting_subsidiary_name}
        </Descriptions.Item>
        <Descriptions.Item label={t('conflict.requesting')}>
          {conflict.requested_by_name} · {conflict.requesting_unit_name} · {conflict.requesting_subsidiary_name}
        </Descriptions.Item>
        <Descriptions.Item label={t('conflict.attempted')}>{td(`conflict.action.${conflict.attempted_action}`, conflict.attempted_action)}</Descriptions.Item>
        {conflict.protected_until ? (
          <Descriptions.Item label={t('account.protectedUntilCol')}>{dayjs(conflict.protected_until).format('YYYY-MM-DD')}</Descriptions.Item>
        ) : null}
      </Descriptions>
      ) : null}
      <Form form={form} layout="vertical" name="conflict-resolve" requiredMark={false}>
        <Form.Item name="resolution" label={t('conflict.resolution')} rules={[{ required: true }]}>
          <Radio.Group style={{ width: '100%' }}>
            <Space direction="vertical">
              {RESOLUTIONS.map((r) => (
                <Radio key={r} value={r} data-testid={`resolution-${r}`}>
                  <Typography.Text strong>{td(`conflict.resolution.${r}`, r)}</Typography.Text>
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {td(`conflict.resolution.${r}.desc`, '', { unit: conflict?.requesting_unit_name ?? '' })}
                    </Typography.Text>
                  </div>
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="note" label={t('conflict.note')}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
