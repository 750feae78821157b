import { EditOutlined } from '@ant-design/icons';
import { App, AutoComplete, Button, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Row, Select, Space, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import type { OpportunityDetail, OpportunityUpdate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { SOURCES } from './CreateOpportunityModal';
import { useUpdateOpportunity } from './hooks';
import { CURRENCIES, FORECAST_CATEGORIES, FORECAST_COLORS, forecastLabel } from './labels';
import { formatMoney } from './stages';

interface Values {
  name: string;
  amount?: string | null;
  currency: string;
  expected_close_date?: Dayjs | null;
  forecast_category: string;
  source?: string;
  competitors?: string[];
}

const COMPETITORS = ['用友', '金蝶', 'Salesforce', 'SAP', 'Oracle', '纷享销客', '销售易'];

/** The deal's editable facts: amount, currency, close date, forecast, source, competitors. */
export function DealFieldsCard({
  deal,
  editing,
  onEditingChange,
  canWrite,
  onReload,
  highlight,
}: {
  deal: OpportunityDetail;
  editing: boolean;
  onEditingChange: (v: boolean) => void;
  canWrite: boolean;
  onReload: () => Promise<unknown>;
  highlight?: boolean;
}) {
  const { t, td, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateOpportunity(deal.id);
  const open = deal.status === 'open';
  const sourceOptions = useMemo(() => SOURCES.map((s) => ({ value: t(`opp.source.${s}`) })), [t]);
  const none = t('common.none');

  useEffect(() => {
    if (!editing) return;
    clearError();
    form.setFieldsValue({
      name: deal.name,
      amount: deal.amount,
      currency: deal.currency,
      expected_close_date: deal.expected_close_date ? dayjs(deal.expected_close_date) : null,
      forecast_category: deal.forecast_category,
      source: deal.source ?? undefined,
      competitors: deal.competitors,
    });
    // Only when the form opens, or the deal was reloaded (new version).
  }, [editing, deal.version]);

  const onSave = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body: OpportunityUpdate = { version: deal.version };
    if (v.name.trim() !== deal.name) body.name = v.name.trim();
    const amount = v.amount === null || v.amount === undefined || v.amount === '' ? '0' : String(v.amount);
    if (Number(amount) !== Number(deal.amount)) body.amount = amount;
    if (v.currency !== deal.currency) body.currency = v.currency;
    const close = v.expected_close_date ? v.expected_close_date.format('YYYY-MM-DD') : null;
    if (close !== (deal.expected_close_date ?? null)) body.expected_close_date = close;
    if (v.forecast_category !== deal.forecast_category) body.forecast_category = v.forecast_category as OpportunityUpdate['forecast_category'];
    const source = v.source?.trim() || null;
    if (source !== (deal.source ?? null)) body.source = source;
    const competitors = (v.competitors ?? []).map((c) => c.trim()).filter(Boolean);
    if (JSON.stringify(competitors) !== JSON.stringify(deal.competitors)) body.competitors = competitors;
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

  return (
    <Card
      size="small"
      id="opp-section-fields"
      className={highlight ? 'opp-section-flash' : undefined}
      title={t('opp.fieldsTitle')}
      data-testid="opp-fields"
      extra={
        canWrite && open && !editing ? (
          <Button size="small" icon={<EditOutlined />} onClick={() => onEditingChange(true)} data-testid="opp-fields-edit">
            {t('common.edit')}
          </Button>
        ) : null
      }
    >
      {editing ? (
        <>
          <FormErrorAlert
            error={formError}
            onReload={() =>
              void onReload().then(() => {
                clearError();
                onEditingChange(false);
                onEditingChange(true);
              })
            }
          />
          <Form form={form} layout="vertical" name="opp-edit" requiredMark="optional">
            <Row gutter={16}>
              <Col xs={24}>
                <Form.Item name="name" label={t('opp.name')} rules={[{ required: true, whitespace: true, message: t('opp.nameRequired') }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} md={8}>
                <Form.Item name="amount" label={t('opp.amount')}>
                  <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} id="opp-edit-amount" />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6} md={4}>
                <Form.Item name="currency" label={t('opp.currency')} rules={[{ required: true, message: t('opp.currencyRequired') }]}>
                  <Select options={[...new Set([deal.currency, ...CURRENCIES])].map((c) => ({ value: c, label: c }))} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6} md={6}>
                <Form.Item name="expected_close_date" label={t('opp.expectedClose')}>
                  <DatePicker style={{ width: '100%' }} id="opp-edit-close" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} md={6}>
                <Form.Item name="forecast_category" label={t('opp.forecast')}>
                  <Select options={FORECAST_CATEGORIES.map((c) => ({ value: c, label: forecastLabel(td, c) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="source" label={t('opp.source')}>
                  <AutoComplete options={sourceOptions} maxLength={64} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="competitors" label={t('opp.competitors')} extra={t('opp.competitorsHint')}>
                  <Select mode="tags" maxCount={20} options={COMPETITORS.map((c) => ({ value: c, label: c }))} tokenSeparators={[',', '，']} id="opp-edit-competitors" />
                </Form.Item>
              </Col>
            </Row>
            <Space>
              <Button type="primary" loading={update.isPending} onClick={() => void onSave()} data-testid="opp-fields-save">
                {t('common.save')}
              </Button>
              <Button onClick={() => onEditingChange(false)}>{t('common.cancel')}</Button>
            </Space>
          </Form>
        </>
      ) : (
        <Descriptions column={{ xs: 1, sm: 2, lg: 3 }} size="small" colon={false} styles={{ label: { color: 'rgba(0,0,0,0.5)' } }}>
          <Descriptions.Item label={t('opp.amount')}>
            <strong>{formatMoney(deal.amount, deal.currency, locale)}</strong>
          </Descriptions.Item>
          <Descriptions.Item label={t('opp.expectedClose')}>{deal.expected_close_date ?? none}</Descriptions.Item>
          <Descriptions.Item label={t('opp.forecast')}>
            <Tag color={FORECAST_COLORS[deal.forecast_category]} bordered={false}>
              {forecastLabel(td, deal.forecast_category)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('opp.source')}>{deal.source || none}</Descriptions.Item>
          <Descriptions.Item label={t('opp.competitors')}>
            {deal.competitors.length ? deal.competitors.map((c) => <Tag key={c}>{c}</Tag>) : none}
          </Descriptions.Item>
          <Descriptions.Item label={t('opp.owner')}>{deal.owner_name ?? none}</Descriptions.Item>
          {deal.loss_reason ? <Descriptions.Item label={t('opp.lossReason')}>{deal.loss_reason}</Descriptions.Item> : null}
          <Descriptions.Item label={t('common.createdAt')}>{dayjs(deal.created_at).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
          <Descriptions.Item label={t('common.updatedAt')}>
            {dayjs(deal.updated_at).format('YYYY-MM-DD HH:mm')} · {t('common.version')} {deal.version}
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
