import { EditOutlined, FileAddOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Form, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { isApiError } from '@/api/errors';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { Money } from '../common';
import { compareMoney, subtractMoney } from '../decimal';
import { formatDate } from '../format';
import type { ContractDetail, Installment } from '../types';
import { useSavePaymentPlan } from './hooks';
import { type PlanFormRow, PlanRowsEditor, toBodyRows, toFormRows } from './PlanRowsEditor';

/** The server's message about the plan as a whole (its sum), from a 422. */
export function planListError(error: unknown, listName: string): string | null {
  if (!isApiError(error)) return null;
  const hit = error.fields.find((f) => f.field === listName);
  return hit ? hit.message : null;
}

/**
 * 回款计划: installments with invoiced / paid / outstanding and days overdue; 调整 replaces the
 * plan (before and after signing; invoiced or paid installments keep at least those amounts).
 */
export function PaymentPlanCard({
  contract,
  canPlan,
  canInvoice,
  onInvoice,
}: {
  contract: ContractDetail;
  canPlan: boolean;
  canInvoice: boolean;
  onInvoice: (installment: Installment) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const plan = contract.payment_plan;
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<{ installments: PlanFormRow[] }>();
  const { formError, handleError, clearError } = useFormError(form);
  const [listError, setListError] = useState<string | null>(null);
  const save = useSavePaymentPlan(contract.id);
  const ccy = plan.currency;

  const startEditing = () => {
    clearError();
    setListError(null);
    form.setFieldsValue({
      installments: toFormRows(plan.installments.map((i) => ({ id: i.id, label: i.label, due_date: i.due_date, amount: String(i.amount) }))),
    });
    setEditing(true);
  };

  const onSave = async () => {
    clearError();
    setListError(null);
    let values: { installments: PlanFormRow[] };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    try {
      await save.mutateAsync({ version: contract.version, installments: toBodyRows(values.installments ?? []) });
      message.success(t('ltc.plan.saved'));
      setEditing(false);
    } catch (error) {
      handleError(error);
      setListError(planListError(error, 'installments'));
    }
  };

  const columns: ColumnsType<Installment> = [
    { title: '#', dataIndex: 'seq', width: 40 },
    { title: t('ltc.plan.label'), dataIndex: 'label' },
    { title: t('ltc.plan.dueDate'), key: 'due', render: (_, i) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(i.due_date)}</span> },
    { title: t('ltc.plan.amount'), key: 'amount', align: 'right', render: (_, i) => <Money amount={i.amount} currency={ccy} /> },
    { title: t('ltc.plan.invoiced'), key: 'invoiced', align: 'right', responsive: ['md'], render: (_, i) => <Money amount={i.invoiced_amount} currency={ccy} /> },
    { title: t('ltc.plan.paid'), key: 'paid', align: 'right', responsive: ['sm'], render: (_, i) => <Money amount={i.paid_amount} currency={ccy} /> },
    {
      title: t('ltc.plan.outstanding'),
      key: 'outstanding',
      align: 'right',
      render: (_, i) => <Money amount={i.outstanding} currency={ccy} strong={compareMoney(i.outstanding, '0') === 1} />,
    },
    {
      title: t('ltc.plan.overdue'),
      key: 'overdue',
      render: (_, i) =>
        i.days_overdue > 0 && compareMoney(i.outstanding, '0') === 1 ? (
          <Tag color="red" data-testid="plan-overdue">
            {t('ltc.daysN', { days: i.days_overdue })}
          </Tag>
        ) : i.paid_at ? (
          <Tag color="green">{t('ltc.plan.paidOn', { date: formatDate(i.paid_at) })}</Tag>
        ) : (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ),
    },
    ...(canInvoice
      ? [
          {
            title: '',
            key: 'actions',
            render: (_: unknown, i: Installment) => {
              const rest = subtractMoney(String(i.amount), String(i.invoiced_amount));
              return compareMoney(rest, '0') === 1 ? (
                <Button size="small" icon={<FileAddOutlined />} onClick={() => onInvoice(i)} data-testid="plan-invoice">
                  {t('ltc.invoice.issue')}
                </Button>
              ) : null;
            },
          },
        ]
      : []),
  ];

  return (
    <Card
      size="small"
      title={t('ltc.plan.title')}
      data-testid="payment-plan"
      extra={
        canPlan && !editing ? (
          <Button size="small" icon={<EditOutlined />} onClick={startEditing} data-testid="plan-edit">
            {t('ltc.plan.edit')}
          </Button>
        ) : null
      }
    >
      {editing ? (
        <>
          <FormErrorAlert error={formError} />
          <Form form={form} name="payment-plan" component={false}>
            <PlanRowsEditor form={form} name="installments" target={String(contract.amount)} currency={ccy} listError={listError} />
          </Form>
          <Flex justify="flex-end" gap={8} style={{ marginTop: 12 }}>
            <Button onClick={() => setEditing(false)} data-testid="plan-cancel">
              {t('common.cancel')}
            </Button>
            <Button type="primary" loading={save.isPending} onClick={() => void onSave()} data-testid="plan-save">
              {t('common.save')}
            </Button>
          </Flex>
        </>
      ) : (
        <>
          <Table<Installment>
            size="small"
            rowKey="id"
            columns={columns}
            dataSource={plan.installments}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('ltc.plan.none') }}
          />
          <Flex gap={16} wrap="wrap" style={{ marginTop: 12, whiteSpace: 'nowrap' }} data-testid="plan-summary">
            <Space size={4} wrap>
              <Typography.Text type="secondary">{t('ltc.plan.planned')}</Typography.Text>
              <Money amount={plan.planned} currency={ccy} />
              <Typography.Text type="secondary">/ {t('ltc.contract.amount')}</Typography.Text>
              <Money amount={plan.contract_amount} currency={ccy} />
              {plan.complete ? (
                <Tag color="green">{t('ltc.plan.balanced')}</Tag>
              ) : (
                <Tooltip title={t('ltc.plan.incompleteHint')}>
                  <Tag color="red" data-testid="plan-incomplete">
                    {t('ltc.plan.incomplete')}
                  </Tag>
                </Tooltip>
              )}
            </Space>
            <Space size={4}>
              <Typography.Text type="secondary">{t('ltc.plan.invoiced')}</Typography.Text>
              <Money amount={plan.invoiced} currency={ccy} />
            </Space>
            <Space size={4}>
              <Typography.Text type="secondary">{t('ltc.plan.paid')}</Typography.Text>
              <Money amount={plan.paid} currency={ccy} />
            </Space>
            <Space size={4}>
              <Typography.Text type="secondary">{t('ltc.plan.outstanding')}</Typography.Text>
              <Money amount={plan.outstanding} currency={ccy} strong />
            </Space>
          </Flex>
        </>
      )}
    </Card>
  );
}
