import { Select, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useDebounced } from '@/components/useDebounced';
import { useI18n } from '@/i18n';
import { formatAmount } from '../format';
import type { PriceBookEntry } from '../types';
import { useBookEntries } from './hooks';

export interface PricedProduct {
  product_id: string;
  code: string;
  name: string;
  name_en?: string | null;
  unit: string;
  list_price: string;
  floor_price: string | null;
  tax_rate: string;
}

export const fromEntry = (e: PriceBookEntry): PricedProduct => ({
  product_id: e.product_id,
  code: e.product_code,
  name: e.product_name,
  name_en: e.product_name_en,
  unit: e.unit,
  list_price: String(e.list_price),
  floor_price: e.floor_price === null || e.floor_price === undefined ? null : String(e.floor_price),
  tax_rate: String(e.tax_rate),
});

export const productLabel = (p: Pick<PricedProduct, 'code' | 'name' | 'name_en'>, locale: string) =>
  `${p.code} · ${locale === 'en-US' && p.name_en ? p.name_en : p.name}`;

interface Props {
  bookId: string;
  currency: string;
  value?: string;
  onChange?: (productId: string) => void;
  /** The product chosen, with its price from the book (the editor keeps it for the estimate). */
  onPicked: (p: PricedProduct) => void;
  known: ReadonlyMap<string, PricedProduct>;
  id?: string;
  status?: '' | 'error' | 'warning';
}

/** Picks a product priced in the quote's price book (searched on the server by code or name). */
export function ProductPicker({ bookId, currency, value, onChange, onPicked, known, id, status }: Props) {
  const { t, locale } = useI18n();
  const [term, setTerm] = useState('');
  const q = useDebounced(term, 250);
  const entries = useBookEntries(bookId, q);
  const options = useMemo(() => {
    const list = (entries.data?.items ?? [])
      .filter((e) => e.product_is_active)
      .map((e) => ({
        value: e.product_id,
        label: productLabel(fromEntry(e), locale),
        entry: e,
      }));
    const current = value ? known.get(value) : undefined;
    if (value && current && !list.some((o) => o.value === value)) list.unshift({ value, label: productLabel(current, locale), entry: undefined as never });
    return list;
  }, [entries.data, value, known, locale]);

  return (
    <Select
      id={id}
      status={status}
      showSearch
      filterOption={false}
      value={value}
      onSearch={setTerm}
      loading={entries.isFetching}
      placeholder={t('ltc.line.pickProduct')}
      notFoundContent={entries.isFetching ? undefined : t('ltc.line.noProduct')}
      style={{ width: 260 }}
      popupMatchSelectWidth={360}
      data-testid="quote-line-product"
      onChange={(v: string) => {
        const hit = entries.data?.items.find((e) => e.product_id === v);
        if (hit) onPicked(fromEntry(hit));
        onChange?.(v);
      }}
      optionRender={(o) => {
        const e = (o.data as { entry?: PriceBookEntry }).entry;
        return (
          <Space direction="vertical" size={0} style={{ width: '100%' }}>
            <span>{o.label}</span>
            {e ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatAmount(String(e.list_price), currency, locale)} / {e.unit}
                {e.floor_price !== null && e.floor_price !== undefined
                  ? ` · ${t('ltc.line.floor')} ${formatAmount(String(e.floor_price), currency, locale)}`
                  : ''}
              </Typography.Text>
            ) : null}
          </Space>
        );
      }}
      options={options}
    />
  );
}
