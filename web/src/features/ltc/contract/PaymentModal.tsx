import { Alert, App, Col, DatePicker, Form, Input, InputNumber, Modal, Radio, Row, Select, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { Money, tid } from '../common';
import { compareMoney, sumMoney } from '../decimal';
import { formatAmount, formatDate } from '../format';
import type { ContractDetail, Installment, Payment, PaymentCreate } from '../types';
import { type AllocationRow, allocationsToSend, remapAllocationErrors } from './allocations';
import { useAllocatePayment, useRecordPayment } from './hooks';
import { planListError } from './PaymentPlanCard';

export const PAYMENT_METHODS = ['bank_transfer', 'acceptance_bill', 'cheque', 'cash', 'other'] as const;
type Mode = 'auto' | 'manual' | 'none';

interface Values {
  amount: string;
  received_on: Dayjs;
  method: (typeof PAYMENT_METHODS)[number];
  reference?: string;
  payer_name?: string;
  notes?: string;
  mode: Mode;
  allocations: AllocationRow[];
}

const outstandingOf = (i: Installment) => String(i.outstanding);

/**
 * 登记回款: money received for the contract, allocated per installment or automatically (oldest
 * first). With `payment`, 核销 instead: allocates that payment's unapplied remainder.
 */
export function PaymentModal({ open, contract, payment, onClose }: { open: boolean; contract: ContractDetail; payment?: Payment | null; onClose: () => void }) {
  const { t, td, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const [listError, setListError] = useState<string | null>(null);
  const record = useRecordPayment();
  const allocate = useAllocatePayment();
  const later = Boolean(payment);
  const ccy = contract.currency;
  const open_ = useMemo(() => contract.payment_plan.installments.filter((i) => compareMoney(outstandingOf(i), '0') === 1), [contract.payment_plan]);
  const mode = (Form.useWatch('mode', form) as Mode | undefined) ?? 'auto';
  const rows = (Form.useWatch('allocations', form) as AllocationRow[] | undefined) ?? [];
  const watchedAmount = (Form.useWatch('amount', form) as string | undefined) ?? '';
  const amount = payment ? String(payment.unapplied_amount) : watchedAmount;
  const allocated = sumMoney(rows.map((r) => r?.amount || '0')).total;

  useEffect(() => {
    if (!open) return;
    clearError();
    setListError(null);
    form.resetFields();
    form.setFieldsValue({
      amount: payment ? String(payment.unapplied_amount) : '',
      received_on: dayjs(),
      method: 'bank_transfer',
      mode: 'auto',
      allocations: open_.map((i) => ({ installment_id: i.id, amount: null })),
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
    const { sent, rowOf } = allocationsToSend(v.allocations ?? []);
    if (payment) {
      try {
        await allocate.mutateAsync({ id: payment.id, body: { auto_allocate: v.mode === 'auto', ...(v.mode === 'manual' ? { allocations: sent } : {}) } });
        message.success(t('ltc.payment.allocatedToast'));
        onClose();
      } catch (error) {
        handleError(remapAllocationErrors(error, rowOf));
        setListError(planListError(error, 'allocations'));
      }
      return;
    }
    const body: PaymentCreate = {
      account_id: contract.account_id,
      contract_id: contract.id,
      amount: v.amount,
      currency: ccy,
      received_on: v.received_on.format('YYYY-MM-DD'),
      method: v.method,
      reference: v.reference?.trim() || null,
      payer_name: v.payer_name?.trim() || null,
      notes: v.notes?.trim() || null,
      auto_allocate: v.mode === 'auto',
      ...(v.mode === 'manual' ? { allocations: sent } : {}),
    };
    try {
      await record.mutateAsync(body);
      message.success(t('ltc.payment.recorded'));
      onClose();
    } catch (error) {
      handleError(remapAllocationErrors(error, rowOf));
      setListError(planListError(error, 'allocations'));
    }
  };

  const columns: ColumnsType<Installment> = [
    { title: '#', dataIndex: 'seq', width: 36 },
    { title: t('ltc.plan.label'), dataIndex: 'label' },
    { title: t('ltc.plan.dueDate'), key: 'due', render: (_, i) => formatDate(i.due_date) },
    { title: t('ltc.plan.outstanding'), key: 'out', align: 'right', render: (_, i) => <Money amount={i.outstanding} currency={ccy} /> },
    {
      title: t('ltc.payment.allocate'),
      key: 'alloc',
      render: (_, __, index) => (
        <>
          <Form.Item name={['allocations', index, 'installment_id']} hidden>
            <Input />
          </Form.Item>
          <Form.Item name={['allocations', index, 'amount']} style={{ margin: 0, maxWidth: 260, whiteSpace: 'normal' }}>
            <InputNumber<string> stringMode min="0" precision={2} style={{ width: 150 }} controls={false} placeholder="0.00" data-testid="payment-allocation" />
          </Form.Item>
        </>
      ),
    },
  ];

  return (
    <Modal
      open={open}
      title={later ? t('ltc.payment.allocateTitle') : t('ltc.payment.recordTitle', { number: contract.number })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={later ? t('ltc.payment.allocateAction') : t('ltc.payment.record')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: record.isPending || allocate.isPending, ...tid('payment-submit') }}
      width={760}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="payment-create" requiredMark="optional">
        {payment ? (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('ltc.payment.unappliedOf', {
              date: formatDate(payment.received_on),
              unapplied: formatAmount(String(payment.unapplied_amount), payment.currency, locale),
              amount: formatAmount(String(payment.amount), payment.currency, locale),
            })}
          />
        ) : null}
        <Row gutter={16} style={payment ? { display: 'none' } : undefined}>
          <Col xs={24} sm={12}>
            <Form.Item name="amount" label={t('ltc.payment.amount')} rules={[{ required: true, message: t('ltc.payment.amountRequired') }]}>
              <InputNumber<string> stringMode min="0.01" precision={2} style={{ width: '100%' }} addonAfter={ccy} controls={false} data-testid="payment-amount" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="received_on" label={t('ltc.payment.receivedOn')} rules={[{ required: true, message: t('ltc.payment.receivedOnRequired') }]}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="method" label={t('ltc.payment.method')}>
              <Select options={PAYMENT_METHODS.map((m) => ({ value: m, label: td(`ltc.payment.method.${m}`, m) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="reference" label={t('ltc.payment.reference')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="payer_name" label={t('ltc.payment.payer')}>
              <Input maxLength={200} placeholder={contract.account_name ?? undefined} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="notes" label={t('ltc.payment.notes')}>
              <Input maxLength={1000} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="mode" label={t('ltc.payment.allocation')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'auto', label: t('ltc.payment.auto') },
              { value: 'manual', label: t('ltc.payment.manual') },
              ...(later ? [] : [{ value: 'none', label: t('ltc.payment.unapplied') }]),
            ]}
            data-testid="payment-mode"
          />
        </Form.Item>
        {mode === 'auto' ? <Typography.Text type="secondary">{t('ltc.payment.autoHint')}</Typography.Text> : null}
        {mode === 'none' ? <Typography.Text type="secondary">{t('ltc.payment.unappliedHint')}</Typography.Text> : null}
        <div style={{ display: mode === 'manual' ? 'block' : 'none' }}>
          <Table<Installment>
            size="small"
            rowKey="id"
            columns={columns}
            dataSource={open_}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('ltc.payment.nothingOutstanding') }}
          />
          {listError ? <Alert style={{ marginTop: 8 }} type="error" showIcon message={listError} data-testid="payment-allocation-error" /> : null}
          <Typography.Text style={{ display: 'block', marginTop: 8 }} type={amount && compareMoney(allocated, amount) === 1 ? 'danger' : 'secondary'}>
            {t('ltc.payment.allocatedOf', { allocated: formatAmount(allocated, ccy, locale), amount: amount ? formatAmount(amount, ccy, locale) : '—' })}
          </Typography.Text>
        </div>
        {open_.length === 0 && mode !== 'none' ? <Alert style={{ marginTop: 12 }} type="info" showIcon message={t('ltc.payment.nothingOutstanding')} /> : null}
      </Form>
    </Modal>
  );
}
