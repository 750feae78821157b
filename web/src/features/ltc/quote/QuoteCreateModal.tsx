import { App, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { tid } from '../common';
import type { QuoteDetail } from '../types';
import { useCreateQuote, usePriceBooksFor } from './hooks';

interface Values {
  title: string;
  price_book_id: string;
  valid_until?: Dayjs | null;
  payment_days?: number | null;
  notes?: string;
}

export interface QuoteTarget {
  id: string;
  name: string;
  subsidiary_id: string;
}

/** 新建报价 on a deal: the price book is one of the books offered to the deal's subsidiary. */
export function QuoteCreateModal({
  open,
  opportunity,
  onClose,
  onCreated,
}: {
  open: boolean;
  opportunity: QuoteTarget;
  onClose: () => void;
  onCreated: (q: QuoteDetail) => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateQuote();
  const books = usePriceBooksFor(opportunity.subsidiary_id, open);

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({
      title: t('ltc.quote.defaultTitle', { name: opportunity.name }),
      valid_until: dayjs().add(30, 'day'),
      payment_days: 30,
    });
  }, [open]);

  // The subsidiary's own price list first (its currency), else the group list.
  useEffect(() => {
    const list = books.data ?? [];
    if (!open || !list.length || form.getFieldValue('price_book_id')) return;
    const own = list.find((b) => b.subsidiary_id === opportunity.subsidiary_id);
    form.setFieldsValue({ price_book_id: (own ?? list[0])?.id });
  }, [books.data, open]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      const quote = await create.mutateAsync({
        opportunity_id: opportunity.id,
        price_book_id: v.price_book_id,
        title: v.title.trim(),
        valid_until: v.valid_until ? v.valid_until.format('YYYY-MM-DD') : null,
        payment_days: v.payment_days ?? 30,
        notes: v.notes?.trim() || null,
        lines: [],
      });
      message.success(t('ltc.quote.createdToast'));
      onCreated(quote);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('ltc.quote.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: create.isPending, ...tid('quote-create-submit') }}
      width={640}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="quote-create" requiredMark="optional">
        <Form.Item name="title" label={t('ltc.quote.titleField')} rules={[{ required: true, whitespace: true, message: t('ltc.quote.titleRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          name="price_book_id"
          label={t('ltc.quote.priceBook')}
          extra={t('ltc.quote.priceBookHint')}
          rules={[{ required: true, message: t('ltc.quote.priceBookRequired') }]}
        >
          <Select
            loading={books.isFetching}
            data-testid="quote-create-book"
            options={(books.data ?? []).map((b) => ({
              value: b.id,
              label: `${locale === 'en-US' && b.name_en ? b.name_en : b.name} · ${b.currency}${b.is_group ? ` · ${t('ltc.book.group')}` : ''}`,
            }))}
            notFoundContent={t('ltc.quote.noBooks')}
          />
        </Form.Item>
        <Row gutter={16}>
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
        </Row>
        <Form.Item name="notes" label={t('ltc.quote.notes')}>
          <Input.TextArea rows={2} maxLength={5000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
