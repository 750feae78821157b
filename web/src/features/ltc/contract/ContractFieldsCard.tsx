import { EditOutlined, LockOutlined, DiffOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Row, Select, Space, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { CURRENCIES } from '@/features/opportunity/labels';
import { useI18n } from '@/i18n';
import { Money } from '../common';
import { formatDate, formatDateTime } from '../format';
import type { ContractDetail } from '../types';
import { type ContractValues as Values, contractChanges } from './changes';
import { useUpdateContract } from './hooks';

/**
 * 合同条款: editable until signing; afterwards frozen (a lock) and changed only through 变更.
 */
export function ContractFieldsCard({
  contract,
  editing,
  onEditingChange,
  canEdit,
  canAmend,
  onAmend,
  onReload,
}: {
  contract: ContractDetail;
  editing: boolean;
  onEditingChange: (v: boolean) => void;
  canEdit: boolean;
  canAmend: boolean;
  onAmend: () => void;
  onReload: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateContract(contract.id);
  const c = contract;
  const frozen = ['signed', 'active', 'completed', 'terminated'].includes(c.status);

  useEffect(() => {
    if (!editing) return;
    clearError();
    form.setFieldsValue({
      title: c.title,
      amount: String(c.amount),
      tax_amount: String(c.tax_amount),
      currency: c.currency,
      payment_days: c.payment_days,
      start_date: c.start_date ? dayjs(c.start_date) : null,
      end_date: c.end_date ? dayjs(c.end_date) : null,
      terms: c.terms ?? '',
    });
  }, [editing, c.version]);

  const onSave = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body = contractChanges(c, v);
    if (Object.keys(body).length === 1) {
      onEditingChange(false);
      return;
    }
    try {
      await update.mutateAsync(body);
      message.success(t('common.saved'));
      onEditingChange(false);
    } catch (error) {
      handleError(error);
    }
  };

  const none = t('common.none');
  return (
    <Card
      size="small"
      data-testid="contract-fields"
      title={
        <Space>
          {t('ltc.contract.terms')}
          {frozen ? (
            <Tooltip title={t('ltc.contract.frozenHint')}>
              <Typography.Text type="secondary" data-testid="contract-locked">
                <LockOutlined /> {t('ltc.contract.frozen')}
              </Typography.Text>
            </Tooltip>
          ) : null}
        </Space>
      }
      extra={
        frozen ? (
          canAmend ? (
            <Button size="small" icon={<DiffOutlined />} onClick={onAmend} data-testid="contract-amend">
              {t('ltc.amend.create')}
            </Button>
          ) : null
        ) : canEdit && !editing ? (
          <Button size="small" icon={<EditOutlined />} onClick={() => onEditingChange(true)} data-testid="contract-edit">
            {t('common.edit')}
          </Button>
        ) : null
      }
    >
      {editing && !frozen ? (
        <>
          <FormErrorAlert error={formError} onReload={onReload} />
          <Form form={form} layout="vertical" name="contract-edit" requiredMark="optional">
            <Row gutter={16}>
              <Col xs={24}>
                <Form.Item name="title" label={t('ltc.contract.titleField')} rules={[{ required: true, whitespace: true, message: t('ltc.contract.titleRequired') }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} md={8}>
                <Form.Item name="amount" label={t('ltc.contract.amountInclTax')} rules={[{ required: true, message: t('ltc.contract.amountRequired') }]}>
                  <InputNumber<string> stringMode min="0.01" precision={2} style={{ width: '100%' }} controls={false} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} md={8}>
                <Form.Item name="tax_amount" label={t('ltc.contract.tax')}>
                  <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} controls={false} />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item name="currency" label={t('ltc.currency')}>
                  <Select options={[...new Set([c.currency, ...CURRENCIES])].map((x) => ({ value: x, label: x }))} />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item name="payment_days" label={t('ltc.quote.paymentDays')}>
                  <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="start_date" label={t('ltc.contract.startDate')}>
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="end_date" label={t('ltc.contract.endDate')}>
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={24}>
                <Form.Item name="terms" label={t('ltc.contract.termsText')}>
                  <Input.TextArea rows={4} maxLength={20000} />
                </Form.Item>
              </Col>
            </Row>
            <Space>
              <Button onClick={() => onEditingChange(false)}>{t('common.cancel')}</Button>
              <Button type="primary" loading={update.isPending} onClick={() => void onSave()} data-testid="contract-save">
                {t('common.save')}
              </Button>
            </Space>
          </Form>
        </>
      ) : (
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} colon={false}>
          <Descriptions.Item label={t('ltc.account')}>
            <Link to={`/accounts/${c.account_id}`}>{c.account_name ?? none}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.contract.entity')}>{c.selling_entity_name ?? none}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.owner')}>{c.owner_name ?? none}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.contract.amountInclTax')}>
            <span data-testid="contract-amount">
              <Money amount={c.amount} currency={c.currency} strong />
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.contract.tax')}>
            <Money amount={c.tax_amount} currency={c.currency} />
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.paymentDays')}>{t('ltc.daysN', { days: c.payment_days })}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.contract.signingDate')}>{formatDate(c.signing_date)}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.contract.period')}>
            {c.start_date || c.end_date ? `${formatDate(c.start_date)} ~ ${formatDate(c.end_date)}` : none}
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.contract.source')}>
            {c.quote_id ? (
              <Link to={`/quotes/${c.quote_id}`}>{t('ltc.contract.fromQuote')}</Link>
            ) : c.opportunity_id ? (
              <Link to={`/opportunities/${c.opportunity_id}`}>{t('ltc.contract.fromOpportunity')}</Link>
            ) : (
              t('ltc.contract.fromAccount')
            )}
          </Descriptions.Item>
          {c.signed_at ? <Descriptions.Item label={t('ltc.contract.signedAt')}>{formatDateTime(c.signed_at)}</Descriptions.Item> : null}
          {c.terminated_at ? (
            <Descriptions.Item label={t('ltc.contract.terminatedAt')}>
              {formatDateTime(c.terminated_at)} · {c.termination_reason ?? ''}
            </Descriptions.Item>
          ) : null}
          <Descriptions.Item label={t('ltc.contract.termsText')} span={3}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }} ellipsis={{ rows: 3, expandable: true }}>
              {c.terms || none}
            </Typography.Paragraph>
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
