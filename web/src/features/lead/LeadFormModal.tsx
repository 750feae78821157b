import { useQueryClient } from '@tanstack/react-query';
import { App, Col, Form, Input, Modal, Row } from 'antd';
import { useEffect } from 'react';
import type { Lead, LeadCreate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { isMaskedValue } from '@/features/contact/hooks';
import { useI18n } from '@/i18n';
import { LEAD_TEXT_FIELDS, leadChanges, type LeadValues } from './changes';
import { leadKeys, useCreateLead, useUpdateLead } from './hooks';

const PHONE = /^\+?[0-9][0-9 -]{5,30}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function LeadFormModal({ open, lead, onClose, onSaved }: { open: boolean; lead: Lead | null; onClose: () => void; onSaved?: (lead: Lead) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<LeadValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateLead();
  const update = useUpdateLead(lead?.id ?? '');
  const maskedPhone = lead && isMaskedValue(lead.phone) ? lead.phone : null;
  const maskedEmail = lead && isMaskedValue(lead.email) ? lead.email : null;

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    if (lead) {
      const values: LeadValues = {};
      for (const key of LEAD_TEXT_FIELDS) values[key] = lead[key];
      if (maskedPhone) values.phone = null;
      if (maskedEmail) values.email = null;
      form.setFieldsValue(values);
    }
  }, [open, lead, maskedPhone, maskedEmail, form, clearError]);

  const onOk = async () => {
    let v: LeadValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      let saved: Lead;
      if (lead) {
        const body = leadChanges(lead, v);
        if (Object.keys(body).length === 1) {
          onClose();
          return;
        }
        saved = await update.mutateAsync(body);
        message.success(t('common.saved'));
      } else {
        const body: LeadCreate = { company_name: (v.company_name ?? '').trim() };
        for (const key of LEAD_TEXT_FIELDS) {
          const val = v[key]?.trim();
          if (key !== 'company_name' && val) Object.assign(body, { [key]: val });
        }
        saved = await create.mutateAsync(body);
        message.success(t('common.created'));
      }
      onSaved?.(saved);
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={lead ? t('lead.editTitle') : t('lead.createTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      okButtonProps={{ 'data-testid': 'lead-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending || update.isPending}
      width={680}
      forceRender
    >
      <FormErrorAlert
        error={formError}
        onReload={() => {
          // Someone else saved the lead: load their version, then edit again.
          void qc.invalidateQueries({ queryKey: leadKeys.all });
          onClose();
        }}
      />
      <Form form={form} layout="vertical" name="lead-form" requiredMark="optional" autoComplete="off">
        <Row gutter={16}>
          <Col span={24}>
            <Form.Item name="company_name" label={t('lead.company')} rules={[{ required: true, whitespace: true, message: t('lead.companyRequired') }]}>
              <Input maxLength={200} data-testid="lead-company" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="contact_name" label={t('lead.contactName')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="title" label={t('lead.contactTitle')}>
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
              <Input maxLength={32} inputMode="tel" placeholder={maskedPhone ?? undefined} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="email"
              label={t('contact.email')}
              extra={maskedEmail ? t('contact.maskedKeep', { value: maskedEmail }) : undefined}
              rules={[{ pattern: EMAIL, message: t('contact.emailInvalid') }]}
            >
              <Input maxLength={254} inputMode="email" placeholder={maskedEmail ?? undefined} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="source" label={t('lead.source')}>
              <Input maxLength={64} placeholder={t('lead.sourcePlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="industry" label={t('account.industry')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="region" label={t('account.region')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="notes" label={t('lead.notes')}>
              <Input.TextArea rows={3} maxLength={10000} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
