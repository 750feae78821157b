import { FilterOutlined } from '@ant-design/icons';
import { Button, Flex, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useOrgUnits } from '@/features/org/hooks';
import { UserName } from '@/features/lead/UserName';
import { useI18n } from '@/i18n';
import { type DrillResource, drillFilters, rangeChips } from './drill';

/** Where a status code of each list finds its label. */
const STATUS_KEYS: Partial<Record<DrillResource, string>> = {
  opportunities: 'opp.status',
  contracts: 'ltc.contract.status',
  payments: 'ltc.payment.status',
};

interface Chip {
  keys: string[];
  label: ReactNode;
}

/**
 * The filters a dashboard figure opened this list with (unit, owner, status, date ranges…), as
 * chips that can be removed one by one. Shown only when the URL carries a drill filter the
 * page's own filter bar does not offer, so an ordinary visit looks as before.
 */
export function DrillFilterBar({ resource }: { resource: DrillResource }) {
  const { t, td } = useI18n();
  const [params, setParams] = useSearchParams();
  const { byId } = useOrgUnits();
  const drill = drillFilters(resource, params);
  if (Object.keys(drill).length === 0) return null;

  const chips: Chip[] = [];
  const unitId = params.get('unit_id');
  if (unitId) {
    const unit = byId.get(unitId);
    chips.push({ keys: ['unit_id'], label: `${t('analytics.drill.unit')}：${unit?.name ?? unitId.slice(0, 8)}` });
  }
  const ownerId = params.get('owner_id');
  if (ownerId) {
    chips.push({
      keys: ['owner_id'],
      label: (
        <>
          {t('analytics.drill.owner')}：<UserName id={ownerId} />
        </>
      ),
    });
  }
  const status = params.get('status');
  const statusKey = STATUS_KEYS[resource];
  if (status && statusKey) chips.push({ keys: ['status'], label: `${t('analytics.drill.status')}：${td(`${statusKey}.${status}`, status)}` });
  if (params.get('stalled') === 'true') chips.push({ keys: ['stalled'], label: t('opp.stalled') });
  const overdue = resource === 'receivables' ? params.get('overdue') : null;
  if (overdue === 'true' || overdue === 'false') chips.push({ keys: ['overdue'], label: t(overdue === 'true' ? 'analytics.drill.overdue' : 'analytics.drill.notDue') });
  const stage = params.get('stage_code');
  if (stage) chips.push({ keys: ['stage_code'], label: `${t('analytics.drill.stage')}：${stage}` });
  const entered = params.get('entered_stage_code');
  const outcome = params.get('funnel_outcome');
  if (entered) {
    const then = outcome ? ` · ${td(`analytics.drill.outcome.${outcome}`, outcome)}` : '';
    chips.push({ keys: ['entered_stage_code', 'funnel_outcome'], label: `${t('analytics.drill.enteredStage')}：${entered}${then}` });
  }
  const exited = params.get('exited_stage_code');
  if (exited) chips.push({ keys: ['exited_stage_code'], label: `${t('analytics.drill.exitedStage')}：${exited}` });
  const category = params.get('forecast_category');
  if (category) {
    chips.push({
      keys: ['forecast_category'],
      label: `${t('analytics.drill.category')}：${td(`analytics.forecast.category.${category}`, category)}`,
    });
  }
  for (const r of rangeChips(resource, params)) {
    chips.push({
      keys: r.keys,
      label: `${td(`analytics.drill.range.${r.field}`, r.field)}：${r.from ?? '…'} ~ ${r.to ?? '…'}`,
    });
  }

  const remove = (keys: string[]) =>
    setParams(
      (p) => {
        for (const k of keys) p.delete(k);
        return p;
      },
      { replace: true },
    );

  return (
    <Flex className="drill-filter-bar" gap={8} wrap="wrap" align="center" style={{ marginBottom: 12 }} data-testid="drill-filters">
      <Typography.Text type="secondary">
        <FilterOutlined /> {t('analytics.drill.from')}
      </Typography.Text>
      {chips.map((c) => (
        <Tag key={c.keys.join(',')} color="blue" closable onClose={() => remove(c.keys)} data-testid="drill-chip" data-key={c.keys.join(',')}>
          {c.label}
        </Tag>
      ))}
      <Button size="small" type="link" onClick={() => remove(chips.flatMap((c) => c.keys))} data-testid="drill-clear">
        {t('analytics.drill.clear')}
      </Button>
    </Flex>
  );
}
