import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Flex, Form, Input, InputNumber, Modal, Row, Select, Space, Switch, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { tid } from '../common';
import { formatPercent } from '../format';
import type { Product, ProductCreate, ProductUpdate } from '../types';
import { productChanges, type ProductValues as Values } from './changes';
import { useUrlFilters } from '../urlFilters';
import { fetchProductsPage, type ProductFilters, productKeys, useSaveProduct } from './hooks';

export const UNITS = ['套', '台', '年', '人天', '项', '个', '次'];
export const TAX_RATES = ['13', '9', '6', '3', '1', '0'];

function ProductModal({ product, onClose }: { product: Product | 'new'; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const existing = product === 'new' ? null : product;
  const save = useSaveProduct(existing?.id ?? null);

  useEffect(() => {
    clearError();
    form.setFieldsValue(
      existing
        ? {
            code: existing.code,
            name: existing.name,
            name_en: existing.name_en ?? '',
            category: existing.category ?? '',
            unit: existing.unit,
            tax_rate: String(Number(existing.tax_rate)),
            description: existing.description ?? '',
            is_active: existing.is_active,
          }
        : { unit: '套', tax_rate: '13', is_active: true },
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
    const body: ProductCreate | ProductUpdate = existing
      ? productChanges(existing, v)
      : {
          code: v.code.trim(),
          name: v.name.trim(),
          name_en: v.name_en?.trim() || null,
          category: v.category?.trim() || null,
          unit: v.unit,
          tax_rate: v.tax_rate,
          description: v.description?.trim() || null,
          is_active: v.is_active,
        };
    if (existing && Object.keys(body).length === 1) {
      onClose();
      return;
    }
    try {
      await save.mutateAsync(body);
      message.success(existing ? t('common.saved') : t('common.created'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open
      title={existing ? t('ltc.product.editTitle', { code: existing.code }) : t('ltc.product.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: save.isPending, ...tid('product-save') }}
      width={680}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="product" requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} sm={10}>
            <Form.Item
              name="code"
              label={t('ltc.product.code')}
              extra={t('ltc.product.codeHint')}
              normalize={(v: string) => v?.toUpperCase()}
              rules={[
                { required: true, message: t('ltc.product.codeRequired') },
                { pattern: /^[A-Z0-9][A-Z0-9._-]{1,63}$/, message: t('ltc.product.codePattern') },
              ]}
            >
              <Input maxLength={64} data-testid="product-code" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item name="name" label={t('ltc.product.name')} rules={[{ required: true, whitespace: true, message: t('ltc.product.nameRequired') }]}>
              <Input maxLength={200} data-testid="product-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item name="name_en" label={t('ltc.product.nameEn')}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={10}>
            <Form.Item name="category" label={t('ltc.product.category')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="unit" label={t('ltc.product.unit')} rules={[{ required: true, message: t('ltc.product.unitRequired') }]}>
              <Select showSearch options={UNITS.map((u) => ({ value: u, label: u }))} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="tax_rate" label={t('ltc.product.taxRate')} extra={t('ltc.product.taxRateHint')} rules={[{ required: true, message: t('ltc.product.taxRequired') }]}>
              <InputNumber<string> stringMode min="0" max="100" precision={2} style={{ width: '100%' }} addonAfter="%" controls={false} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="is_active" label={t('ltc.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="description" label={t('ltc.product.description')}>
              <Input.TextArea rows={2} maxLength={5000} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

/** 产品: the group catalogue (code, names, category, unit, VAT rate), maintained with product.admin. */
export default function ProductsPage() {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const { get, set, clear } = useUrlFilters();
  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const admin = can('product.admin');
  const filters: ProductFilters = {
    q: get('q') ?? '',
    category: get('category'),
    active: get('active') === '1' ? true : get('active') === '0' ? false : null,
  };
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);
  const fetchPage = useCallback((req: PageRequest) => fetchProductsPage(filters, req), [filters.q, filters.category, filters.active]);
  const filtered = Boolean(filters.q || filters.category || filters.active !== null);

  const columns: ColumnsType<Product> = [
    { title: t('ltc.product.code'), dataIndex: 'code', fixed: 'left', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      title: t('ltc.product.name'),
      key: 'name',
      render: (_, p) => (
        <Space direction="vertical" size={0}>
          <span>{locale === 'en-US' && p.name_en ? p.name_en : p.name}</span>
          {p.name_en && locale !== 'en-US' ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {p.name_en}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    { title: t('ltc.product.category'), key: 'category', responsive: ['md'], render: (_, p) => p.category ?? t('common.none') },
    { title: t('ltc.product.unit'), dataIndex: 'unit', responsive: ['sm'] },
    { title: t('ltc.product.taxRate'), key: 'tax', align: 'right', render: (_, p) => formatPercent(String(p.tax_rate)) },
    { title: t('ltc.active'), key: 'active', render: (_, p) => (p.is_active ? <Tag color="green">{t('ltc.activeYes')}</Tag> : <Tag>{t('ltc.activeNo')}</Tag>) },
    ...(admin
      ? [
          {
            title: '',
            key: 'edit',
            render: (_: unknown, p: Product) => (
              <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(p)} data-testid="product-edit">
                {t('common.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <PageContainer
      title={t('ltc.product.title')}
      subtitle={t('ltc.product.subtitle')}
      extra={
        admin ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="product-create">
            {t('ltc.product.create')}
          </Button>
        ) : null
      }
    >
      <Card>
        <Flex gap={12} wrap="wrap" align="center" style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) set({ q: null });
            }}
            onSearch={(v) => set({ q: v.trim() || null })}
            placeholder={t('ltc.product.searchPlaceholder')}
            style={{ width: 260, maxWidth: '100%' }}
            data-testid="product-search"
          />
          <Input
            allowClear
            key={filters.category ?? ''}
            defaultValue={filters.category ?? ''}
            onPressEnter={(e) => set({ category: (e.target as HTMLInputElement).value.trim() || null })}
            onBlur={(e) => set({ category: e.target.value.trim() || null })}
            placeholder={t('ltc.product.category')}
            style={{ width: 160 }}
          />
          <Select
            allowClear
            value={filters.active === null ? undefined : filters.active ? '1' : '0'}
            onChange={(v: string | undefined) => set({ active: v ?? null })}
            placeholder={t('ltc.active')}
            options={[
              { value: '1', label: t('ltc.activeYes') },
              { value: '0', label: t('ltc.activeNo') },
            ]}
            style={{ width: 120 }}
          />
          {filtered ? <Button onClick={() => clear()}>{t('common.reset')}</Button> : null}
        </Flex>
        <CursorTable<Product>
          testId="products-table"
          queryKey={productKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(p) => p.id}
          emptyText={filtered ? t('common.noMatch') : t('ltc.product.empty')}
        />
      </Card>
      {editing ? <ProductModal product={editing} onClose={() => setEditing(null)} /> : null}
    </PageContainer>
  );
}
