import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  DeleteOutlined,
  LockOutlined,
  PlusOutlined,
  SaveOutlined,
} from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Collapse, Empty, Flex, Form, Input, InputNumber, Popconfirm, Row, Select, Skeleton, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { type FormListFieldData } from 'antd/es/form/FormList';
import { useEffect, useRef, useState } from 'react';
import { isApiError } from '@/api/errors';
import type { ProcessDraft, ProcessTemplate } from '@/api/types';
import { splitFieldErrors } from '@/components/formErrors';
import { QueryError } from '@/components/QueryError';
import { REQUIRED_FIELDS, requiredFieldLabel, stageKindLabel } from '@/features/opportunity/labels';
import { sortStages } from '@/features/opportunity/stages';
import { useI18n } from '@/i18n';
import { isStageInputError, newStage, type StageForm, stageIndicesWithErrors, toStageForm, toStageIn } from './designer';
import { useDraft, usePublishDraft, useSaveDraft, useStartDraft } from './hooks';
import { KIND_COLORS } from './StagesTable';

interface Values {
  stages: StageForm[];
}

interface EditorAlert {
  type: 'error' | 'success';
  message: string;
  details: string[];
  conflict?: boolean;
}

const CODE_RULE = { pattern: /^[a-z][a-z0-9_]*$/, message: '' };

function ChecklistEditor({ stageName }: { stageName: number }) {
  const { t } = useI18n();
  return (
    <Form.List name={[stageName, 'checklist']}>
      {(items, { add, remove }) => (
        <div>
          {items.map((item) => (
            <Row gutter={8} key={item.key} align="top" wrap={false} className="designer-checklist-row">
              <Col flex="190px">
                <Form.Item name={[item.name, 'code']} rules={[{ required: true, message: t('process.codeRequired') }, { ...CODE_RULE, message: t('process.codePattern') }]}>
                  <Input placeholder={t('process.itemCode')} maxLength={64} />
                </Form.Item>
              </Col>
              <Col flex="auto">
                <Form.Item name={[item.name, 'label']} rules={[{ required: true, whitespace: true, message: t('process.itemLabelRequired') }]}>
                  <Input placeholder={t('process.itemLabel')} maxLength={200} />
                </Form.Item>
              </Col>
              <Col flex="auto" className="hide-xs">
                <Form.Item name={[item.name, 'label_en']}>
                  <Input placeholder={t('process.itemLabelEn')} maxLength={200} />
                </Form.Item>
              </Col>
              <Col flex="32px">
                <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('common.delete')} />
              </Col>
            </Row>
          ))}
          <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => add({ code: `item_${items.length + 1}`, label: '', label_en: '' })}>
            {t('process.addItem')}
          </Button>
        </div>
      )}
    </Form.List>
  );
}

function StageFields({ field, isVariant }: { field: FormListFieldData; isVariant: boolean }) {
  const { t, td } = useI18n();
  return (
    <>
      <Row gutter={12}>
        <Col xs={24} sm={8}>
          <Form.Item name={[field.name, 'code']} label={t('process.stageCode')} rules={[{ required: true, message: t('process.codeRequired') }, { ...CODE_RULE, message: t('process.codePattern') }]}>
            <Input maxLength={64} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name={[field.name, 'name']} label={t('process.stageName')} rules={[{ required: true, whitespace: true, message: t('process.nameRequired') }]}>
            <Input maxLength={100} data-testid="stage-name" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name={[field.name, 'name_en']} label={t('process.stageNameEn')}>
            <Input maxLength={100} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name={[field.name, 'probability']} label={t('process.probability')} rules={[{ required: true, message: t('process.probabilityRequired') }]}>
            <InputNumber min={0} max={100} precision={0} suffix="%" style={{ width: '100%' }} data-testid="stage-probability" />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name={[field.name, 'kind']} label={t('process.kind')}>
            <Select options={(['open', 'won', 'lost'] as const).map((k) => ({ value: k, label: stageKindLabel(td, k) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name={[field.name, 'max_days']} label={t('process.maxDays')} extra={t('process.maxDaysHint')}>
            <InputNumber min={1} max={3650} precision={0} placeholder={t('process.unlimited')} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Form.Item name={[field.name, 'required_fields']} label={t('process.requiredFields')} extra={t('process.requiredFieldsHint')}>
            <Select mode="multiple" allowClear options={REQUIRED_FIELDS.map((f) => ({ value: f, label: requiredFieldLabel(td, f) }))} placeholder={t('process.requiredFieldsPlaceholder')} />
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Form.Item label={t('process.checklist')} extra={t('process.checklistHint')}>
            <ChecklistEditor stageName={field.name} />
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Form.Item name={[field.name, 'playbook']} label={t('process.playbook')} extra={t('process.playbookHint')}>
            <Input.TextArea autoSize={{ minRows: 4, maxRows: 14 }} maxLength={20000} />
          </Form.Item>
        </Col>
        <Col xs={12}>
          <Form.Item name={[field.name, 'requires_approval']} label={t('process.requiresApproval')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
        <Col xs={12}>
          <Form.Item
            name={[field.name, 'locked']}
            label={
              <Tooltip title={isVariant ? t('process.lockedVariantHint') : t('process.lockedHint')}>
                <span>
                  {t('process.locked')} <LockOutlined />
                </span>
              </Tooltip>
            }
            valuePropName="checked"
          >
            <Switch disabled={isVariant} />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}

/** The draft designer: edit stages in order, save, and publish after the server's checks. */
export function DraftEditor({ template, canEdit }: { template: ProcessTemplate; canEdit: boolean }) {
  const { t, td, locale } = useI18n();
  const { message } = App.useApp();
  const draft = useDraft(template.id);
  const start = useStartDraft(template.id);
  const save = useSaveDraft(template.id);
  const publish = usePublishDraft(template.id);
  const [form] = Form.useForm<Values>();
  const stages = Form.useWatch('stages', form) ?? [];
  const [active, setActive] = useState<string[]>([]);
  const [alert, setAlert] = useState<EditorAlert | null>(null);
  const fieldsRef = useRef<FormListFieldData[]>([]);
  const isVariant = Boolean(template.subsidiary_id);
  const d: ProcessDraft | null | undefined = draft.data;

  // Load the server's stages when the draft appears or changes version (not on every refetch).
  const loadedKey = d ? `${d.id}:${d.template_version}` : null;
  useEffect(() => {
    if (!d) return;
    form.setFieldsValue({ stages: sortStages(d.stages).map(toStageForm) });
  }, [loadedKey]);

  const showErrors = (error: unknown) => {
    if (!isApiError(error)) {
      setAlert({ type: 'error', message: String(error), details: [] });
      return;
    }
    const { fieldData, unmatched } = splitFieldErrors(error.fields, (path) => isStageInputError(path.join('.')));
    if (fieldData.length) form.setFields(fieldData as Parameters<typeof form.setFields>[0]);
    const indices = stageIndicesWithErrors(error.fields);
    const keys = indices.map((i) => fieldsRef.current[i]?.key).filter((k): k is number => k !== undefined).map(String);
    if (keys.length) setActive((prev) => [...new Set([...prev, ...keys])]);
    const current = form.getFieldValue('stages') as StageForm[] | undefined;
    const details = unmatched.map((f) => {
      const m = /^stages\.(\d+)/.exec(f.field);
      if (m) {
        const s = current?.[Number(m[1])];
        return `${t('process.stageN', { n: Number(m[1]) + 1 })}${s?.name ? `「${s.name}」` : ''}：${f.message}`;
      }
      return f.message;
    });
    // Errors placed under inputs still get a line here, so nothing hides in a closed panel.
    const placed = error.fields
      .filter((f) => isStageInputError(f.field))
      .map((f) => {
        const [, idx, ...rest] = f.field.split('.');
        const s = current?.[Number(idx)];
        return `${t('process.stageN', { n: Number(idx) + 1 })}${s?.name ? `「${s.name}」` : ''} · ${attributeLabel(rest)}：${f.message}`;
      });
    setAlert({ type: 'error', message: error.message, details: [...details, ...placed], conflict: error.code === 'version_conflict' });
  };

  /** `['checklist', '0', 'code']` → “检查项 1 · 阶段编码”; `['probability']` → “赢率”. */
  const attributeLabel = (path: string[]): string => {
    const [attr, index, sub] = path;
    if (attr === 'checklist' && index !== undefined) {
      const item = `${t('process.checklist')} ${Number(index) + 1}`;
      return sub ? `${item} · ${sub === 'label' ? t('process.itemLabel') : sub === 'label_en' ? t('process.itemLabelEn') : t('process.itemCode')}` : item;
    }
    return td(`process.attr.${attr ?? ''}`, path.join('.'));
  };

  const body = (values: Values) => ({ stages: (values.stages ?? []).map((s, i) => toStageIn(s, i)) });

  const onSave = async (): Promise<ProcessDraft | null> => {
    if (!d) return null;
    let values: Values;
    try {
      values = await form.validateFields();
    } catch (e) {
      const failed = (e as { errorFields?: { name: (string | number)[] }[] }).errorFields ?? [];
      const keys = failed.map((f) => fieldsRef.current[Number(f.name[1])]?.key).filter((k): k is number => k !== undefined).map(String);
      setActive((prev) => [...new Set([...prev, ...keys])]);
      return null;
    }
    setAlert(null);
    try {
      const saved = await save.mutateAsync({ version: d.template_version, ...body(values) });
      return saved;
    } catch (error) {
      showErrors(error);
      return null;
    }
  };

  const onPublish = async () => {
    const saved = await onSave();
    if (!saved) return;
    try {
      const published = await publish.mutateAsync(saved.template_version);
      setAlert({ type: 'success', message: t('process.publishedDone', { n: published.number }), details: [] });
      message.success(t('process.publishedDone', { n: published.number }));
    } catch (error) {
      showErrors(error);
    }
  };

  if (draft.isError) return <QueryError error={draft.error} onRetry={() => void draft.refetch()} />;
  if (draft.isPending) return <Skeleton active />;

  if (!d) {
    return (
      <Card size="small">
        {alert?.type === 'success' ? <Alert type="success" showIcon message={alert.message} style={{ marginBottom: 16 }} /> : null}
        <Empty
          description={
            template.latest_published_number ? t('process.noDraft', { n: template.latest_published_number }) : t('process.noDraftNoVersion')
          }
        >
          {canEdit ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              loading={start.isPending}
              data-testid="process-start-draft"
              onClick={() =>
                start.mutate(undefined, {
                  onSuccess: () => setAlert(null),
                  onError: (e) => message.error(isApiError(e) ? e.message : String(e)),
                })
              }
            >
              {t('process.startDraft')}
            </Button>
          ) : null}
        </Empty>
      </Card>
    );
  }

  return (
    <div data-testid="process-designer">
      <Flex justify="space-between" align="center" gap={12} wrap="wrap" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Tag color="gold">{t('process.draftN', { n: d.number })}</Tag>
          <Typography.Text type="secondary">{t('process.draftHint')}</Typography.Text>
        </Space>
        {canEdit ? (
          <Space wrap>
            <Button icon={<SaveOutlined />} loading={save.isPending && !publish.isPending} onClick={() => void onSave().then((s) => s && message.success(t('common.saved')))} data-testid="process-save">
              {t('process.saveDraft')}
            </Button>
            <Popconfirm title={t('process.publishConfirm')} description={t('process.publishConfirmHint')} okText={t('process.publish')} cancelText={t('common.cancel')} onConfirm={() => void onPublish()}>
              <Button type="primary" icon={<CloudUploadOutlined />} loading={publish.isPending} data-testid="process-publish">
                {t('process.publish')}
              </Button>
            </Popconfirm>
          </Space>
        ) : null}
      </Flex>
      {alert ? (
        <Alert
          type={alert.type}
          showIcon
          closable
          onClose={() => setAlert(null)}
          style={{ marginBottom: 12 }}
          data-testid="process-alert"
          message={alert.message}
          description={
            alert.details.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {alert.details.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            ) : undefined
          }
          action={
            alert.conflict ? (
              <Button size="small" onClick={() => void draft.refetch().then(() => setAlert(null))}>
                {t('common.reload')}
              </Button>
            ) : undefined
          }
        />
      ) : null}
      <Form form={form} layout="vertical" name="process-draft" requiredMark="optional" disabled={!canEdit}>
        <Form.List name="stages">
          {(fields, { add, remove, move }) => {
            fieldsRef.current = fields;
            return (
              <>
                <Collapse
                  activeKey={active}
                  onChange={(keys) => setActive(Array.isArray(keys) ? keys.map(String) : [String(keys)])}
                  items={fields.map((field, index) => {
                    const s = stages[index] ?? {};
                    return {
                      key: String(field.key),
                      forceRender: true,
                      label: (
                        <Flex gap={8} align="center" wrap="wrap" data-testid="designer-stage" data-stage-code={s.code}>
                          <Typography.Text strong>
                            {index + 1}. {(locale === 'en-US' && s.name_en) || s.name || t('process.unnamed')}
                          </Typography.Text>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {s.code}
                          </Typography.Text>
                          <Tag color={KIND_COLORS[s.kind ?? 'open']} bordered={false}>
                            {stageKindLabel(td, s.kind ?? 'open')}
                          </Tag>
                          <Tag bordered={false}>{s.probability ?? 0}%</Tag>
                          {s.locked ? <LockOutlined style={{ color: '#64748b' }} /> : null}
                          {s.requires_approval ? <AuditOutlined style={{ color: '#d97706' }} /> : null}
                          {(s.checklist?.length ?? 0) > 0 ? <Tag bordered={false}>{t('process.itemsCount', { n: s.checklist?.length ?? 0 })}</Tag> : null}
                        </Flex>
                      ),
                      extra: canEdit ? (
                        <Space size={0} onClick={(e) => e.stopPropagation()}>
                          <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={index === 0} onClick={() => move(index, index - 1)} aria-label={t('process.moveUp')} />
                          <Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={index === fields.length - 1} onClick={() => move(index, index + 1)} aria-label={t('process.moveDown')} />
                          <Popconfirm title={t('process.removeStageConfirm')} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={() => remove(index)}>
                            <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                          </Popconfirm>
                        </Space>
                      ) : undefined,
                      children: <StageFields field={field} isVariant={isVariant} />,
                    };
                  })}
                />
                {canEdit ? (
                  <Button
                    type="dashed"
                    block
                    icon={<PlusOutlined />}
                    style={{ marginTop: 12 }}
                    data-testid="process-add-stage"
                    onClick={() => {
                      const current = (form.getFieldValue('stages') as StageForm[] | undefined) ?? [];
                      const firstClosed = current.findIndex((x) => x.kind && x.kind !== 'open');
                      const at = firstClosed >= 0 ? firstClosed : current.length;
                      add(newStage(current), at);
                    }}
                  >
                    {t('process.addStage')}
                  </Button>
                ) : null}
              </>
            );
          }}
        </Form.List>
      </Form>
    </div>
  );
}
