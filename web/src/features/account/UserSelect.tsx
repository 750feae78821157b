import { Select } from 'antd';
import { useMemo, useState } from 'react';
import { useDebounced } from '@/components/useDebounced';
import { useMe } from '@/features/auth/hooks';
import { useUser, useUserSearch } from '@/features/user/hooks';
import { useI18n } from '@/i18n';

interface Props {
  value?: string | null;
  onChange?: (id: string | null) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
  /** Lists the signed-in user first as “me”. */
  offerMe?: boolean;
  'data-testid'?: string;
}

/** Picks a user by searching names on the server; works as a Form control. */
export function UserSelect({ value, onChange, placeholder, allowClear, style, id, offerMe, ...rest }: Props) {
  const { t } = useI18n();
  const { data: me } = useMe();
  const [term, setTerm] = useState('');
  const q = useDebounced(term, 250);
  const search = useUserSearch(q);
  const selected = useUser(value && value !== me?.user.id ? value : null);
  const options = useMemo(() => {
    const list = (search.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.display_name} (@${u.username})` }));
    if (offerMe && me && !q) {
      const i = list.findIndex((o) => o.value === me.user.id);
      if (i >= 0) list.splice(i, 1);
      list.unshift({ value: me.user.id, label: `${me.user.display_name} (${t('account.me')})` });
    }
    if (value && !list.some((o) => o.value === value)) {
      if (me && value === me.user.id) list.unshift({ value, label: `${me.user.display_name} (${t('account.me')})` });
      else if (selected.data) list.unshift({ value, label: `${selected.data.display_name} (@${selected.data.username})` });
    }
    return list;
  }, [search.data, selected.data, value, me, offerMe, q, t]);
  return (
    <Select
      id={id}
      data-testid={rest['data-testid']}
      allowClear={allowClear}
      showSearch
      filterOption={false}
      value={value ?? undefined}
      onSearch={setTerm}
      onChange={(v: string | undefined) => onChange?.(v ?? null)}
      options={options}
      loading={search.isFetching}
      placeholder={placeholder}
      style={{ minWidth: 200, ...style }}
      notFoundContent={search.isFetching ? undefined : t('common.noMatch')}
    />
  );
}
