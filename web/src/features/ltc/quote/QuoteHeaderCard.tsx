import { EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Row, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { formatDate, formatDateTime } from '../format';
import type { QuoteDetail, QuoteUpdate } from '../types';
import { useUpdateQuote } from './hooks';

interface Values {
  title: string;
  valid_until?: Dayjs | null;
  payment_days?: number | null;
  notes?: string | null;
}

/** 报价信息: the header (title, validity, payment terms, notes) and where the quote belongs. */
export function QuoteHeaderCard({ quote, editable, onReload }: { quote: QuoteDetail; editable: boolean; onReload: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateQuote(quote.id);

  useEffect(() => {
    if (!editing) return;
    clearError();
    form.setFieldsValue({
      title: quote.title,
      valid_until: quote.valid_until ? dayjs(quote.valid_until) : null,
      payment_days: quote.payment_days,
      notes: quote.notes ?? '',
    });
  }, [editing, quote.version]);

  const onSave = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body: QuoteUpdate = { version: quote.version };
    if (v.title.trim() !== quote.title) body.title = v.title.trim();
    const until = v.valid_until ? v.valid_until.format('YYYY-MM-DD') : null;
    if (until !== (quote.valid_until ?? null)) body.valid_until = until;
    if (v.payment_days !== null && v.payment_days !== undefined && v.payment_days !== quote.payment_days) body.payment_days = v.payment_days;
    const notes = v.notes?.trim() || null;
    if (notes !== (quote.notes ?? null)) body.notes = notes;
    if (Object.keys(body).length === 1) {
      setEditing(false);
      return;
    }
    try {
      await update.mutateAsync(body);
      message.success(t('common.saved'));
      setEditing(false);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Card
      size="small"
      title={t('ltc.quote.header')}
      data-testid="quote-header"
      extra={
        editable && !editing ? (
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="quote-edit-header">
            {t('common.edit')}
          </Button>
        ) : null
      }
    >
      {editing ? (
        <>
          <FormErrorAlert error={formError} onReload={onReload} />
          <Form form={form} layout="vertical" name="quote-header" requiredMark="optional">
            <Row gutter={16}>
              <Col xs={24}>
                <Form.Item name="title" label={t('ltc.quote.titleField')} rules={[{ required: true, whitespace: true, message: t('ltc.quote.titleRequired') }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="valid_until" label={t('ltc.quote.validUntil')}>
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="payment_days" label={t('ltc.quote.paymentDays')}>
                  <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} addonAfter={t('ltc.days')} />
                </Form.Item>
              </Col>
              <Col xs={24}>
                <Form.Item name="notes" label={t('ltc.quote.notes')}>
                  <Input.TextArea rows={3} maxLength={5000} />
                </Form.Item>
              </Col>
            </Row>
            <Space>
              <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
              <Button type="primary" loading={update.isPending} onClick={() => void onSave()} data-testid="quote-header-save">
                {t('common.save')}
              </Button>
            </Space>
          </Form>
        </>
      ) : (
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} colon={false}>
          <Descriptions.Item label={t('ltc.opportunity')}>
            <Link to={`/opportunities/${quote.opportunity_id}`}>{quote.opportunity_name ?? t('common.none')}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.account')}>
            <Link to={`/accounts/${quote.account_id}`}>{quote.account_name ?? t('common.none')}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.owner')}>{quote.owner_name ?? t('common.none')}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.priceBook')}>
            {quote.price_book_name ?? t('common.none')} · {quote.currency}
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.validUntil')}>
            <span data-testid="quote-valid-until">{formatDate(quote.valid_until)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.paymentDays')}>{t('ltc.daysN', { days: quote.payment_days })}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.submittedAt')}>{formatDateTime(quote.submitted_at)}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.acceptedAt')}>{formatDateTime(quote.accepted_at)}</Descriptions.Item>
          <Descriptions.Item label={t('ltc.quote.notes')}>{quote.notes || t('common.none')}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
