import { EditOutlined } from '@ant-design/icons';
import { App, Button, Flex, Form, InputNumber, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { Money, StatusTag, tid } from '../common';
import { formatDateTime } from '../format';
import type { CreditHold, CreditRule } from '../types';
import { fetchCreditHoldsPage, fetchCreditRulesPage, receivableKeys, usePutCreditRule } from './hooks';

/** 信用冻结: accounts on credit hold per subsidiary (and released ones as history). */
export function CreditHoldsPanel({
  status,
  onStatusChange,
  accountId,
}: {
  status: 'active' | 'released' | null;
  onStatusChange?: (s: 'active' | 'released' | null) => void;
  accountId?: string;
}) {
  const { t, td } = useI18n();
  const f = { status, subsidiaryId: null, accountId: accountId ?? null };
  const fetchPage = useCallback((req: PageRequest) => fetchCreditHoldsPage(f, req), [status, accountId]);
  const columns: ColumnsType<CreditHold> = [
    ...(accountId
      ? []
      : [
          {
            title: t('ltc.account'),
            key: 'account',
            render: (_: unknown, h: CreditHold) => <Link to={`/accounts/${h.account_id}`}>{h.account_name ?? t('common.none')}</Link>,
          },
        ]),
    { title: t('ltc.subsidiary'), key: 'sub', render: (_, h) => h.subsidiary_name ?? t('common.none') },
    { title: t('ltc.status'), key: 'status', render: (_, h) => <StatusTag kind="hold" status={h.status} /> },
    { title: t('ltc.credit.overdueAmount'), key: 'amount', align: 'right', render: (_, h) => <Money amount={h.overdue_amount} currency={h.currency ?? ''} /> },
    { title: t('ltc.credit.maxDays'), key: 'days', align: 'right', render: (_, h) => t('ltc.daysN', { days: h.max_days_overdue }) },
    { title: t('ltc.credit.reason'), dataIndex: 'reason', responsive: ['lg'], ellipsis: true, width: 320 },
    { title: t('ltc.credit.placedAt'), key: 'placed', responsive: ['md'], render: (_, h) => formatDateTime(h.placed_at) },
    { title: t('ltc.credit.releasedAt'), key: 'released', responsive: ['xl'], render: (_, h) => formatDateTime(h.released_at) },
  ];
  return (
    <div data-testid="credit-holds">
      {onStatusChange ? (
        <Flex gap={12} style={{ marginBottom: 12 }}>
          <Select
            allowClear
            value={status ?? undefined}
            placeholder={t('ltc.status')}
            onChange={(v: 'active' | 'released' | undefined) => onStatusChange(v ?? null)}
            options={(['active', 'released'] as const).map((s) => ({ value: s, label: td(`ltc.hold.status.${s}`, s) }))}
            style={{ width: 140 }}
          />
        </Flex>
      ) : null}
      <CursorTable<CreditHold>
        testId="credit-holds-table"
        queryKey={receivableKeys.holds(f)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(h) => h.id}
        emptyText={t('ltc.credit.noHolds')}
      />
    </div>
  );
}

interface RuleValues {
  max_overdue_days: number;
  min_overdue_amount?: string | null;
  is_active: boolean;
}

function RuleModal({ rule, onClose }: { rule: CreditRule; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RuleValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const put = usePutCreditRule(rule.subsidiary_id);
  useEffect(() => {
    clearError();
    form.setFieldsValue({ max_overdue_days: rule.max_overdue_days, min_overdue_amount: String(rule.min_overdue_amount), is_active: rule.is_active });
  }, [rule.subsidiary_id, rule.version]);
  const onOk = async () => {
    let v: RuleValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await put.mutateAsync({ max_overdue_days: v.max_overdue_days, min_overdue_amount: v.min_overdue_amount || '0', is_active: v.is_active, version: rule.version ?? null });
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };
  return (
    <Modal open title={t('ltc.credit.ruleTitle', { name: rule.subsidiary_name })} onCancel={onClose} onOk={() => void onOk()} okText={t('common.save')} cancelText={t('common.cancel')} okButtonProps={{ loading: put.isPending, ...tid('credit-rule-save') }}>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="credit-rule">
        <Form.Item name="max_overdue_days" label={t('ltc.credit.maxOverdueDays')} extra={t('ltc.credit.maxOverdueDaysHint')} rules={[{ required: true, message: t('ltc.credit.maxOverdueDaysRequired') }]}>
          <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} addonAfter={t('ltc.days')} />
        </Form.Item>
        <Form.Item name="min_overdue_amount" label={t('ltc.credit.minOverdueAmount')} extra={t('ltc.credit.minOverdueAmountHint')}>
          <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} addonAfter={rule.currency ?? undefined} controls={false} />
        </Form.Item>
        <Form.Item name="is_active" label={t('ltc.credit.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 信用规则: per subsidiary, when an account goes on credit hold; editable with credit.admin. */
export function CreditRulesPanel() {
  const { t } = useI18n();
  const { can } = useAccess();
  const [editing, setEditing] = useState<CreditRule | null>(null);
  const admin = can('credit.admin');
  const columns: ColumnsType<CreditRule> = [
    { title: t('ltc.subsidiary'), dataIndex: 'subsidiary_name' },
    {
      title: t('ltc.credit.rule'),
      key: 'rule',
      render: (_, r) =>
        r.configured ? (
          <Typography.Text>
            {t('ltc.credit.ruleText', { days: r.max_overdue_days })}
            <Money amount={r.min_overdue_amount} currency={r.currency ?? ''} />
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t('ltc.credit.notConfigured')}</Typography.Text>
        ),
    },
    {
      title: t('ltc.status'),
      key: 'active',
      render: (_, r) => (r.configured ? <Tag color={r.is_active ? 'green' : 'default'}>{r.is_active ? t('ltc.credit.on') : t('ltc.credit.off')}</Tag> : null),
    },
    { title: t('common.updatedAt'), key: 'updated', responsive: ['md'], render: (_, r) => formatDateTime(r.updated_at) },
    ...(admin
      ? [
          {
            title: '',
            key: 'edit',
            render: (_: unknown, r: CreditRule) => (
              <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} data-testid="credit-rule-edit">
                {t('common.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="credit-rules">
      <Typography.Text type="secondary">{t('ltc.credit.rulesHint')}</Typography.Text>
      <CursorTable<CreditRule> testId="credit-rules-table" queryKey={receivableKeys.rules} fetchPage={fetchCreditRulesPage} columns={columns} rowKey={(r) => r.subsidiary_id} />
      {editing ? <RuleModal rule={editing} onClose={() => setEditing(null)} /> : null}
    </Space>
  );
}
