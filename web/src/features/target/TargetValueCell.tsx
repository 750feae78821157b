import { CheckOutlined, CloseOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, InputNumber, Space, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { isApiError } from '@/api/errors';
import { useI18n } from '@/i18n';
import type { CascadeRow } from './cascade';
import { formatTargetValue, MONEY_TARGETS } from './format';
import { type Target, type TargetMetric, targetKeys, useCreateTarget, useUpdateTarget } from './hooks';

interface Props {
  row: CascadeRow<Target>;
  metric: TargetMetric;
  period: string;
  currency: string | null;
  canWrite: boolean;
}

/**
 * A target value, edited in place: saving sends the version read (optimistic locking); when
 * someone changed it meanwhile the server answers 409 and the cell reloads with their value. A
 * child without a target offers to set one.
 */
export function TargetValueCell({ row, metric, period, currency, canWrite }: Props) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const update = useUpdateTarget();
  const create = useCreateTarget();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<string | null>(null);
  const money = MONEY_TARGETS.has(metric);
  const target = row.target;
  const busy = update.isPending || create.isPending;

  const start = () => {
    setDraft(target?.value ?? null);
    setEditing(true);
  };
  const save = async () => {
    if (draft === null || draft === '') return;
    try {
      if (target) {
        await update.mutateAsync({ id: target.id, body: { version: target.version, value: draft } });
      } else {
        await create.mutateAsync({ metric, period, unit_id: row.unitId, value: draft, ...(row.userId ? { assignee_user_id: row.userId } : {}) });
      }
      message.success(t('target.saved'));
      setEditing(false);
    } catch (error) {
      if (isApiError(error) && error.status === 409 && error.code === 'version_conflict') {
        // Someone saved first: show their value (the mutation only refreshes on success).
        message.warning(t('target.conflict'));
        setEditing(false);
        void qc.invalidateQueries({ queryKey: targetKeys.all });
        return;
      }
      const field = isApiError(error) ? error.fields.find((f) => f.field.endsWith('value'))?.message : null;
      message.error(field ?? (isApiError(error) ? error.message : t('common.loadFailed')));
    }
  };

  if (editing) {
    return (
      <Space.Compact size="small" data-testid="target-value-editor">
        <InputNumber<string>
          stringMode
          autoFocus
          min="0"
          step={money ? '1000' : '1'}
          precision={money ? 2 : 0}
          value={draft}
          onChange={(v) => setDraft(v)}
          onPressEnter={() => void save()}
          style={{ width: 150 }}
          data-testid="target-value-input"
        />
        <Button type="primary" icon={<CheckOutlined />} loading={busy} onClick={() => void save()} aria-label={t('common.save')} data-testid="target-value-save" />
        <Button icon={<CloseOutlined />} onClick={() => setEditing(false)} aria-label={t('common.cancel')} />
      </Space.Compact>
    );
  }
  if (!target) {
    return canWrite ? (
      <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={start} data-testid="target-set">
        {t('target.set')}
      </Button>
    ) : (
      <Typography.Text type="secondary">{t('analytics.kpi.noTarget')}</Typography.Text>
    );
  }
  return (
    <Space size={4}>
      <Typography.Text strong style={{ whiteSpace: 'nowrap' }} data-testid="target-value" data-value={target.value}>
        {formatTargetValue(target.value, metric, currency, locale)}
      </Typography.Text>
      {canWrite ? (
        <Tooltip title={t('target.edit')}>
          <Button size="small" type="text" icon={<EditOutlined />} onClick={start} aria-label={t('target.edit')} data-testid="target-edit" />
        </Tooltip>
      ) : null}
    </Space>
  );
}
