import { DeleteOutlined, PlusOutlined, VerticalAlignBottomOutlined } from '@ant-design/icons';
import { Alert, Button, DatePicker, Flex, Form, type FormInstance, Input, InputNumber, Popover, Space, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useI18n } from '@/i18n';
import { formatAmount } from '../format';
import { evenSplit, planBalance, remainderFor } from '../plan';
import { type PlanFormRow, toFormRows } from './planRows';

export { type PlanFormRow, toBodyRows, toFormRows } from './planRows';

/**
 * Installment rows (label, due date, amount) inside a form under `name`, with the live
 * difference between the planned sum and `target` (exact, in cents). Saving is not blocked
 * by the difference: the server checks the sum and its 422 shows where it belongs.
 */
export function PlanRowsEditor({
  form,
  name,
  target,
  currency,
  listError,
}: {
  form: FormInstance;
  name: string;
  target: string;
  currency: string;
  /** A server error about the plan as a whole (its sum), shown under the rows. */
  listError?: string | null;
}) {
  const { t, locale } = useI18n();
  const rows = (Form.useWatch(name, form) as PlanFormRow[] | undefined) ?? [];
  const balance = planBalance(
    rows.map((r) => ({ amount: r?.amount ?? null })),
    target,
  );
  const money = (v: string) => formatAmount(v, currency, locale);
  const [splitCount, setSplitCount] = useState<number | null>(3);

  const split = () => {
    const n = splitCount ?? 1;
    const first = rows[0]?.due_date ?? dayjs().add(1, 'month').endOf('month');
    form.setFieldValue(name, toFormRows(evenSplit(target, n, first.format('YYYY-MM-DD'), (i) => t('ltc.plan.nth', { n: i + 1 }))));
  };

  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => {
        const columns: ColumnsType<(typeof fields)[number]> = [
          { title: '#', key: 'seq', width: 36, render: (_, f) => f.name + 1 },
          {
            title: t('ltc.plan.label'),
            key: 'label',
            render: (_, f) => (
              <>
                <Form.Item name={[f.name, 'id']} hidden>
                  <Input />
                </Form.Item>
                <Form.Item name={[f.name, 'label']} rules={[{ required: true, whitespace: true, message: t('ltc.plan.labelRequired') }]} style={{ margin: 0 }}>
                  <Input maxLength={100} style={{ width: 150 }} data-testid="plan-row-label" />
                </Form.Item>
              </>
            ),
          },
          {
            title: t('ltc.plan.dueDate'),
            key: 'due',
            render: (_, f) => (
              <Form.Item name={[f.name, 'due_date']} rules={[{ required: true, message: t('ltc.plan.dueRequired') }]} style={{ margin: 0 }}>
                <DatePicker style={{ width: 140 }} data-testid="plan-row-due" />
              </Form.Item>
            ),
          },
          {
            title: t('ltc.plan.amount'),
            key: 'amount',
            render: (_, f) => (
              <Space.Compact>
                <Form.Item name={[f.name, 'amount']} rules={[{ required: true, message: t('ltc.plan.amountRequired') }]} style={{ margin: 0 }}>
                  <InputNumber<string> stringMode min="0.01" precision={2} style={{ width: 160 }} controls={false} data-testid="plan-row-amount" />
                </Form.Item>
                <Tooltip title={t('ltc.plan.fillRemainder')}>
                  <Button
                    icon={<VerticalAlignBottomOutlined />}
                    aria-label={t('ltc.plan.fillRemainder')}
                    onClick={() => {
                      const rest = remainderFor(
                        rows.map((r) => ({ amount: r?.amount ?? null })),
                        f.name,
                        target,
                      );
                      if (rest) form.setFieldValue([name, f.name, 'amount'], rest);
                    }}
                  />
                </Tooltip>
              </Space.Compact>
            ),
          },
          {
            title: '',
            key: 'remove',
            width: 40,
            render: (_, f) => (
              <Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} />
            ),
          },
        ];
        return (
          <>
            <Table size="small" rowKey="key" columns={columns} dataSource={fields} pagination={false} scroll={{ x: 'max-content' }} locale={{ emptyText: t('ltc.plan.empty') }} />
            <Flex justify="space-between" align="center" wrap="wrap" gap={8} style={{ marginTop: 12 }}>
              <Space wrap>
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => add({ label: t('ltc.plan.nth', { n: fields.length + 1 }), due_date: null, amount: null })}
                  data-testid="plan-add-row"
                >
                  {t('ltc.plan.addRow')}
                </Button>
                <Popover
                  trigger="click"
                  content={
                    <Space>
                      <InputNumber min={1} max={60} precision={0} value={splitCount} onChange={(v) => setSplitCount(v)} addonAfter={t('ltc.plan.periods')} style={{ width: 120 }} />
                      <Button type="primary" onClick={split}>
                        {t('ltc.plan.apply')}
                      </Button>
                    </Space>
                  }
                >
                  <Button>{t('ltc.plan.evenSplit')}</Button>
                </Popover>
              </Space>
              <Typography.Text data-testid="plan-balance" data-state={balance.state}>
                {t('ltc.plan.plannedVs', { planned: money(balance.planned), target: money(target) })}
                {' · '}
                <Typography.Text type={balance.state === 'balanced' ? 'success' : 'danger'} strong>
                  {balance.state === 'balanced'
                    ? t('ltc.plan.balanced')
                    : balance.state === 'under'
                      ? t('ltc.plan.under', { amount: money(balance.difference.replace('-', '')) })
                      : t('ltc.plan.over', { amount: money(balance.difference) })}
                </Typography.Text>
              </Typography.Text>
            </Flex>
            {listError ? <Alert style={{ marginTop: 12 }} type="error" showIcon message={listError} data-testid="plan-error" /> : null}
          </>
        );
      }}
    </Form.List>
  );
}
