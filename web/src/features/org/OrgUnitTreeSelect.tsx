import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import type { OrgUnit } from '@/api/types';
import { useI18n } from '@/i18n';
import { kindLabel } from '@/i18n/labels';
import { useOrgUnits } from './hooks';
import type { OrgNode } from './orgTree';

interface TreeOption {
  value: string;
  title: string;
  label: string;
  disabled?: boolean;
  children: TreeOption[];
}

interface Props {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  allowClear?: boolean;
  /** Units that cannot be picked (a unit's own subtree when moving it). */
  isDisabled?: (unit: OrgUnit) => boolean;
  style?: React.CSSProperties;
  id?: string;
  'data-testid'?: string;
}

/** Picks one org unit from the tree; searchable by name or code. Works as a Form control. */
export function OrgUnitTreeSelect({ value, onChange, placeholder, allowClear, isDisabled, style, id, ...rest }: Props) {
  const { td } = useI18n();
  const { tree, isLoading } = useOrgUnits();
  const treeData = useMemo(() => {
    const map = (n: OrgNode<OrgUnit>): TreeOption => ({
      value: n.unit.id,
      title: `${n.unit.name} · ${kindLabel(td, n.unit.kind)}`,
      label: `${n.unit.name} ${n.unit.code} ${n.unit.name_en ?? ''}`,
      disabled: isDisabled?.(n.unit) ?? false,
      children: n.children.map(map),
    });
    return tree.map(map);
  }, [tree, td, isDisabled]);
  return (
    <TreeSelect
      id={id}
      data-testid={rest['data-testid']}
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      treeData={treeData}
      placeholder={placeholder}
      allowClear={allowClear}
      loading={isLoading}
      showSearch
      treeNodeFilterProp="label"
      treeDefaultExpandAll
      popupMatchSelectWidth={false}
      style={{ minWidth: 220, ...style }}
      listHeight={360}
    />
  );
}
