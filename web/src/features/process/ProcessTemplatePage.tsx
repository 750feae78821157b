import { ArrowLeftOutlined, EditOutlined, EyeOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Descriptions, Empty, Form, Input, Modal, Result, Skeleton, Space, Switch, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { ProcessTemplate, ProcessTemplateUpdate, ProcessVersionSummary } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { DraftEditor } from './DraftEditor';
import { useProcessVersion, useTemplate, useTemplateVersions, useUpdateTemplate } from './hooks';
import { templateName } from './ProcessTemplatesPage';
import { StagesTable } from './StagesTable';
import '@/features/opportunity/opportunity.css';

interface EditValues {
  name: string;
  name_en?: string;
  allow_variants?: boolean;
  is_active?: boolean;
}

function EditTemplateModal({ template, open, onClose, onReload }: { template: ProcessTemplate; open: boolean; onClose: () => void; onReload: () => Promise<unknown> }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateTemplate(template.id);
  const isVariant = Boolean(template.subsidiary_id);

  useEffect(() => {
    if (!open) return;
    clearError();
    form.setFieldsValue({ name: template.name, name_en: template.name_en ?? '', allow_variants: template.allow_variants, is_active: template.is_active });
  }, [open, template, form, clearError]);

  const onOk = async () => {
    let v: EditValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: ProcessTemplateUpdate = { version: template.version };
    if (v.name.trim() !== template.name) body.name = v.name.trim();
    const en = v.name_en?.trim() || null;
    if (en !== (template.name_en ?? null)) body.name_en = en;
    if (!isVariant && v.allow_variants !== template.allow_variants) body.allow_variants = v.allow_variants ?? null;
    if (isVariant && v.is_active !== template.is_active) body.is_active = v.is_active ?? null;
    try {
      await update.mutateAsync(body);
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal open={open} title={t('process.editTemplate')} onCancel={onClose} onOk={() => void onOk()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={update.isPending} forceRender>
      <FormErrorAlert error={formError} onReload={() => void onReload().then(onClose)} />
      <Form form={form} layout="vertical" name="process-template-edit" requiredMark="optional">
        <Form.Item name="name" label={t('process.name')} rules={[{ required: true, whitespace: true, message: t('process.nameRequired') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="name_en" label={t('process.nameEn')}>
          <Input maxLength={100} />
        </Form.Item>
        {isVariant ? (
          <Form.Item name="is_active" label={t('process.status')} valuePropName="checked" extra={t('process.activeHint')}>
            <Switch checkedChildren={t('process.active')} unCheckedChildren={t('process.inactive')} />
          </Form.Item>
        ) : (
          <Form.Item name="allow_variants" label={t('process.allowVariants')} valuePropName="checked" extra={t('process.allowVariantsHint')}>
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function VersionModal({ versionId, onClose }: { versionId: string | null; onClose: () => void }) {
  const { t } = useI18n();
  const version = useProcessVersion(versionId);
  return (
    <Modal open={versionId !== null} onCancel={onClose} footer={null} width={960} title={version.data ? t('process.versionN', { n: version.data.number }) : t('process.version')}>
      {version.isError ? <QueryError error={version.error} /> : version.data ? <StagesTable stages={version.data.stages} /> : <Skeleton active />}
    </Modal>
  );
}

function VersionsTab({ templateId }: { templateId: string }) {
  const { t } = useI18n();
  const versions = useTemplateVersions(templateId);
  const [viewing, setViewing] = useState<string | null>(null);
  const columns: ColumnsType<ProcessVersionSummary> = [
    { title: t('process.version'), dataIndex: 'number', render: (n: number) => <strong>v{n}</strong> },
    {
      title: t('process.status'),
      dataIndex: 'status',
      render: (s: string) => (s === 'published' ? <Tag color="green">{t('process.statusPublished')}</Tag> : <Tag color="gold">{t('process.statusDraft')}</Tag>),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', responsive: ['sm'], render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
    { title: t('process.publishedAt'), dataIndex: 'published_at', render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : t('common.none')) },
    {
      title: t('common.actions'),
      key: 'view',
      render: (_, v) => (
        <Button size="small" icon={<EyeOutlined />} onClick={() => setViewing(v.id)}>
          {t('process.view')}
        </Button>
      ),
    },
  ];
  if (versions.isError) return <QueryError error={versions.error} onRetry={() => void versions.refetch()} />;
  return (
    <>
      <Table<ProcessVersionSummary>
        data-testid="process-versions"
        size="small"
        rowKey="id"
        pagination={false}
        loading={versions.isFetching}
        dataSource={[...(versions.data ?? [])].sort((a, b) => b.number - a.number)}
        columns={columns}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: versions.isPending ? <div style={{ height: 80 }} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('process.noVersions')} /> }}
      />
      <VersionModal versionId={viewing} onClose={() => setViewing(null)} />
    </>
  );
}

export default function ProcessTemplatePage() {
  const { id = '' } = useParams();
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const template = useTemplate(id);
  const { byId } = useOrgUnits();
  const [editing, setEditing] = useState(false);
  const latest = useProcessVersion(template.data?.latest_published_version_id ?? null);
  const tab = params.get('tab') ?? 'draft';
  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/admin/process')} aria-label={t('common.back')} />;

  if (template.isError) {
    return (
      <PageContainer title={t('process.title')} leading={back}>
        {isApiError(template.error) && template.error.status === 404 ? (
          <Card>
            <Result status="404" title={t('process.notFound')} extra={<Link to="/admin/process"><Button type="primary">{t('common.back')}</Button></Link>} />
          </Card>
        ) : (
          <QueryError error={template.error} onRetry={() => void template.refetch()} />
        )}
      </PageContainer>
    );
  }
  if (!template.data) {
    return (
      <PageContainer title={t('process.title')} leading={back}>
        <Card>
          <Skeleton active />
        </Card>
      </PageContainer>
    );
  }
  const tpl = template.data;
  const canEdit = can('process.admin');

  return (
    <PageContainer
      leading={back}
      documentTitle={templateName(tpl, locale)}
      title={
        <Space wrap>
          <span data-testid="process-template-title">{templateName(tpl, locale)}</span>
          {tpl.subsidiary_id ? <Tag color="purple">{t('process.variant')}</Tag> : <Tag color="blue">{t('process.standard')}</Tag>}
        </Space>
      }
      subtitle={tpl.code}
      extra={
        canEdit ? (
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
            {t('common.edit')}
          </Button>
        ) : null
      }
    >
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, sm: 2, lg: 4 }} size="small" colon={false} styles={{ label: { color: 'rgba(0,0,0,0.5)' } }}>
          <Descriptions.Item label={t('process.kind')}>
            {tpl.subsidiary_id ? `${t('process.variant')} · ${byId.get(tpl.subsidiary_id)?.name ?? ''}` : t('process.standard')}
          </Descriptions.Item>
          <Descriptions.Item label={t('process.published')}>{tpl.latest_published_number ? `v${tpl.latest_published_number}` : t('process.notPublished')}</Descriptions.Item>
          <Descriptions.Item label={t('process.status')}>
            {tpl.is_active ? <Badge status="success" text={t('process.active')} /> : <Badge status="default" text={t('process.inactive')} />}
          </Descriptions.Item>
          {tpl.subsidiary_id ? null : <Descriptions.Item label={t('process.allowVariants')}>{tpl.allow_variants ? t('common.yes') : t('common.no')}</Descriptions.Item>}
        </Descriptions>
      </Card>
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={(k) =>
            setParams(
              (p) => {
                p.set('tab', k);
                return p;
              },
              { replace: true },
            )
          }
          items={[
            { key: 'draft', label: t('process.designer'), children: <DraftEditor template={tpl} canEdit={canEdit} /> },
            {
              key: 'current',
              label: t('process.currentVersion'),
              children: latest.data ? <StagesTable stages={latest.data.stages} /> : latest.isFetching ? <Skeleton active /> : <Empty description={t('process.notPublished')} />,
            },
            { key: 'versions', label: t('process.versions'), children: <VersionsTab templateId={tpl.id} /> },
          ]}
        />
      </Card>
      {canEdit ? <EditTemplateModal template={tpl} open={editing} onClose={() => setEditing(false)} onReload={() => template.refetch()} /> : null}
    </PageContainer>
  );
}
