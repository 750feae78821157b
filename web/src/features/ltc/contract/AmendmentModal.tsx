import { Alert, App, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { tid } from '../common';
import { compareMoney } from '../decimal';
import type { AmendmentCreate, ContractDetail } from '../types';
import { useCreateAmendment } from './hooks';
import { planListError } from './PaymentPlanCard';
import { type PlanFormRow, PlanRowsEditor, toBodyRows, toFormRows } from './PlanRowsEditor';

interface Values {
  reason: string;
  effective_date: Dayjs;
  changes: {
    title?: string;
    amount?: string | null;
    tax_amount?: string | null;
    end_date?: Dayjs | null;
    payment_days?: number | null;
    terms?: string | null;
  };
  payment_plan?: PlanFormRow[];
}

/** 合同变更: changes to a signed contract's terms; a new amount brings a new payment plan. */
export function AmendmentModal({ open, contract, onClose }: { open: boolean; contract: ContractDetail; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const [listError, setListError] = useState<string | null>(null);
  const create = useCreateAmendment(contract.id);
  const c = contract;
  const amount = (Form.useWatch(['changes', 'amount'], form) as string | null | undefined) ?? String(c.amount);
  const amountChanged = Boolean(amount) && compareMoney(amount, String(c.amount)) !== 0;

  useEffect(() => {
    if (!open) return;
    clearError();
    setListError(null);
    form.resetFields();
    form.setFieldsValue({
      reason: '',
      effective_date: dayjs(),
      changes: {
        title: c.title,
        amount: String(c.amount),
        tax_amount: String(c.tax_amount),
        end_date: c.end_date ? dayjs(c.end_date) : null,
        payment_days: c.payment_days,
        terms: c.terms ?? '',
      },
      payment_plan: toFormRows(c.payment_plan.installments.map((i) => ({ id: i.id, label: i.label, due_date: i.due_date, amount: String(i.amount) }))),
    });
  }, [open]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    setListError(null);
    const ch = v.changes;
    const changes: AmendmentCreate['changes'] = {};
    if (ch.title && ch.title.trim() !== c.title) changes.title = ch.title.trim();
    if (ch.amount && compareMoney(ch.amount, String(c.amount)) !== 0) changes.amount = ch.amount;
    if (ch.tax_amount && compareMoney(ch.tax_amount, String(c.tax_amount)) !== 0) changes.tax_amount = ch.tax_amount;
    const end = ch.end_date ? ch.end_date.format('YYYY-MM-DD') : null;
    if (end && end !== (c.end_date ?? null)) changes.end_date = end;
    if (ch.payment_days !== null && ch.payment_days !== undefined && ch.payment_days !== c.payment_days) changes.payment_days = ch.payment_days;
    const terms = ch.terms?.trim() || null;
    if (terms && terms !== (c.terms ?? null)) changes.terms = terms;
    const body: AmendmentCreate = {
      reason: v.reason.trim(),
      effective_date: v.effective_date.format('YYYY-MM-DD'),
      changes,
      version: c.version,
      ...(changes.amount ? { payment_plan: toBodyRows(v.payment_plan ?? []) } : {}),
    };
    try {
      await create.mutateAsync(body);
      message.success(t('ltc.amend.created'));
      onClose();
    } catch (error) {
      handleError(error);
      setListError(planListError(error, 'payment_plan'));
    }
  };

  return (
    <Modal
      open={open}
      title={t('ltc.amend.title', { number: c.number })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('ltc.amend.submit')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: create.isPending, ...tid('amend-submit') }}
      width={860}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="contract-amend" requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} md={16}>
            <Form.Item name="reason" label={t('ltc.amend.reason')} rules={[{ required: true, whitespace: true, message: t('ltc.reasonRequired') }]}>
              <Input maxLength={500} data-testid="amend-reason" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="effective_date" label={t('ltc.amend.effectiveDate')} rules={[{ required: true, message: t('ltc.amend.effectiveRequired') }]}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name={['changes', 'title']} label={t('ltc.contract.titleField')}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} md={6}>
            <Form.Item name={['changes', 'amount']} label={t('ltc.contract.amountInclTax')}>
              <InputNumber<string> stringMode min="0.01" precision={2} style={{ width: '100%' }} controls={false} data-testid="amend-amount" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12} md={6}>
            <Form.Item name={['changes', 'tax_amount']} label={t('ltc.contract.tax')}>
              <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} controls={false} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name={['changes', 'end_date']} label={t('ltc.contract.endDate')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name={['changes', 'payment_days']} label={t('ltc.quote.paymentDays')}>
              <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name={['changes', 'terms']} label={t('ltc.contract.termsText')}>
              <Input.TextArea rows={2} maxLength={20000} />
            </Form.Item>
          </Col>
        </Row>
        {amountChanged ? (
          <>
            <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('ltc.amend.planNeeded')} />
            <Typography.Title level={5}>{t('ltc.plan.title')}</Typography.Title>
            <PlanRowsEditor form={form} name="payment_plan" target={amount} currency={c.currency} listError={listError} />
          </>
        ) : null}
      </Form>
    </Modal>
  );
}
