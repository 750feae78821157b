/**
 * Receivables aging as the screens show it: bucket order, the currencies present, and the
 * stacked bar chart's option. Amounts stay decimal strings; only the chart's bar heights are
 * numbers (drawing, not arithmetic), and its labels show the exact strings.
 */
export const BUCKETS = ['not_due', 'd1_30', 'd31_90', 'd91_180', 'over_180'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Bucket colours: calm for not due, warmer the older the debt. */
export const BUCKET_COLORS: Record<Bucket, string> = {
  not_due: '#94a3b8',
  d1_30: '#facc15',
  d31_90: '#f59e0b',
  d91_180: '#ea580c',
  over_180: '#b91c1c',
};

export type AgingAmountsLike = Record<Bucket | 'overdue' | 'total', string>;

export interface AgingRowLike extends AgingAmountsLike {
  key: string;
  label: string | null;
  currency: string;
}

/** The currencies of the rows, most rows first (ties by code), for the chart's currency switch. */
export function rowCurrencies(rows: readonly { currency: string }[]): string[] {
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.currency, (count.get(r.currency) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
}

/** Compares decimal strings by value without floats (for sorting rows by total). */
function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = a.replace('-', '').split('.');
  const [bi = '0', bf = ''] = b.replace('-', '').split('.');
  const na = a.startsWith('-');
  const nb = b.startsWith('-');
  if (na !== nb) return na ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(width, '0'));
  const y = BigInt(bi + bf.padEnd(width, '0'));
  const c = x === y ? 0 : x < y ? -1 : 1;
  return na ? -c : c;
}

/** The chart's rows: those in `currency`, largest total first, at most `limit`. */
export function chartRows<R extends AgingRowLike>(rows: readonly R[], currency: string, limit = 15): R[] {
  return rows
    .filter((r) => r.currency === currency)
    .sort((a, b) => compareDecimal(b.total, a.total))
    .slice(0, limit);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A stacked horizontal bar per row, one series per bucket. */
export function agingChartOption(
  rows: readonly AgingRowLike[],
  bucketLabel: (b: Bucket) => string,
  formatMoney: (amount: string) => string,
  fallbackLabel: string,
  locale = 'zh-CN',
  narrow = false,
): Record<string, unknown> {
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const ordered = [...rows].reverse(); // ECharts draws category axes bottom-up: largest on top
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { name: string; marker: string; seriesName: string; data: { value: number; exact: string } }[];
        const lines = list.filter((p) => p.data.value > 0).map((p) => `${p.marker}${p.seriesName}: ${p.data.exact}`);
        return [escapeHtml(list[0]?.name ?? ''), ...lines].join('<br/>');
      },
    },
    legend: { top: 0, data: BUCKETS.map(bucketLabel) },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitNumber: narrow ? 2 : 5, axisLabel: { formatter: (v: number) => compact.format(v) } },
    yAxis: {
      type: 'category',
      data: ordered.map((r) => r.label ?? fallbackLabel),
      axisLabel: { width: narrow ? 84 : 140, overflow: 'truncate' },
    },
    series: BUCKETS.map((b) => ({
      name: bucketLabel(b),
      type: 'bar',
      stack: 'aging',
      itemStyle: { color: BUCKET_COLORS[b] },
      emphasis: { focus: 'series' },
      // Bar length is drawing only; the tooltip shows the exact amount from the API.
      data: ordered.map((r) => ({ value: Number(r[b]), exact: formatMoney(r[b]) })),
    })),
  };
}
