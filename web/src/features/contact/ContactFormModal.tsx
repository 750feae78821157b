import { useQueryClient } from '@tanstack/react-query';
import { App, Checkbox, Col, Form, Input, Modal, Row } from 'antd';
import { useEffect, useState } from 'react';
import type { Contact, ContactCreate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { claimConflictInfo } from '@/features/account/errorDetails';
import { ClaimConflictAlert } from '@/features/conflict/ClaimConflictAlert';
import { useI18n } from '@/i18n';
import { contactChanges, contactKeys, isMaskedValue, useCreateContact, useUpdateContact } from './hooks';

interface Values {
  name: string;
  title?: string;
  phone?: string;
  email?: string;
  is_primary?: boolean;
}

const PHONE = /^\+?[0-9(][0-9 ()-]{4,31}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Adds a contact to an account, or edits one (`contact` given). Masked values are never sent back. */
export function ContactFormModal({
  open,
  accountId,
  contact,
  onClose,
}: {
  open: boolean;
  accountId: string;
  contact: Contact | null;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const [conflict, setConflict] = useState<unknown>(null);
  const create = useCreateContact();
  const update = useUpdateContact();
  const qc = useQueryClient();
  const editing = contact !== null;
  const maskedPhone = editing && isMaskedValue(contact.phone) ? contact.phone : null;
  const maskedEmail = editing && isMaskedValue(contact.email) ? contact.email : null;

  useEffect(() => {
    if (!open) return;
    clearError();
    setConflict(null);
    form.resetFields();
    if (contact) {
      form.setFieldsValue({
        name: contact.name,
        title: contact.title ?? undefined,
        phone: isMaskedValue(contact.phone) ? undefined : (contact.phone ?? undefined),
        email: isMaskedValue(contact.email) ? undefined : (contact.email ?? undefined),
        is_primary: contact.is_primary,
      });
    }
  }, [open, contact, form, clearError]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    setConflict(null);
    try {
      if (contact) {
        const body = contactChanges(contact, v);
        if (Object.keys(body).length === 1) {
          onClose();
          return;
        }
        await update.mutateAsync({ id: contact.id, body });
        message.success(t('common.saved'));
      } else {
        const body: ContactCreate = { account_id: accountId, name: v.name.trim(), is_primary: Boolean(v.is_primary) };
        if (v.title?.trim()) body.title = v.title.trim();
        if (v.phone?.trim()) body.phone = v.phone.trim();
        if (v.email?.trim()) body.email = v.email.trim();
        await create.mutateAsync(body);
        message.success(t('common.created'));
      }
      onClose();
    } catch (error) {
      if (claimConflictInfo(error)) setConflict(error);
      else handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={editing ? t('contact.editTitle') : t('contact.createTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      okButtonProps={{ 'data-testid': 'contact-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending || update.isPending}
      forceRender
    >
      <ClaimConflictAlert error={conflict} />
      <FormErrorAlert
        error={formError}
        onReload={() => {
          void qc.invalidateQueries({ queryKey: contactKeys.all });
          onClose();
        }}
      />
      <Form form={form} layout="vertical" name="contact-form" requiredMark="optional" autoComplete="off">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('contact.name')} rules={[{ required: true, whitespace: true, message: t('contact.nameRequired') }]}>
              <Input maxLength={100} data-testid="contact-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="title" label={t('contact.title')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="phone"
              label={t('contact.phone')}
              extra={maskedPhone ? t('contact.maskedKeep', { value: maskedPhone }) : undefined}
              rules={[{ pattern: PHONE, message: t('contact.phoneInvalid') }]}
            >
              <Input maxLength={32} placeholder={maskedPhone ?? undefined} inputMode="tel" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="email"
              label={t('contact.email')}
              extra={maskedEmail ? t('contact.maskedKeep', { value: maskedEmail }) : undefined}
              rules={[{ pattern: EMAIL, message: t('contact.emailInvalid') }]}
            >
              <Input maxLength={254} placeholder={maskedEmail ?? undefined} inputMode="email" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="is_primary" valuePropName="checked" style={{ marginBottom: 0 }}>
              <Checkbox>{t('contact.isPrimary')}</Checkbox>
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
