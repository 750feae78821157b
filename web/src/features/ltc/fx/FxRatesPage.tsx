import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, DatePicker, Flex, Form, InputNumber, Modal, Popconfirm, Row, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { CURRENCIES } from '@/features/opportunity/labels';
import { useI18n } from '@/i18n';
import { tid } from '../common';
import { formatDateTime, formatNumber } from '../format';
import type { FxRate } from '../types';
import { fetchRatesPage, type FxFilters, fxKeys, useDeleteRate, usePutRate } from '../product/hooks';
import { oneOf, useUrlFilters } from '../urlFilters';

const RATE_TYPES = ['average', 'period_end'] as const;

interface Values {
  from_currency: string;
  to_currency: string;
  period: Dayjs;
  rate_type: (typeof RATE_TYPES)[number];
  rate: string;
}

function RateModal({ rate, onClose }: { rate: FxRate | 'new'; onClose: () => void }) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const put = usePutRate();
  const existing = rate === 'new' ? null : rate;
  useEffect(() => {
    clearError();
    form.setFieldsValue(
      existing
        ? { from_currency: existing.from_currency, to_currency: existing.to_currency, period: dayjs(existing.period), rate_type: existing.rate_type, rate: String(existing.rate) }
        : { to_currency: 'CNY', period: dayjs().startOf('month'), rate_type: 'average' },
    );
  }, []);
  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await put.mutateAsync({
        from_currency: v.from_currency,
        to_currency: v.to_currency,
        period: v.period.format('YYYY-MM'),
        rate_type: v.rate_type,
        rate: v.rate,
        ...(existing ? { version: existing.version } : {}),
      });
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };
  const currencyOptions = CURRENCIES.map((c) => ({ value: c, label: c }));
  return (
    <Modal
      open
      title={existing ? t('ltc.fx.editTitle') : t('ltc.fx.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: put.isPending, ...tid('fx-save') }}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="fx-rate" requiredMark="optional">
        <Row gutter={16}>
          <Col xs={12}>
            <Form.Item name="from_currency" label={t('ltc.fx.from')} rules={[{ required: true, message: t('ltc.fx.currencyRequired') }]}>
              <Select showSearch options={currencyOptions} disabled={Boolean(existing)} data-testid="fx-from" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="to_currency" label={t('ltc.fx.to')} rules={[{ required: true, message: t('ltc.fx.currencyRequired') }]}>
              <Select showSearch options={currencyOptions} disabled={Boolean(existing)} />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="period" label={t('ltc.fx.period')} rules={[{ required: true, message: t('ltc.fx.periodRequired') }]}>
              <DatePicker picker="month" style={{ width: '100%' }} disabled={Boolean(existing)} />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="rate_type" label={t('ltc.fx.rateType')}>
              <Select disabled={Boolean(existing)} options={RATE_TYPES.map((r) => ({ value: r, label: td(`ltc.fx.type.${r}`, r) }))} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="rate" label={t('ltc.fx.rate')} extra={t('ltc.fx.rateHint')} rules={[{ required: true, message: t('ltc.fx.rateRequired') }]}>
              <InputNumber<string> stringMode min="0.00000001" precision={8} style={{ width: '100%' }} controls={false} data-testid="fx-rate" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

/** 汇率: monthly average and period-end rates (used to convert quotes, contracts and aging). */
export default function FxRatesPage() {
  const { t, td, locale } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const { get, set, clear } = useUrlFilters();
  const [editing, setEditing] = useState<FxRate | 'new' | null>(null);
  const remove = useDeleteRate();
  const admin = can('fx.admin');
  const filters: FxFilters = {
    from: get('from'),
    to: get('to'),
    rateType: oneOf(RATE_TYPES, get('rate_type')),
    periodFrom: get('period_from'),
    periodTo: get('period_to'),
  };
  const fetchPage = useCallback((req: PageRequest) => fetchRatesPage(filters, req), [JSON.stringify(filters)]);
  const filtered = Object.values(filters).some(Boolean);
  const columns: ColumnsType<FxRate> = [
    { title: t('ltc.fx.pair'), key: 'pair', render: (_, r) => <Typography.Text strong>{`${r.from_currency} → ${r.to_currency}`}</Typography.Text> },
    { title: t('ltc.fx.period'), key: 'period', render: (_, r) => dayjs(r.period).format('YYYY-MM') },
    { title: t('ltc.fx.rateType'), key: 'type', render: (_, r) => <Tag color={r.rate_type === 'average' ? 'blue' : 'purple'}>{td(`ltc.fx.type.${r.rate_type}`, r.rate_type)}</Tag> },
    { title: t('ltc.fx.rate'), key: 'rate', align: 'right', render: (_, r) => formatNumber(String(r.rate), locale, 8) },
    { title: t('common.updatedAt'), key: 'updated', responsive: ['md'], render: (_, r) => formatDateTime(r.updated_at) },
    ...(admin
      ? [
          {
            title: '',
            key: 'actions',
            render: (_: unknown, r: FxRate) => (
              <Space size={4}>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} aria-label={t('common.edit')} />
                <Popconfirm
                  title={t('ltc.fx.deleteConfirm')}
                  okText={t('common.delete')}
                  cancelText={t('common.cancel')}
                  onConfirm={() =>
                    remove.mutateAsync(r.id).then(
                      () => message.success(t('common.deleted')),
                      (e: unknown) => message.error(e instanceof Error ? e.message : String(e)),
                    )
                  }
                >
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];
  const currencyOptions = CURRENCIES.map((c) => ({ value: c, label: c }));
  return (
    <PageContainer
      title={t('ltc.fx.title')}
      subtitle={t('ltc.fx.subtitle')}
      extra={
        admin ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="fx-create">
            {t('ltc.fx.create')}
          </Button>
        ) : null
      }
    >
      <Card>
        <Flex gap={12} wrap="wrap" align="center" style={{ marginBottom: 16 }}>
          <Select allowClear value={filters.from ?? undefined} onChange={(v: string | undefined) => set({ from: v ?? null })} placeholder={t('ltc.fx.from')} options={currencyOptions} style={{ width: 110 }} />
          <Select allowClear value={filters.to ?? undefined} onChange={(v: string | undefined) => set({ to: v ?? null })} placeholder={t('ltc.fx.to')} options={currencyOptions} style={{ width: 110 }} />
          <Select
            allowClear
            value={filters.rateType ?? undefined}
            onChange={(v: string | undefined) => set({ rate_type: v ?? null })}
            placeholder={t('ltc.fx.rateType')}
            options={RATE_TYPES.map((r) => ({ value: r, label: td(`ltc.fx.type.${r}`, r) }))}
            style={{ width: 130 }}
          />
          <DatePicker.RangePicker
            picker="month"
            allowEmpty={[true, true]}
            value={[filters.periodFrom ? dayjs(filters.periodFrom) : null, filters.periodTo ? dayjs(filters.periodTo) : null]}
            onChange={(r) => set({ period_from: r?.[0]?.format('YYYY-MM') ?? null, period_to: r?.[1]?.format('YYYY-MM') ?? null })}
            style={{ width: 240 }}
          />
          {filtered ? <Button onClick={() => clear()}>{t('common.reset')}</Button> : null}
        </Flex>
        <CursorTable<FxRate> testId="fx-table" queryKey={fxKeys.list(filters)} fetchPage={fetchPage} columns={columns} rowKey={(r) => r.id} emptyText={t('ltc.fx.empty')} />
      </Card>
      {editing ? <RateModal rate={editing} onClose={() => setEditing(null)} /> : null}
    </PageContainer>
  );
}
