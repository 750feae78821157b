import { Alert, App, Form, Input, Modal, Segmented, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { ClaimLookup } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { claimConflictInfo } from '@/features/account/errorDetails';
import { useI18n } from '@/i18n';
import { ClaimConflictAlert } from './ClaimConflictAlert';
import { useClaimByLookup } from './hooks';

type By = 'name' | 'uscc';

interface Values {
  name?: string;
  uscc?: string;
}

/**
 * 客户报备 by what the rep knows: the company's name or USCC. The account may belong to another
 * subsidiary the rep cannot see; if it is protected there the answer is a conflict (撞单)
 * naming the protecting unit, otherwise the account becomes the rep's.
 */
export function ClaimLookupModal({ open, initial, onClose }: { open: boolean; initial?: ClaimLookup | null; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [by, setBy] = useState<By>('name');
  const claim = useClaimByLookup();
  const { formError, handleError, clearError } = useFormError(form);
  const [conflict, setConflict] = useState<unknown>(null);
  const [notFound, setNotFound] = useState(false);

  useEffect(() => {
    if (!open) return;
    clearError();
    setConflict(null);
    setNotFound(false);
    form.resetFields();
    const start: By = initial?.uscc ? 'uscc' : 'name';
    setBy(start);
    form.setFieldsValue({ name: initial?.name ?? undefined, uscc: initial?.uscc ?? undefined });
  }, [open, initial, form, clearError]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    setConflict(null);
    setNotFound(false);
    const body: ClaimLookup = by === 'uscc' ? { uscc: (v.uscc ?? '').trim() } : { name: (v.name ?? '').trim() };
    try {
      const result = await claim.mutateAsync(body);
      message.success(t('conflict.claimed', { date: dayjs(result.claim.protected_until).format('YYYY-MM-DD') }));
      onClose();
      navigate(`/accounts/${result.account.id}`);
    } catch (error) {
      if (claimConflictInfo(error)) setConflict(error);
      else if (isApiError(error) && error.status === 404) setNotFound(true);
      else handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('conflict.claimTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('conflict.claimSubmit')}
      okButtonProps={{ 'data-testid': 'claim-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={claim.isPending}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('conflict.claimIntro')}</Typography.Paragraph>
      <ClaimConflictAlert error={conflict} />
      {notFound ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('conflict.claimNotFound')} data-testid="claim-not-found" /> : null}
      <FormErrorAlert error={formError} />
      <Segmented<By>
        block
        value={by}
        onChange={(v) => {
          setBy(v);
          clearError();
        }}
        options={[
          { value: 'name', label: t('conflict.byName') },
          { value: 'uscc', label: t('conflict.byUscc') },
        ]}
        style={{ marginBottom: 16 }}
      />
      <Form form={form} layout="vertical" name="claim-lookup" requiredMark={false}>
        {by === 'name' ? (
          <Form.Item name="name" label={t('account.name')} rules={[{ required: true, whitespace: true, message: t('account.nameRequired') }]}>
            <Input maxLength={200} data-testid="claim-name" />
          </Form.Item>
        ) : (
          <Form.Item
            name="uscc"
            label={t('account.uscc')}
            rules={[
              { required: true, whitespace: true, message: t('account.usccRequired') },
              { len: 18, message: t('account.usccLength') },
            ]}
          >
            <Input maxLength={18} style={{ textTransform: 'uppercase' }} data-testid="claim-uscc" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
