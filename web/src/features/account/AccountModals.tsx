import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { Account } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useI18n } from '@/i18n';
import { AccountFields } from './AccountFields';
import { DuplicateMatches } from './DuplicateMatches';
import { type DuplicateRefusal, duplicateRefusal } from './errorDetails';
import { accountChanges, type EditValues } from './changes';
import { accountKeys, useReleaseAccount, useTransferAccount, useUpdateAccount } from './hooks';
import { LiveDuplicates } from './LiveDuplicates';
import { UserSelect } from './UserSelect';

export function AccountEditModal({ open, account, onClose }: { open: boolean; account: Account; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateAccount(account.id);
  const qc = useQueryClient();
  const [refusal, setRefusal] = useState<DuplicateRefusal | null>(null);
  const [forcing, setForcing] = useState(false);
  const name = (Form.useWatch('name', form) as string | undefined) ?? '';
  const uscc = (Form.useWatch('uscc', form) as string | undefined) ?? '';
  const nameEn = (Form.useWatch('name_en', form) as string | undefined) ?? '';
  const renamed = name.trim() !== account.name || (uscc.trim() || null) !== account.uscc || (nameEn.trim() || null) !== account.name_en;
  const probe = useMemo(() => ({ name, nameEn, uscc }), [name, nameEn, uscc]);

  const reset = () => {
    clearError();
    setRefusal(null);
    setForcing(false);
    form.resetFields();
    form.setFieldsValue({
      name: account.name,
      name_en: account.name_en,
      uscc: account.uscc,
      industry: account.industry,
      region: account.region,
      tier: account.tier,
      value_class: account.value_class,
    });
  };
  useEffect(() => {
    if (open) reset();
    // Reset only when the dialog opens, not when the account refreshes underneath it.
  }, [open]);

  const submit = async (force: boolean) => {
    let v: EditValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body = accountChanges(account, v);
    if (force && v.force_reason?.trim()) body.force_reason = v.force_reason.trim();
    if (Object.keys(body).length === 1) {
      onClose();
      return;
    }
    try {
      await update.mutateAsync(body);
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      const refused = duplicateRefusal(error);
      setRefusal(refused ? { ...refused, matches: refused.matches.filter((m) => m.id !== account.id) } : null);
      handleError(error);
      if (refused) clearError();
    }
  };

  return (
    <Modal
      open={open}
      title={t('account.editTitle')}
      onCancel={onClose}
      width={720}
      forceRender
      footer={
        <Space wrap>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" danger={forcing} loading={update.isPending} onClick={() => void submit(forcing)}>
            {forcing ? t('account.forceSave') : t('common.save')}
          </Button>
        </Space>
      }
    >
      <FormErrorAlert
        error={formError}
        onReload={() => {
          // Someone else saved the customer: load their version, then edit again.
          void qc.invalidateQueries({ queryKey: accountKeys.detail(account.id) });
          onClose();
        }}
      />
      {refusal ? (
        <DuplicateMatches
          type="error"
          matches={refusal.matches}
          title={t('account.duplicateRefused')}
          hint={refusal.canForce ? t('account.canForceHint') : t('account.askForForce')}
          openInNewTab
          action={
            refusal.canForce && !forcing ? (
              <Button size="small" danger onClick={() => setForcing(true)}>
                {t('account.forceStart')}
              </Button>
            ) : undefined
          }
        />
      ) : null}
      <Form form={form} layout="vertical" name="account-edit" requiredMark="optional" autoComplete="off">
        <AccountFields
          afterName={
            renamed ? (
              <LiveDuplicates probe={probe} paused={Boolean(refusal)} />
            ) : (
              <div style={{ minHeight: 16 }} />
            )
          }
        />
        {forcing ? (
          <Form.Item
            name="force_reason"
            label={t('account.forceReason')}
            rules={[{ required: true, whitespace: true, message: t('account.forceReasonRequired') }]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

export function TransferModal({ open, account, onClose }: { open: boolean; account: Account; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ owner_id: string; unit_id: string; reason: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const transfer = useTransferAccount(account.id);

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({ unit_id: account.unit_id });
  }, [open, account.unit_id, form, clearError]);

  const onOk = async () => {
    let v: { owner_id: string; unit_id: string; reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await transfer.mutateAsync({ owner_id: v.owner_id, unit_id: v.unit_id, reason: v.reason.trim(), version: account.version });
      message.success(t('account.transferred'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('account.transferTitle', { name: account.name })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('account.transfer')}
      cancelText={t('common.cancel')}
      confirmLoading={transfer.isPending}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('account.transferHint')}</Typography.Paragraph>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="account-transfer" requiredMark={false}>
        <Form.Item name="unit_id" label={t('account.unit')} rules={[{ required: true, message: t('account.unitRequired') }]}>
          <OrgUnitTreeSelect style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="owner_id" label={t('account.newOwner')} rules={[{ required: true, message: t('account.ownerRequired') }]}>
          <UserSelect style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reason" label={t('account.reason')} rules={[{ required: true, whitespace: true, message: t('account.reasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ReleaseModal({ open, account, onClose }: { open: boolean; account: Account; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const release = useReleaseAccount(account.id);

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
  }, [open, form, clearError]);

  const onOk = async () => {
    let v: { reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await release.mutateAsync(v.reason.trim());
      message.success(t('account.released'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('account.releaseTitle', { name: account.name })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('account.release')}
      okButtonProps={{ danger: true, 'data-testid': 'release-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={release.isPending}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('account.releaseHint')}</Typography.Paragraph>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="account-release" requiredMark={false}>
        <Form.Item name="reason" label={t('account.reason')} rules={[{ required: true, whitespace: true, message: t('account.reasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="release-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
