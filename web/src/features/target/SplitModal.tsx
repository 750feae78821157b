import { Alert, Checkbox, Flex, InputNumber, Modal, Radio, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { type ApiFieldError, isApiError } from '@/api/errors';
import { toCents } from '@/features/analytics/waterfall';
import { tid } from '@/features/ltc/common';
import { useI18n } from '@/i18n';
import { type CascadeRow, equalSplit, splitIndex, subtract, sumValues } from './cascade';
import { formatTargetValue, MONEY_TARGETS } from './format';
import { type CascadeMethod, type Target, type TargetMetric, useCascadeTarget } from './hooks';

interface Props {
  open: boolean;
  onClose: () => void;
  parent: CascadeRow<Target> & { target: Target };
  childRows: readonly CascadeRow<Target>[];
  metric: TargetMetric;
  period: string;
  currency: string | null;
}

const METHODS: CascadeMethod[] = ['manual', 'equal', 'last_period'];

/**
 * 分解到下级: split the unit's target to its children — typed by hand, evenly, or in proportion
 * to last year's actuals — with the running sum against the parent while typing. The server
 * writes all rows in one transaction; a row it refuses is marked with its message.
 */
export function SplitModal({ open, onClose, parent, childRows, metric, period, currency }: Props) {
  const { t, td, locale } = useI18n();
  const cascade = useCascadeTarget();
  const money = MONEY_TARGETS.has(metric);
  const [method, setMethod] = useState<CascadeMethod>('manual');
  const [included, setIncluded] = useState<Set<string>>(new Set());
  const [values, setValues] = useState<Record<string, string | null>>({});
  const [error, setError] = useState<unknown>(null);

  // Reset when opened (or when the children change underneath), not on every render.
  const childKey = childRows.map((r) => `${r.key}=${r.target?.value ?? ''}`).join('|');
  useEffect(() => {
    if (!open) return;
    // Units first: a unit with child units splits to them; people are optional.
    const units = childRows.filter((r) => r.kind === 'unit');
    setIncluded(new Set((units.length ? units : childRows).map((r) => r.key)));
    setValues(Object.fromEntries(childRows.map((r) => [r.key, r.target?.value ?? null])));
    setMethod('manual');
    setError(null);
  }, [open, childKey]);

  const chosen = childRows.filter((r) => included.has(r.key));
  const shown: Record<string, string | null> = useMemo(() => {
    if (method === 'manual') return Object.fromEntries(chosen.map((r) => [r.key, values[r.key] ?? null]));
    if (method === 'equal') {
      const parts = equalSplit(parent.target.value, chosen.length, !money);
      return Object.fromEntries(chosen.map((r, i) => [r.key, parts[i] ?? null]));
    }
    return {};
  }, [method, chosen, values, parent.target.value, money]);
  // Children left out keep their current targets, and those count towards the parent too.
  const kept = sumValues(childRows.filter((r) => !included.has(r.key)).map((r) => r.target?.value ?? null));
  const sum = method === 'last_period' ? null : sumValues([...Object.values(shown), kept]);
  const diff = sum === null ? null : subtract(sum, parent.target.value);
  const sign = diff === null ? 0 : Math.sign(Number(toCents(diff)));

  const fieldErrors = new Map<number, ApiFieldError>();
  if (isApiError(error)) for (const f of error.fields) {
    const i = splitIndex(f.field);
    if (i !== null) fieldErrors.set(i, f);
  }
  const rowError = (r: CascadeRow<Target>) => {
    const i = chosen.indexOf(r);
    return i >= 0 ? fieldErrors.get(i) : undefined;
  };

  const submit = async () => {
    setError(null);
    try {
      await cascade.mutateAsync({
        metric,
        period,
        unit_id: parent.unitId,
        method,
        splits: chosen.map((r) => ({
          ...(r.kind === 'person' && r.userId ? { user_id: r.userId } : { unit_id: r.unitId }),
          ...(method === 'manual' ? { value: values[r.key] ?? null } : {}),
        })),
      });
      onClose();
    } catch (e) {
      setError(e);
    }
  };

  const columns: ColumnsType<CascadeRow<Target>> = [
    {
      title: '',
      key: 'include',
      width: 40,
      render: (_, r) => (
        <Checkbox
          checked={included.has(r.key)}
          onChange={(e) =>
            setIncluded((prev) => {
              const next = new Set(prev);
              if (e.target.checked) next.add(r.key);
              else next.delete(r.key);
              return next;
            })
          }
          aria-label={r.name}
        />
      ),
    },
    {
      title: t('target.child'),
      key: 'name',
      render: (_, r) => (
        <Flex vertical>
          <span>
            {r.name} {r.kind === 'person' ? <Tag bordered={false}>{t('target.person')}</Tag> : null}
          </span>
          {r.target ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('target.current', { value: formatTargetValue(r.target.value, metric, currency, locale) })}
            </Typography.Text>
          ) : null}
        </Flex>
      ),
    },
    {
      title: t('target.value'),
      key: 'value',
      align: 'right',
      render: (_, r) => {
        const err = rowError(r);
        const inIt = included.has(r.key);
        return (
          <Flex vertical align="flex-end">
            {method === 'manual' ? (
              <InputNumber<string>
                stringMode
                size="small"
                min="0"
                precision={money ? 2 : 0}
                disabled={!inIt}
                value={values[r.key] ?? null}
                status={err ? 'error' : undefined}
                onChange={(v) => setValues((prev) => ({ ...prev, [r.key]: v }))}
                style={{ width: 150 }}
                data-testid="split-value"
              />
            ) : method === 'equal' && inIt ? (
              <Typography.Text>{formatTargetValue(shown[r.key], metric, currency, locale)}</Typography.Text>
            ) : (
              <Typography.Text type="secondary">{inIt ? t('target.split.computed') : '—'}</Typography.Text>
            )}
            {err ? (
              <Typography.Text type="danger" style={{ fontSize: 12 }}>
                {err.message}
              </Typography.Text>
            ) : null}
          </Flex>
        );
      },
    },
  ];

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={t('target.split.submit')}
      okButtonProps={{ disabled: chosen.length === 0, ...tid('split-submit') }}
      confirmLoading={cascade.isPending}
      title={t('target.split.title', { name: parent.name })}
      width={640}
      destroyOnHidden
    >
      <Flex vertical gap={12} data-testid="split-modal">
        <Radio.Group
          value={method}
          onChange={(e) => setMethod(e.target.value as CascadeMethod)}
          optionType="button"
          options={METHODS.map((m) => ({ value: m, label: td(`target.split.method.${m}`, m) }))}
          data-testid="split-method"
        />
        <Typography.Text type="secondary">{td(`target.split.hint.${method}`, '')}</Typography.Text>
        {error && (!isApiError(error) || fieldErrors.size === 0) ? (
          <Alert type="error" showIcon message={isApiError(error) ? error.message : String(error)} />
        ) : null}
        <Table<CascadeRow<Target>> size="small" rowKey="key" columns={columns} dataSource={[...childRows]} pagination={false} scroll={{ x: 'max-content', y: 360 }} />
        {toCents(kept) !== 0n ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('target.split.kept', { value: formatTargetValue(kept, metric, currency, locale) })}
          </Typography.Text>
        ) : null}
        <Flex justify="space-between" wrap="wrap" gap={8} className="target-split-sum" data-testid="split-sum">
          <Typography.Text>
            {t('target.split.sum')}{' '}
            <Typography.Text strong>{sum === null ? t('target.split.computed') : formatTargetValue(sum, metric, currency, locale)}</Typography.Text>
            {' / '}
            {t('target.split.parent')} <Typography.Text strong>{formatTargetValue(parent.target.value, metric, currency, locale)}</Typography.Text>
          </Typography.Text>
          {diff !== null ? (
            <Tag color={sign === 0 ? 'green' : sign < 0 ? 'orange' : 'red'} data-testid="split-difference" data-sign={sign}>
              {sign === 0 ? t('target.split.balanced') : t('target.split.difference', { diff: formatTargetValue(diff, metric, currency, locale) })}
            </Tag>
          ) : null}
        </Flex>
      </Flex>
    </Modal>
  );
}
