import { PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Flex, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { ProcessTemplate } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { fetchTemplatesPage, processKeys, type TemplateFilters, useActiveTemplates, useCreateTemplate } from './hooks';

export const templateName = (tpl: { name: string; name_en?: string | null }, locale: string) => (locale === 'en-US' && tpl.name_en ? tpl.name_en : tpl.name);

function CreateVariantModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (tpl: ProcessTemplate) => void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ subsidiary_id: string; code: string; name: string; name_en?: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateTemplate();
  const templates = useActiveTemplates();
  const { units } = useOrgUnits();
  const standard = templates.data?.find((tpl) => !tpl.subsidiary_id) ?? null;
  const taken = new Set((templates.data ?? []).map((tpl) => tpl.subsidiary_id).filter(Boolean));
  const subsidiaries = units.filter((u) => u.kind === 'subsidiary');

  useEffect(() => {
    if (open) {
      clearError();
      form.resetFields();
    }
  }, [open, form, clearError]);

  const onOk = async () => {
    let v: { subsidiary_id: string; code: string; name: string; name_en?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      const tpl = await create.mutateAsync({
        subsidiary_id: v.subsidiary_id,
        base_template_id: standard?.id ?? null,
        allow_variants: false,
        code: v.code.trim(),
        name: v.name.trim(),
        ...(v.name_en?.trim() ? { name_en: v.name_en.trim() } : {}),
      });
      message.success(t('common.created'));
      onCreated(tpl);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal open={open} title={t('process.createVariant')} onCancel={onClose} onOk={() => void onOk()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={create.isPending} forceRender>
      <Typography.Paragraph type="secondary">
        {t('process.createVariantHint', { standard: standard ? templateName(standard, locale) : t('common.none') })}
      </Typography.Paragraph>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="process-variant" requiredMark="optional">
        <Form.Item name="subsidiary_id" label={t('process.subsidiary')} rules={[{ required: true, message: t('process.subsidiaryRequired') }]}>
          <Select options={subsidiaries.map((s) => ({ value: s.id, label: s.name, disabled: taken.has(s.id) }))} showSearch optionFilterProp="label" />
        </Form.Item>
        <Form.Item name="code" label={t('process.code')} rules={[{ required: true, whitespace: true, message: t('process.codeRequired') }]} extra={t('process.templateCodeHint')}>
          <Input maxLength={64} placeholder="LTC-SH-FAST" />
        </Form.Item>
        <Form.Item name="name" label={t('process.name')} rules={[{ required: true, whitespace: true, message: t('process.nameRequired') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="name_en" label={t('process.nameEn')}>
          <Input maxLength={100} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function ProcessTemplatesPage() {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const { byId } = useOrgUnits();
  const q = params.get('q') ?? '';
  const kindParam = params.get('kind');
  const kind = kindParam === 'group' || kindParam === 'variant' ? kindParam : null;
  const [draft, setDraft] = useState(q);
  const [creating, setCreating] = useState(false);
  const filters: TemplateFilters = useMemo(() => ({ q, kind, subsidiaryId: null, active: null }), [q, kind]);
  const fetchPage = useCallback((req: PageRequest) => fetchTemplatesPage(filters, req), [filters]);
  const setFilter = (name: string, value: string | null) =>
    setParams(
      (p) => {
        if (value) p.set(name, value);
        else p.delete(name);
        return p;
      },
      { replace: true },
    );

  const columns: ColumnsType<ProcessTemplate> = [
    {
      title: t('process.name'),
      key: 'name',
      fixed: 'left',
      render: (_, tpl) => (
        <Space direction="vertical" size={0}>
          <Typography.Link data-testid="process-template-name">{templateName(tpl, locale)}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {tpl.code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('process.kind'),
      key: 'kind',
      render: (_, tpl) =>
        tpl.subsidiary_id ? (
          <Space size={4} wrap>
            <Tag color="purple">{t('process.variant')}</Tag>
            <span>{byId.get(tpl.subsidiary_id)?.name ?? ''}</span>
          </Space>
        ) : (
          <Tag color="blue">{t('process.standard')}</Tag>
        ),
    },
    {
      title: t('process.published'),
      key: 'published',
      render: (_, tpl) => (tpl.latest_published_number ? `v${tpl.latest_published_number}` : <Typography.Text type="secondary">{t('process.notPublished')}</Typography.Text>),
    },
    {
      title: t('process.draft'),
      key: 'draft',
      responsive: ['sm'],
      render: (_, tpl) => (tpl.draft_version_id ? <Tag color="gold">{t('process.hasDraft')}</Tag> : t('common.none')),
    },
    {
      title: t('process.status'),
      dataIndex: 'is_active',
      responsive: ['md'],
      render: (v: boolean) => (v ? <Badge status="success" text={t('process.active')} /> : <Badge status="default" text={t('process.inactive')} />),
    },
    {
      title: t('common.updatedAt'),
      dataIndex: 'updated_at',
      responsive: ['lg'],
      render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm'),
    },
  ];

  return (
    <PageContainer
      title={t('process.title')}
      subtitle={t('process.subtitle')}
      extra={
        can('process.admin') ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="process-create-variant">
            {t('process.createVariant')}
          </Button>
        ) : null
      }
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap">
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) setFilter('q', null);
            }}
            onSearch={(v) => setFilter('q', v.trim() || null)}
            placeholder={t('process.searchPlaceholder')}
            style={{ width: 280 }}
          />
          <Select
            allowClear
            value={kind ?? undefined}
            onChange={(v: string | undefined) => setFilter('kind', v ?? null)}
            placeholder={t('process.kind')}
            options={[
              { value: 'group', label: t('process.standard') },
              { value: 'variant', label: t('process.variant') },
            ]}
            style={{ width: 160 }}
          />
        </Flex>
        <CursorTable<ProcessTemplate>
          testId="process-templates"
          queryKey={processKeys.templates(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(tpl) => tpl.id}
          onRowClick={(tpl) => navigate(`/admin/process/${tpl.id}`)}
          emptyText={q || kind ? t('common.noMatch') : t('process.empty')}
        />
      </Card>
      <CreateVariantModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(tpl) => {
          setCreating(false);
          navigate(`/admin/process/${tpl.id}`);
        }}
      />
    </PageContainer>
  );
}
