import { App, AutoComplete, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Space, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import type { OpportunityDetail } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useDebounced } from '@/components/useDebounced';
import { useI18n } from '@/i18n';
import { useAccountSearch, useCreateOpportunity } from './hooks';
import { CURRENCIES, FORECAST_CATEGORIES, forecastLabel } from './labels';

interface Values {
  account_id: string;
  name: string;
  amount?: string | number | null;
  currency?: string;
  expected_close_date?: Dayjs | null;
  source?: string;
  forecast_category: (typeof FORECAST_CATEGORIES)[number];
}

export const SOURCES = ['website', 'referral', 'event', 'partner', 'outbound', 'tender'] as const;

/** Picks a visible account by name, pinyin or English, searching on the server. */
export function AccountPicker({ value, onChange, id }: { value?: string; onChange?: (v: string, name: string) => void; id?: string }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const accounts = useAccountSearch(q);
  return (
    <Select
      id={id}
      data-testid="opp-account-picker"
      showSearch
      value={value}
      filterOption={false}
      onSearch={setSearch}
      onChange={(v: string) => onChange?.(v, accounts.data?.find((a) => a.id === v)?.name ?? '')}
      loading={accounts.isFetching}
      placeholder={t('opp.accountPlaceholder')}
      notFoundContent={accounts.isFetching ? t('common.loading') : t('common.noMatch')}
      options={(accounts.data ?? []).map((a) => ({
        value: a.id,
        label: (
          <Space size={6} style={{ maxWidth: '100%' }}>
            <span>{a.name}</span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.subsidiary_name}
            </Typography.Text>
            {a.is_protected ? <Tag color="orange" bordered={false}>{t('opp.accountProtected')}</Tag> : null}
          </Space>
        ),
      }))}
    />
  );
}

export function CreateOpportunityModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (deal: OpportunityDetail) => void }) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateOpportunity();
  const sourceOptions = useMemo(() => SOURCES.map((s) => ({ value: t(`opp.source.${s}`) })), [t]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      const deal = await create.mutateAsync({
        account_id: v.account_id,
        name: v.name.trim(),
        amount: v.amount === null || v.amount === undefined || v.amount === '' ? '0' : String(v.amount),
        forecast_category: v.forecast_category,
        ...(v.currency ? { currency: v.currency } : {}),
        ...(v.expected_close_date ? { expected_close_date: v.expected_close_date.format('YYYY-MM-DD') } : {}),
        ...(v.source?.trim() ? { source: v.source.trim() } : {}),
      });
      message.success(t('common.created'));
      onCreated(deal);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('opp.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ id: 'opp-create-submit' }}
      confirmLoading={create.isPending}
      width={640}
      forceRender
      afterOpenChange={(visible) => {
        if (visible) {
          clearError();
          form.resetFields();
        }
      }}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="opp-create" requiredMark="optional" initialValues={{ forecast_category: 'pipeline' }}>
        <Form.Item name="account_id" label={t('opp.account')} rules={[{ required: true, message: t('opp.accountRequired') }]}>
          <AccountPicker
            onChange={(id, name) => {
              form.setFieldValue('account_id', id);
              if (!form.getFieldValue('name') && name) form.setFieldValue('name', `${name} · `);
            }}
          />
        </Form.Item>
        <Form.Item name="name" label={t('opp.name')} rules={[{ required: true, whitespace: true, message: t('opp.nameRequired') }]}>
          <Input maxLength={200} data-testid="opp-name-input" />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={14}>
            <Form.Item name="amount" label={t('opp.amount')}>
              <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} data-testid="opp-amount-input" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={10}>
            <Form.Item name="currency" label={t('opp.currency')} extra={t('opp.currencyDefault')}>
              <Select allowClear options={CURRENCIES.map((c) => ({ value: c, label: c }))} placeholder={t('opp.currencyPlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="expected_close_date" label={t('opp.expectedClose')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="forecast_category" label={t('opp.forecast')}>
              <Select options={FORECAST_CATEGORIES.map((c) => ({ value: c, label: forecastLabel(td, c) }))} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="source" label={t('opp.source')}>
              <AutoComplete options={sourceOptions} maxLength={64} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
