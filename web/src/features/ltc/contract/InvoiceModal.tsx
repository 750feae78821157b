import { App, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { tid } from '../common';
import { compareMoney, subtractMoney } from '../decimal';
import { formatAmount, formatDate } from '../format';
import type { ContractDetail, Installment } from '../types';
import { useIssueInvoice } from './hooks';

export const INVOICE_KINDS = ['vat_special', 'vat_normal', 'commercial'] as const;

interface Values {
  installment_id: string;
  amount: string;
  tax_amount?: string | null;
  kind: (typeof INVOICE_KINDS)[number];
  issued_on: Dayjs;
  external_number?: string;
}

/** What is left to invoice on an installment (amount − invoiced). */
export const leftToInvoice = (i: Pick<Installment, 'amount' | 'invoiced_amount'>) => subtractMoney(String(i.amount), String(i.invoiced_amount)) ?? '0.00';

/** 开票: an invoice against one installment, at most what is left to invoice on it. */
export function InvoiceModal({ open, contract, installment, onClose }: { open: boolean; contract: ContractDetail; installment: Installment; onClose: () => void }) {
  const { t, td, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const issue = useIssueInvoice();
  const installments = contract.payment_plan.installments;
  const chosenId = Form.useWatch('installment_id', form) as string | undefined;
  const chosen = installments.find((i) => i.id === chosenId) ?? installment;

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({ installment_id: installment.id, amount: leftToInvoice(installment), tax_amount: null, kind: 'vat_special', issued_on: dayjs() });
  }, [open, installment.id]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await issue.mutateAsync({
        installment_id: v.installment_id,
        amount: v.amount,
        tax_amount: v.tax_amount || '0',
        kind: v.kind,
        issued_on: v.issued_on.format('YYYY-MM-DD'),
        external_number: v.external_number?.trim() || null,
      });
      message.success(t('ltc.invoice.issued'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  const ccy = contract.currency;
  return (
    <Modal
      open={open}
      title={t('ltc.invoice.issueTitle', { number: contract.number })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('ltc.invoice.issue')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: issue.isPending, ...tid('invoice-submit') }}
      width={640}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="invoice-create" requiredMark="optional">
        <Form.Item name="installment_id" label={t('ltc.invoice.installment')} rules={[{ required: true, message: t('ltc.invoice.installmentRequired') }]}>
          <Select
            onChange={(id: string) => {
              const i = installments.find((x) => x.id === id);
              if (i) form.setFieldsValue({ amount: leftToInvoice(i) });
            }}
            options={installments.map((i) => ({
              value: i.id,
              disabled: compareMoney(leftToInvoice(i), '0') !== 1,
              label: `${i.seq}. ${i.label} · ${formatDate(i.due_date)} · ${t('ltc.invoice.left', { amount: formatAmount(leftToInvoice(i), ccy, locale) })}`,
            }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="amount"
              label={t('ltc.invoice.amount')}
              extra={t('ltc.invoice.left', { amount: formatAmount(leftToInvoice(chosen), ccy, locale) })}
              rules={[{ required: true, message: t('ltc.invoice.amountRequired') }]}
            >
              <InputNumber<string> stringMode min="0.01" precision={2} style={{ width: '100%' }} addonAfter={ccy} controls={false} data-testid="invoice-amount" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="tax_amount" label={t('ltc.invoice.tax')}>
              <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} addonAfter={ccy} controls={false} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="kind" label={t('ltc.invoice.kind')}>
              <Select options={INVOICE_KINDS.map((k) => ({ value: k, label: td(`ltc.invoice.kind.${k}`, k) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="issued_on" label={t('ltc.invoice.issuedOn')} rules={[{ required: true, message: t('ltc.invoice.issuedOnRequired') }]}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="external_number" label={t('ltc.invoice.externalNumber')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Text type="secondary">{t('ltc.invoice.hint')}</Typography.Text>
      </Form>
    </Modal>
  );
}
