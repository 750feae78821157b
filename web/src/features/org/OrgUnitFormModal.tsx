import { App, Col, Form, Input, Modal, Row, Select } from 'antd';
import { useEffect } from 'react';
import type { OrgUnit, OrgUnitCreate, OrgUnitKind, OrgUnitUpdate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { CHILD_KINDS, kindLabel } from '@/i18n/labels';
import { useCreateOrgUnit, useUpdateOrgUnit } from './hooks';

interface Values {
  kind: OrgUnitKind;
  code: string;
  name: string;
  name_en?: string;
  uscc?: string;
  currency?: string;
  region?: string;
  timezone?: string;
}

const OPTIONAL = ['name_en', 'uscc', 'currency', 'region', 'timezone'] as const;

export type OrgUnitFormMode = { mode: 'create'; parent: OrgUnit } | { mode: 'edit'; unit: OrgUnit };

interface Props {
  target: OrgUnitFormMode | null;
  onClose: () => void;
  onSaved: (unit: OrgUnit) => void;
  onReload: () => Promise<unknown>;
}

const blankToNull = (v: string | undefined) => (v && v.trim() ? v.trim() : null);

/** Creates a child unit or edits one; PATCH sends only the changed fields plus `version`. */
export function OrgUnitFormModal({ target, onClose, onSaved, onReload }: Props) {
  const { t, td } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateOrgUnit();
  const update = useUpdateOrgUnit();
  const kind = Form.useWatch('kind', form);
  const open = target !== null;

  const childKinds = target?.mode === 'create' ? (CHILD_KINDS[target.parent.kind] ?? []) : [];

  useEffect(() => {
    if (!target) return;
    clearError();
    form.resetFields();
    if (target.mode === 'create') {
      const first = (CHILD_KINDS[target.parent.kind] ?? [])[0] as OrgUnitKind | undefined;
      form.setFieldsValue({
        kind: first,
        currency: target.parent.currency ?? 'CNY',
        timezone: target.parent.timezone ?? 'Asia/Shanghai',
        region: target.parent.region ?? undefined,
      });
    } else {
      const u = target.unit;
      form.setFieldsValue({
        kind: u.kind,
        code: u.code,
        name: u.name,
        name_en: u.name_en ?? undefined,
        uscc: u.uscc ?? undefined,
        currency: u.currency ?? undefined,
        region: u.region ?? undefined,
        timezone: u.timezone ?? undefined,
      });
    }
  }, [target, form, clearError]);

  const onOk = async () => {
    if (!target) return;
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      if (target.mode === 'create') {
        const body: OrgUnitCreate = {
          parent_id: target.parent.id,
          kind: values.kind,
          code: values.code.trim(),
          name: values.name.trim(),
        };
        for (const k of OPTIONAL) {
          const v = blankToNull(values[k]);
          if (v !== null) body[k] = v;
        }
        const created = await create.mutateAsync(body);
        message.success(t('common.created'));
        onSaved(created);
      } else {
        const u = target.unit;
        const body: OrgUnitUpdate = { version: u.version };
        if (values.code.trim() !== u.code) body.code = values.code.trim();
        if (values.name.trim() !== u.name) body.name = values.name.trim();
        for (const k of OPTIONAL) {
          const v = blankToNull(values[k]);
          if (v !== (u[k] ?? null)) body[k] = v;
        }
        const saved = await update.mutateAsync({ id: u.id, body });
        message.success(t('common.saved'));
        onSaved(saved);
      }
    } catch (error) {
      handleError(error);
    }
  };

  const showLegalEntity = kind === 'subsidiary';
  const title =
    target?.mode === 'create'
      ? t('org.createTitle', { parent: target.parent.name })
      : target
        ? t('org.editTitle', { name: target.unit.name })
        : '';

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending || update.isPending}
      width={640}
      forceRender
    >
      <FormErrorAlert
        error={formError}
        onReload={() => {
          void onReload().then(() => onClose());
        }}
      />
      <Form form={form} layout="vertical" name="org-unit" requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="kind" label={t('org.kind')} rules={[{ required: true, message: t('org.kindRequired') }]}>
              <Select
                disabled={target?.mode === 'edit'}
                options={(target?.mode === 'edit' ? [target.unit.kind] : childKinds).map((k) => ({ value: k, label: kindLabel(td, k) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="code" label={t('org.code')} rules={[{ required: true, whitespace: true, message: t('org.codeRequired') }]}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('org.nameRequired') }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="name_en" label={t('org.nameEn')}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          {showLegalEntity ? (
            <Col xs={24}>
              <Form.Item name="uscc" label={t('org.uscc')}>
                <Input maxLength={18} style={{ fontFamily: 'monospace' }} />
              </Form.Item>
            </Col>
          ) : null}
          <Col xs={24} sm={8}>
            <Form.Item name="currency" label={t('org.currency')}>
              <Input maxLength={3} placeholder="CNY" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="region" label={t('org.region')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="timezone" label={t('org.timezone')}>
              <Input maxLength={64} placeholder="Asia/Shanghai" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
