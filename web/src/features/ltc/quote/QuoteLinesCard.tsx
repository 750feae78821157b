import { DeleteOutlined, PlusOutlined, WarningOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Form, Input, InputNumber, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { Money } from '../common';
import { formatAmount, formatNumber, formatPercent } from '../format';
import { estimateLine, type LineInput } from '../pricing';
import type { QuoteDetail, QuoteLine } from '../types';
import { type LineFormValues, type LineValues, linesChanged, toLineValues, toLinesBody } from './lines';
import { useReplaceLines } from './hooks';
import { type PricedProduct, ProductPicker, productLabel } from './ProductPicker';

function knownFromLines(lines: readonly QuoteLine[]): Map<string, PricedProduct> {
  const map = new Map<string, PricedProduct>();
  for (const l of lines) {
    map.set(l.product_id, {
      product_id: l.product_id,
      code: l.product_code ?? '',
      name: l.product_name ?? '',
      name_en: l.product_name_en,
      unit: l.unit,
      list_price: String(l.list_price),
      floor_price: null,
      tax_rate: String(l.tax_rate),
    });
  }
  return map;
}

/**
 * 报价明细: the quote's lines. Editable in draft / pending approval / approved (a priced change
 * voids a pending or granted approval: the server says so and the quote returns to draft).
 * Amounts while editing are a labelled estimate; the saved figures are the server's.
 */
export function QuoteLinesCard({
  quote,
  editable,
  onDirtyChange,
  onEstimate,
}: {
  quote: QuoteDetail;
  editable: boolean;
  onDirtyChange: (dirty: boolean) => void;
  onEstimate: (lines: LineInput[] | null) => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<LineFormValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const save = useReplaceLines(quote.id);
  const [known, setKnown] = useState<Map<string, PricedProduct>>(() => knownFromLines(quote.lines));
  const saved = useMemo(() => toLineValues(quote.lines), [quote.lines]);
  const watched = Form.useWatch('lines', form) as LineValues[] | undefined;
  const edited = watched ?? saved;
  const dirty = editable && linesChanged(saved, edited);

  useEffect(() => {
    setKnown((prev) => {
      const next = new Map(prev);
      for (const [k, v] of knownFromLines(quote.lines)) next.set(k, { ...v, floor_price: prev.get(k)?.floor_price ?? null });
      return next;
    });
    form.setFieldsValue({ lines: toLineValues(quote.lines) });
    clearError();
    // Reset when the server's version changes (saved here, or reloaded).
  }, [quote.id, quote.version]);

  useEffect(() => onDirtyChange(dirty), [dirty]);

  const inputs: LineInput[] = edited.map((l) => {
    const p = l.product_id ? known.get(l.product_id) : undefined;
    return { listPrice: p?.list_price, floorPrice: p?.floor_price, quantity: l.quantity, discountPct: l.discount_pct || '0', taxRate: p?.tax_rate };
  });
  useEffect(() => onEstimate(dirty ? inputs : null), [dirty, JSON.stringify(inputs)]);

  const onSave = async () => {
    clearError();
    try {
      const values = await form.validateFields();
      await save.mutateAsync({ version: quote.version, lines: toLinesBody(values.lines ?? []) });
      message.success(t('common.saved'));
    } catch (error) {
      if (error && typeof error === 'object' && 'errorFields' in error) return; // client-side validation shows in place
      handleError(error);
    }
  };

  const picked = (p: PricedProduct) =>
    setKnown((prev) => {
      const next = new Map(prev);
      next.set(p.product_id, p);
      return next;
    });

  if (!editable) return <ReadOnlyLines quote={quote} />;

  const money = (v: string | null | undefined) => (v ? formatAmount(v, quote.currency, locale) : '—');

  return (
    <Card
      size="small"
      title={
        <Space>
          {t('ltc.line.title')}
          {dirty ? (
            <Tag color="orange" data-testid="quote-lines-dirty">
              {t('ltc.line.unsaved')}
            </Tag>
          ) : null}
        </Space>
      }
      data-testid="quote-lines"
      extra={
        <Space>
          {dirty ? (
            <Button size="small" onClick={() => form.setFieldsValue({ lines: saved })}>
              {t('ltc.line.discard')}
            </Button>
          ) : null}
          <Button size="small" type="primary" disabled={!dirty} loading={save.isPending} onClick={() => void onSave()} data-testid="quote-save-lines">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <FormErrorAlert error={formError} onReload={() => form.setFieldsValue({ lines: saved })} />
      <Form form={form} name="quote-lines" component={false} initialValues={{ lines: saved }}>
        <Form.List name="lines">
          {(fields, { add, remove }) => {
            const columns: ColumnsType<(typeof fields)[number]> = [
              { title: '#', key: 'pos', width: 36, render: (_, f) => f.name + 1 },
              {
                title: t('ltc.line.product'),
                key: 'product',
                render: (_, f) => (
                  <Form.Item name={[f.name, 'product_id']} rules={[{ required: true, message: t('ltc.line.productRequired') }]} style={{ margin: 0 }}>
                    <ProductPicker bookId={quote.price_book_id} currency={quote.currency} known={known} onPicked={picked} />
                  </Form.Item>
                ),
              },
              {
                title: t('ltc.line.quantity'),
                key: 'quantity',
                render: (_, f) => (
                  <Form.Item name={[f.name, 'quantity']} rules={[{ required: true, message: t('ltc.line.quantityRequired') }]} style={{ margin: 0 }}>
                    <InputNumber<string> stringMode min="0.0001" style={{ width: 100 }} data-testid="quote-line-quantity" controls={false} />
                  </Form.Item>
                ),
              },
              {
                title: t('ltc.line.unit'),
                key: 'unit',
                responsive: ['sm'],
                render: (_, f) => {
                  const id = edited[f.name]?.product_id;
                  return id ? known.get(id)?.unit ?? '' : '';
                },
              },
              {
                title: t('ltc.line.listPrice'),
                key: 'list',
                align: 'right',
                render: (_, f) => {
                  const id = edited[f.name]?.product_id;
                  return <span style={{ whiteSpace: 'nowrap' }}>{money(id ? known.get(id)?.list_price : null)}</span>;
                },
              },
              {
                title: t('ltc.line.discountPct'),
                key: 'discount',
                render: (_, f) => (
                  <Form.Item name={[f.name, 'discount_pct']} style={{ margin: 0 }}>
                    <InputNumber<string> stringMode min="0" max="100" precision={2} addonAfter="%" style={{ width: 110 }} data-testid="quote-line-discount" controls={false} />
                  </Form.Item>
                ),
              },
              {
                title: (
                  <Tooltip title={t('ltc.line.estimateHint')}>
                    <span>{t('ltc.line.netPrice')}*</span>
                  </Tooltip>
                ),
                key: 'net',
                align: 'right',
                render: (_, f) => {
                  const e = inputs[f.name] ? estimateLine(inputs[f.name] as LineInput) : null;
                  const id = edited[f.name]?.product_id;
                  const floor = id ? known.get(id)?.floor_price : null;
                  const savedLine = quote.lines[f.name];
                  const unchanged = savedLine && !linesChanged([saved[f.name] as LineValues], [edited[f.name] as LineValues]);
                  const below = e?.belowFloor || (unchanged && savedLine.below_floor);
                  return (
                    <Space size={4} style={{ whiteSpace: 'nowrap' }}>
                      <span>{money(e?.netPrice)}</span>
                      {below ? (
                        <Tooltip title={floor ? t('ltc.line.belowFloorHint', { floor: money(floor) }) : t('ltc.line.belowFloor')}>
                          <Tag color="red" icon={<WarningOutlined />} data-testid="quote-line-below-floor">
                            {t('ltc.line.belowFloor')}
                          </Tag>
                        </Tooltip>
                      ) : null}
                    </Space>
                  );
                },
              },
              {
                title: t('ltc.line.taxRate'),
                key: 'tax_rate',
                responsive: ['md'],
                render: (_, f) => {
                  const id = edited[f.name]?.product_id;
                  const p = id ? known.get(id) : undefined;
                  return p ? formatPercent(p.tax_rate) : '';
                },
              },
              {
                title: t('ltc.line.tax'),
                key: 'tax',
                align: 'right',
                responsive: ['md'],
                render: (_, f) => {
                  const e = inputs[f.name] ? estimateLine(inputs[f.name] as LineInput) : null;
                  return <span style={{ whiteSpace: 'nowrap' }}>{money(e?.taxAmount)}</span>;
                },
              },
              {
                title: t('ltc.line.total'),
                key: 'total',
                align: 'right',
                render: (_, f) => {
                  const e = inputs[f.name] ? estimateLine(inputs[f.name] as LineInput) : null;
                  return <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>{money(e?.lineTotal)}</Typography.Text>;
                },
              },
              {
                title: t('ltc.line.note'),
                key: 'description',
                responsive: ['xl'],
                render: (_, f) => (
                  <Form.Item name={[f.name, 'description']} style={{ margin: 0 }}>
                    <Input maxLength={500} style={{ width: 160 }} />
                  </Form.Item>
                ),
              },
              {
                title: '',
                key: 'remove',
                width: 40,
                render: (_, f) => (
                  <Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} data-testid="quote-line-remove" />
                ),
              },
            ];
            return (
              <>
                <Table
                  size="small"
                  rowKey="key"
                  columns={columns}
                  dataSource={fields}
                  pagination={false}
                  scroll={{ x: 'max-content' }}
                  locale={{ emptyText: t('ltc.line.empty') }}
                />
                <Flex justify="space-between" align="center" wrap="wrap" gap={8} style={{ marginTop: 12 }}>
                  <Button icon={<PlusOutlined />} onClick={() => add({ quantity: '1', discount_pct: '0' })} data-testid="quote-add-line">
                    {t('ltc.line.add')}
                  </Button>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    * {t('ltc.line.estimateHint')}
                  </Typography.Text>
                </Flex>
              </>
            );
          }}
        </Form.List>
      </Form>
    </Card>
  );
}

/** The saved lines, exactly as the server priced them. */
function ReadOnlyLines({ quote }: { quote: QuoteDetail }) {
  const { t, locale } = useI18n();
  const columns: ColumnsType<QuoteLine> = [
    { title: '#', dataIndex: 'position', width: 36, render: (_, __, i) => i + 1 },
    {
      title: t('ltc.line.product'),
      key: 'product',
      render: (_, l) => (
        <Space direction="vertical" size={0}>
          <span>{productLabel({ code: l.product_code ?? '', name: l.product_name ?? '', name_en: l.product_name_en }, locale)}</span>
          {l.description ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {l.description}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    { title: t('ltc.line.quantity'), key: 'qty', align: 'right', render: (_, l) => `${formatNumber(String(l.quantity), locale)} ${l.unit}` },
    { title: t('ltc.line.listPrice'), key: 'list', align: 'right', render: (_, l) => <Money amount={l.list_price} currency={quote.currency} /> },
    {
      title: t('ltc.line.discountPct'),
      key: 'disc',
      align: 'right',
      render: (_, l) => (
        <Space size={4}>
          {formatPercent(String(l.discount_pct))}
          {l.below_floor ? (
            <Tag color="red" icon={<WarningOutlined />}>
              {t('ltc.line.belowFloor')}
            </Tag>
          ) : null}
        </Space>
      ),
    },
    { title: t('ltc.line.netPrice'), key: 'net', align: 'right', render: (_, l) => <Money amount={l.net_price} currency={quote.currency} /> },
    { title: t('ltc.line.netAmount'), key: 'net_amount', align: 'right', responsive: ['md'], render: (_, l) => <Money amount={l.net_amount} currency={quote.currency} /> },
    { title: t('ltc.line.taxRate'), key: 'rate', align: 'right', responsive: ['md'], render: (_, l) => formatPercent(String(l.tax_rate)) },
    { title: t('ltc.line.tax'), key: 'tax', align: 'right', responsive: ['lg'], render: (_, l) => <Money amount={l.tax_amount} currency={quote.currency} /> },
    { title: t('ltc.line.total'), key: 'total', align: 'right', render: (_, l) => <Money amount={l.line_total} currency={quote.currency} strong /> },
  ];
  return (
    <Card size="small" title={t('ltc.line.title')} data-testid="quote-lines">
      <Table<QuoteLine>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={quote.lines}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('ltc.line.empty') }}
      />
    </Card>
  );
}
