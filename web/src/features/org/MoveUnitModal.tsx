import { Alert, App, Form, Modal } from 'antd';
import { useCallback, useEffect, useMemo } from 'react';
import type { OrgUnit } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { CHILD_KINDS } from '@/i18n/labels';
import { OrgUnitTreeSelect } from './OrgUnitTreeSelect';
import { useMoveOrgUnit, useOrgUnits } from './hooks';
import { subtreeIds } from './orgTree';

interface Props {
  unit: OrgUnit | null;
  onClose: () => void;
  onMoved: (unit: OrgUnit) => void;
  onReload: () => Promise<unknown>;
}

export function MoveUnitModal({ unit, onClose, onMoved, onReload }: Props) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ new_parent_id: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const move = useMoveOrgUnit();
  const { units } = useOrgUnits();

  const blocked = useMemo(() => (unit ? subtreeIds(units, unit.id) : new Set<string>()), [units, unit]);
  const isDisabled = useCallback(
    (candidate: OrgUnit) =>
      !unit || blocked.has(candidate.id) || candidate.id === unit.parent_id || !(CHILD_KINDS[candidate.kind] ?? []).includes(unit.kind),
    [blocked, unit],
  );

  useEffect(() => {
    if (unit) {
      clearError();
      form.resetFields();
    }
  }, [unit, form, clearError]);

  const onOk = async () => {
    if (!unit) return;
    let values: { new_parent_id: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    try {
      const moved = await move.mutateAsync({ id: unit.id, newParentId: values.new_parent_id, version: unit.version });
      message.success(t('org.moved'));
      onMoved(moved);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={unit !== null}
      title={unit ? t('org.moveTitle', { name: unit.name }) : ''}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('org.move')}
      cancelText={t('common.cancel')}
      confirmLoading={move.isPending}
      forceRender
    >
      <Alert type="info" showIcon message={t('org.moveHint')} style={{ marginBottom: 16 }} />
      <FormErrorAlert error={formError} onReload={() => void onReload().then(onClose)} />
      <Form form={form} layout="vertical" name="org-move">
        <Form.Item name="new_parent_id" label={t('org.newParent')} rules={[{ required: true, message: t('org.newParentRequired') }]}>
          <OrgUnitTreeSelect isDisabled={isDisabled} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
