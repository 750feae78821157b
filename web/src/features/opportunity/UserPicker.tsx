import { Select } from 'antd';
import { useMemo, useState } from 'react';
import { useDebounced } from '@/components/useDebounced';
import { useUserSearch } from '@/features/user/hooks';

interface Props {
  value?: string | null;
  onChange?: (value: string | null) => void;
  /** The name of the current value, shown before any search ran. */
  valueLabel?: string | null;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
  'data-testid'?: string;
}

/** Picks an active user by name or username, searching on the server. Works as a Form control. */
export function UserPicker({ value, onChange, valueLabel, placeholder, allowClear, style, id, ...rest }: Props) {
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const users = useUserSearch(q);
  const options = useMemo(() => {
    const list = (users.data?.items ?? [])
      .filter((u) => u.is_active)
      .map((u) => ({ value: u.id, label: `${u.display_name} (@${u.username})` }));
    if (value && valueLabel && !list.some((o) => o.value === value)) list.unshift({ value, label: valueLabel });
    return list;
  }, [users.data, value, valueLabel]);
  return (
    <Select
      id={id}
      data-testid={rest['data-testid']}
      showSearch
      allowClear={allowClear}
      value={value ?? undefined}
      placeholder={placeholder}
      filterOption={false}
      onSearch={setSearch}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      onOpenChange={(open) => {
        if (!open) setSearch('');
      }}
      loading={users.isFetching}
      options={options}
      style={{ minWidth: 180, ...style }}
      popupMatchSelectWidth={false}
    />
  );
}
