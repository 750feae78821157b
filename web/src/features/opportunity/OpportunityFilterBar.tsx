import { FilterOutlined } from '@ant-design/icons';
import { Badge, Button, Checkbox, Flex, Grid, Input, Select } from 'antd';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useMe } from '@/features/auth/hooks';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import type { OpportunityFilters } from './hooks';
import { UserPicker } from './UserPicker';

/** The filters of the kanban and the list, read from the URL so a view can be linked. */
export function useOpportunityFilters() {
  const [params, setParams] = useSearchParams();
  const stalledParam = params.get('stalled');
  const status = params.get('status');
  const filters: OpportunityFilters = {
    q: params.get('q') ?? '',
    ownerId: params.get('owner_id'),
    unitId: params.get('unit_id'),
    subsidiaryId: params.get('subsidiary_id'),
    stalled: stalledParam === 'true' ? true : stalledParam === 'false' ? false : null,
    status: status === 'open' || status === 'won' || status === 'lost' ? status : null,
    sort: params.get('sort'),
  };
  const setFilter = (name: string, value: string | null) =>
    setParams(
      (p) => {
        if (value) p.set(name, value);
        else p.delete(name);
        return p;
      },
      { replace: true },
    );
  return { filters, params, setFilter };
}

/** Search, owner, unit, subsidiary and stalled filters; `children` adds view-specific ones. */
export function OpportunityFilterBar({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  const { filters, setFilter } = useOpportunityFilters();
  const { data: me } = useMe();
  const { units } = useOrgUnits();
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);
  const subsidiaries = useMemo(() => units.filter((u) => u.kind === 'subsidiary'), [units]);
  const mine = Boolean(me && filters.ownerId === me.user.id);
  // On a phone the filters fold away behind one button (the search stays).
  const screens = Grid.useBreakpoint();
  const phone = screens.sm === false;
  const [expanded, setExpanded] = useState(false);
  const active = [filters.ownerId, filters.unitId, filters.subsidiaryId, filters.stalled].filter((v) => v !== null && v !== undefined).length;
  const showAll = !phone || expanded;

  return (
    <Flex className="filter-bar opp-filter-bar" gap={12} wrap="wrap" align="center">
      <Input.Search
        allowClear
        value={draft}
        onChange={(e) => {
          setDraft(e.target.value);
          if (!e.target.value) setFilter('q', null);
        }}
        onSearch={(v) => setFilter('q', v.trim() || null)}
        placeholder={t('opp.searchPlaceholder')}
        style={{ width: 240 }}
        data-testid="opp-search"
      />
      {phone ? (
        <Badge count={active} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setExpanded((v) => !v)} aria-expanded={expanded}>
            {t('opp.filters')}
          </Button>
        </Badge>
      ) : null}
      {showAll ? (
        <>
      <UserPicker
        allowClear
        value={filters.ownerId}
        valueLabel={mine ? me?.user.display_name : null}
        onChange={(v) => setFilter('owner_id', v)}
        placeholder={t('opp.owner')}
        style={{ width: 180 }}
        data-testid="opp-owner-filter"
      />
      {subsidiaries.length > 1 ? (
        <Select
          allowClear
          value={filters.subsidiaryId ?? undefined}
          onChange={(v: string | undefined) => setFilter('subsidiary_id', v ?? null)}
          placeholder={t('opp.subsidiary')}
          options={subsidiaries.map((s) => ({ value: s.id, label: s.name }))}
          style={{ width: 220 }}
          popupMatchSelectWidth={false}
          data-testid="opp-subsidiary-filter"
        />
      ) : null}
      <OrgUnitTreeSelect
        allowClear
        value={filters.unitId}
        onChange={(v) => setFilter('unit_id', v)}
        placeholder={t('opp.unit')}
        style={{ width: 200 }}
      />
      {me ? (
        <Checkbox checked={mine} onChange={(e) => setFilter('owner_id', e.target.checked ? me.user.id : null)} data-testid="opp-mine">
          {t('opp.onlyMine')}
        </Checkbox>
      ) : null}
      <Checkbox checked={filters.stalled === true} onChange={(e) => setFilter('stalled', e.target.checked ? 'true' : null)} data-testid="opp-stalled-filter">
        {t('opp.onlyStalled')}
      </Checkbox>
      {children}
        </>
      ) : null}
    </Flex>
  );
}
