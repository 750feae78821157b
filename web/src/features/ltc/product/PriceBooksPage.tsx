import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, DatePicker, Empty, Flex, Form, Input, InputNumber, Modal, Popconfirm, Row, Select, Space, Switch, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { useDebounced } from '@/components/useDebounced';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { CURRENCIES } from '@/features/opportunity/labels';
import { useI18n } from '@/i18n';
import { Money, tid } from '../common';
import { compareMoney } from '../decimal';
import { formatDate, formatPercent } from '../format';
import type { PriceBook, PriceBookCreate, PriceBookEntry, PriceBookUpdate } from '../types';
import { useUrlFilters } from '../urlFilters';
import { bookKeys, type BookFilters, fetchBooksPage, fetchEntriesPage, useDeleteEntry, usePriceBook, useProductSearch, usePutEntry, useSaveBook } from './hooks';

const bookName = (b: Pick<PriceBook, 'name' | 'name_en'>, locale: string) => (locale === 'en-US' && b.name_en ? b.name_en : b.name);

interface BookValues {
  code: string;
  name: string;
  name_en?: string;
  subsidiary_id?: string | null;
  currency?: string;
  valid?: [Dayjs | null, Dayjs | null] | null;
  is_active: boolean;
}

function BookModal({ book, onClose, onSaved }: { book: PriceBook | 'new'; onClose: () => void; onSaved: (b: PriceBook) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<BookValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const existing = book === 'new' ? null : book;
  const save = useSaveBook(existing?.id ?? null);
  const { units } = useOrgUnits({ enabled: !existing });
  const subsidiaries = useMemo(() => units.filter((u) => u.kind === 'subsidiary'), [units]);
  const subsidiaryId = Form.useWatch('subsidiary_id', form) as string | null | undefined;

  useEffect(() => {
    clearError();
    form.setFieldsValue(
      existing
        ? {
            code: existing.code,
            name: existing.name,
            name_en: existing.name_en ?? '',
            valid: [existing.valid_from ? dayjs(existing.valid_from) : null, existing.valid_to ? dayjs(existing.valid_to) : null],
            is_active: existing.is_active,
          }
        : { is_active: true, currency: 'CNY', subsidiary_id: null },
    );
  }, []);

  const onOk = async () => {
    let v: BookValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const from = v.valid?.[0]?.format('YYYY-MM-DD') ?? null;
    const to = v.valid?.[1]?.format('YYYY-MM-DD') ?? null;
    let body: PriceBookCreate | PriceBookUpdate;
    if (existing) {
      const b: PriceBookUpdate = { version: existing.version };
      if (v.code.trim() !== existing.code) b.code = v.code.trim();
      if (v.name.trim() !== existing.name) b.name = v.name.trim();
      if ((v.name_en?.trim() || null) !== (existing.name_en ?? null)) b.name_en = v.name_en?.trim() || null;
      if (from !== (existing.valid_from ?? null)) b.valid_from = from;
      if (to !== (existing.valid_to ?? null)) b.valid_to = to;
      if (v.is_active !== existing.is_active) b.is_active = v.is_active;
      body = b;
    } else {
      body = {
        code: v.code.trim(),
        name: v.name.trim(),
        name_en: v.name_en?.trim() || null,
        subsidiary_id: v.subsidiary_id || null,
        // A subsidiary list takes its subsidiary's currency (the server decides).
        currency: v.subsidiary_id ? null : v.currency || null,
        valid_from: from,
        valid_to: to,
        is_active: v.is_active,
      };
    }
    try {
      const saved = await save.mutateAsync(body);
      message.success(existing ? t('common.saved') : t('common.created'));
      onSaved(saved);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open
      title={existing ? t('ltc.book.editTitle', { name: existing.name }) : t('ltc.book.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: save.isPending, ...tid('book-save') }}
      width={640}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="price-book" requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} sm={10}>
            <Form.Item name="code" label={t('ltc.book.code')} normalize={(v: string) => v?.toUpperCase()} rules={[{ required: true, message: t('ltc.product.codeRequired') }, { pattern: /^[A-Z0-9][A-Z0-9._-]{1,63}$/, message: t('ltc.product.codePattern') }]}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item name="name" label={t('ltc.book.name')} rules={[{ required: true, whitespace: true, message: t('ltc.book.nameRequired') }]}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="name_en" label={t('ltc.book.nameEn')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          {existing ? null : (
            <>
              <Col xs={24} sm={14}>
                <Form.Item name="subsidiary_id" label={t('ltc.book.owner')} extra={t('ltc.book.ownerHint')}>
                  <Select allowClear placeholder={t('ltc.book.group')} options={subsidiaries.map((u) => ({ value: u.id, label: `${u.name}${u.currency ? ` · ${u.currency}` : ''}` }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={10}>
                <Form.Item name="currency" label={t('ltc.currency')}>
                  <Select disabled={Boolean(subsidiaryId)} options={CURRENCIES.map((c) => ({ value: c, label: c }))} />
                </Form.Item>
              </Col>
            </>
          )}
          <Col xs={24} sm={16}>
            <Form.Item name="valid" label={t('ltc.book.validity')}>
              <DatePicker.RangePicker allowEmpty={[true, true]} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="is_active" label={t('ltc.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

interface EntryValues {
  product_id: string;
  list_price: string;
  floor_price?: string | null;
}

function EntryModal({ book, entry, onClose }: { book: PriceBook; entry: PriceBookEntry | 'new'; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<EntryValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const existing = entry === 'new' ? null : entry;
  const put = usePutEntry(book.id);
  const [term, setTerm] = useState('');
  const q = useDebounced(term, 250);
  const products = useProductSearch(q, !existing);
  const list = Form.useWatch('list_price', form) as string | undefined;
  const floor = Form.useWatch('floor_price', form) as string | undefined;
  const floorAboveList = Boolean(list && floor && compareMoney(floor, list) === 1);

  useEffect(() => {
    clearError();
    if (existing)
      form.setFieldsValue({
        product_id: existing.product_id,
        list_price: String(existing.list_price),
        floor_price: existing.floor_price === null || existing.floor_price === undefined ? null : String(existing.floor_price),
      });
  }, []);

  const onOk = async () => {
    let v: EntryValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await put.mutateAsync({
        productId: v.product_id,
        body: { list_price: v.list_price, floor_price: v.floor_price || null, ...(existing ? { version: existing.version } : {}) },
      });
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open
      title={existing ? t('ltc.entry.editTitle', { code: existing.product_code }) : t('ltc.entry.add')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: put.isPending, ...tid('entry-save') }}
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="price-entry" requiredMark="optional">
        <Form.Item name="product_id" label={t('ltc.line.product')} rules={[{ required: true, message: t('ltc.line.productRequired') }]}>
          {existing ? (
            <Select disabled options={[{ value: existing.product_id, label: `${existing.product_code} · ${existing.product_name}` }]} />
          ) : (
            <Select
              showSearch
              filterOption={false}
              onSearch={setTerm}
              loading={products.isFetching}
              options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.code} · ${locale === 'en-US' && p.name_en ? p.name_en : p.name}` }))}
              data-testid="entry-product"
            />
          )}
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="list_price" label={t('ltc.entry.listPrice')} rules={[{ required: true, message: t('ltc.entry.listRequired') }]}>
              <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} addonAfter={book.currency} controls={false} data-testid="entry-list" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="floor_price"
              label={t('ltc.entry.floorPrice')}
              extra={floorAboveList ? <Typography.Text type="warning">{t('ltc.entry.floorAboveList')}</Typography.Text> : t('ltc.entry.floorHint')}
            >
              <InputNumber<string> stringMode min="0" precision={2} style={{ width: '100%' }} addonAfter={book.currency} controls={false} data-testid="entry-floor" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

/** The selected book's priced products, with floor prices; editable with product.admin. */
function EntriesCard({ bookId, admin }: { bookId: string; admin: boolean }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const book = usePriceBook(bookId);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<PriceBookEntry | 'new' | null>(null);
  const [editingBook, setEditingBook] = useState(false);
  const remove = useDeleteEntry(bookId);
  const fetchPage = useCallback((req: PageRequest) => fetchEntriesPage(bookId, q, req), [bookId, q]);
  const b = book.data;
  if (!b) return <Card loading />;
  const columns: ColumnsType<PriceBookEntry> = [
    { title: t('ltc.product.code'), dataIndex: 'product_code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      title: t('ltc.product.name'),
      key: 'name',
      render: (_, e) => (
        <Space size={4}>
          <span>{locale === 'en-US' && e.product_name_en ? e.product_name_en : e.product_name}</span>
          {e.product_is_active ? null : <Tag>{t('ltc.activeNo')}</Tag>}
        </Space>
      ),
    },
    { title: t('ltc.product.unit'), dataIndex: 'unit', responsive: ['md'] },
    { title: t('ltc.entry.listPrice'), key: 'list', align: 'right', render: (_, e) => <Money amount={e.list_price} currency={e.currency} /> },
    {
      title: t('ltc.entry.floorPrice'),
      key: 'floor',
      align: 'right',
      render: (_, e) => (e.floor_price === null || e.floor_price === undefined ? t('common.none') : <Money amount={e.floor_price} currency={e.currency} />),
    },
    { title: t('ltc.product.taxRate'), key: 'tax', align: 'right', responsive: ['sm'], render: (_, e) => formatPercent(String(e.tax_rate)) },
    ...(admin
      ? [
          {
            title: '',
            key: 'actions',
            render: (_: unknown, e: PriceBookEntry) => (
              <Space size={4}>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(e)} aria-label={t('common.edit')} data-testid="entry-edit" />
                <Popconfirm
                  title={t('ltc.entry.removeConfirm')}
                  okText={t('common.delete')}
                  cancelText={t('common.cancel')}
                  onConfirm={() =>
                    remove.mutateAsync(e.product_id).then(
                      () => message.success(t('common.deleted')),
                      (err: unknown) => message.error(err instanceof Error ? err.message : String(err)),
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
  return (
    <Card
      size="small"
      data-testid="price-book-entries"
      title={
        <Space wrap>
          <span>{bookName(b, locale)}</span>
          <Tag color={b.is_group ? 'blue' : 'cyan'}>{b.is_group ? t('ltc.book.group') : b.subsidiary_name}</Tag>
          <Tag>{b.currency}</Tag>
          {b.is_active ? null : <Tag>{t('ltc.activeNo')}</Tag>}
        </Space>
      }
      extra={
        admin ? (
          <Space>
            <Button size="small" icon={<EditOutlined />} onClick={() => setEditingBook(true)}>
              {t('common.edit')}
            </Button>
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="entry-add">
              {t('ltc.entry.add')}
            </Button>
          </Space>
        ) : null
      }
    >
      <Flex gap={12} wrap="wrap" align="center" style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('ltc.product.searchPlaceholder')} onSearch={(v) => setQ(v.trim())} style={{ width: 240, maxWidth: '100%' }} />
        <Typography.Text type="secondary">
          {t('ltc.book.validity')}: {b.valid_from || b.valid_to ? `${formatDate(b.valid_from)} ~ ${formatDate(b.valid_to)}` : t('ltc.book.always')}
        </Typography.Text>
      </Flex>
      <CursorTable<PriceBookEntry>
        testId="entries-table"
        queryKey={bookKeys.entries(bookId, q)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(e) => e.id}
        emptyText={t('ltc.entry.empty')}
        pageSizes={[20, 50, 100]}
      />
      {editing ? <EntryModal book={b} entry={editing} onClose={() => setEditing(null)} /> : null}
      {editingBook ? <BookModal book={b} onClose={() => setEditingBook(false)} onSaved={() => setEditingBook(false)} /> : null}
    </Card>
  );
}

/** 价格表: the group list price book and subsidiary price lists; entries with floor prices. */
export default function PriceBooksPage() {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const { get, set } = useUrlFilters();
  const admin = can('product.admin');
  const [creating, setCreating] = useState(false);
  const selected = get('book');
  const filters: BookFilters = {
    kind: get('kind') === 'group' ? 'group' : get('kind') === 'subsidiary' ? 'subsidiary' : null,
    active: get('active') === '0' ? false : get('active') === 'all' ? null : true,
    q: '',
  };
  const fetchPage = useCallback((req: PageRequest) => fetchBooksPage(filters, req), [filters.kind, filters.active]);
  const columns: ColumnsType<PriceBook> = [
    {
      title: t('ltc.book.name'),
      key: 'name',
      render: (_, b) => (
        <Space direction="vertical" size={0}>
          <Typography.Link strong={b.id === selected}>{bookName(b, locale)}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {b.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('ltc.book.owner'), key: 'owner', render: (_, b) => (b.is_group ? <Tag color="blue">{t('ltc.book.group')}</Tag> : b.subsidiary_name) },
    { title: t('ltc.currency'), dataIndex: 'currency' },
    { title: t('ltc.active'), key: 'active', responsive: ['xxl'], render: (_, b) => (b.is_active ? <Tag color="green">{t('ltc.activeYes')}</Tag> : <Tag>{t('ltc.activeNo')}</Tag>) },
  ];
  return (
    <PageContainer
      title={t('ltc.book.title')}
      subtitle={t('ltc.book.subtitle')}
      extra={
        admin ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="book-create">
            {t('ltc.book.create')}
          </Button>
        ) : null
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Card size="small">
            <Flex gap={8} wrap="wrap" style={{ marginBottom: 12 }}>
              <Select
                allowClear
                value={filters.kind ?? undefined}
                placeholder={t('ltc.book.owner')}
                onChange={(v: string | undefined) => set({ kind: v ?? null })}
                options={[
                  { value: 'group', label: t('ltc.book.group') },
                  { value: 'subsidiary', label: t('ltc.book.subsidiaryLists') },
                ]}
                style={{ width: 150 }}
              />
              <Select
                value={filters.active === null ? 'all' : filters.active ? '1' : '0'}
                onChange={(v: string) => set({ active: v === '1' ? null : v })}
                options={[
                  { value: '1', label: t('ltc.activeYes') },
                  { value: '0', label: t('ltc.activeNo') },
                  { value: 'all', label: t('ltc.all') },
                ]}
                style={{ width: 110 }}
              />
            </Flex>
            <CursorTable<PriceBook>
              testId="books-table"
              queryKey={bookKeys.list(filters)}
              fetchPage={fetchPage}
              columns={columns}
              rowKey={(b) => b.id}
              onRowClick={(b) => set({ book: b.id })}
              emptyText={t('ltc.book.empty')}
            />
          </Card>
        </Col>
        <Col xs={24} xl={15}>
          {selected ? (
            <EntriesCard key={selected} bookId={selected} admin={admin} />
          ) : (
            <Card>
              <Empty description={t('ltc.book.pick')} />
            </Card>
          )}
        </Col>
      </Row>
      {creating ? (
        <BookModal
          book="new"
          onClose={() => setCreating(false)}
          onSaved={(b) => {
            setCreating(false);
            set({ book: b.id });
          }}
        />
      ) : null}
    </PageContainer>
  );
}
