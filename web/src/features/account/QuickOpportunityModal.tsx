import { App, Col, DatePicker, Form, Input, InputNumber, Modal, Row } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import type { OpportunityCreate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { ClaimConflictAlert } from '@/features/conflict/ClaimConflictAlert';
import { useI18n } from '@/i18n';
import { claimConflictInfo } from './errorDetails';
import { useCreateOpportunity } from './hooks';

interface Values {
  name: string;
  amount?: number | null;
  currency?: string;
  expected_close_date?: Dayjs | null;
}

/**
 * A new opportunity straight from the customer 360° view. If another subsidiary protects the
 * customer, the API refuses with 409 `claim_conflict` and names the protecting unit.
 */
export function QuickOpportunityModal({
  open,
  accountId,
  accountName,
  onClose,
  onCreated,
}: {
  open: boolean;
  accountId: string;
  accountName: string;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const [conflict, setConflict] = useState<unknown>(null);
  const create = useCreateOpportunity();

  useEffect(() => {
    if (!open) return;
    clearError();
    setConflict(null);
    form.resetFields();
    form.setFieldsValue({ name: t('account.opp.defaultName', { account: accountName }) });
  }, [open, accountName, form, clearError, t]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    setConflict(null);
    const body: OpportunityCreate = {
      account_id: accountId,
      name: v.name.trim(),
      amount: String(v.amount ?? 0),
      forecast_category: 'pipeline',
    };
    if (v.currency?.trim()) body.currency = v.currency.trim().toUpperCase();
    if (v.expected_close_date) body.expected_close_date = v.expected_close_date.format('YYYY-MM-DD');
    try {
      const created = await create.mutateAsync(body);
      message.success(t('common.created'));
      onCreated(created.id);
    } catch (error) {
      if (claimConflictInfo(error)) setConflict(error);
      else handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('account.opp.createTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      okButtonProps={{ 'data-testid': 'opp-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      forceRender
    >
      <ClaimConflictAlert error={conflict} />
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="quick-opportunity" requiredMark="optional">
        <Form.Item name="name" label={t('account.opp.name')} rules={[{ required: true, whitespace: true, message: t('account.opp.nameRequired') }]}>
          <Input maxLength={200} data-testid="opp-name" />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="amount" label={t('account.opp.amount')}>
              <InputNumber min={0} step={10000} precision={2} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="currency" label={t('account.opp.currency')} extra={t('account.opp.currencyHint')}>
              <Input maxLength={3} style={{ textTransform: 'uppercase' }} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="expected_close_date" label={t('account.opp.closeDate')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
