import { describe, expect, it } from 'vitest';
import { agingChartOption, BUCKETS, chartRows, rowCurrencies, type AgingRowLike } from './aging';

const row = (key: string, currency: string, total: string, over: Partial<AgingRowLike> = {}): AgingRowLike => ({
  key,
  label: key,
  currency,
  not_due: '0.00',
  d1_30: '0.00',
  d31_90: '0.00',
  d91_180: '0.00',
  over_180: '0.00',
  overdue: '0.00',
  total,
  ...over,
});

describe('aging', () => {
  it('orders currencies by how many rows use them', () => {
    expect(rowCurrencies([row('a', 'HKD', '1'), row('b', 'CNY', '1'), row('c', 'CNY', '1'), row('d', 'SGD', '1')])).toEqual(['CNY', 'HKD', 'SGD']);
  });

  it('charts the largest rows of one currency, compared exactly', () => {
    const rows = [row('a', 'CNY', '9999999999999999.99'), row('b', 'CNY', '10000000000000000.00'), row('c', 'HKD', '5'), row('d', 'CNY', '20.5')];
    expect(chartRows(rows, 'CNY').map((r) => r.key)).toEqual(['b', 'a', 'd']);
    expect(chartRows(rows, 'CNY', 1).map((r) => r.key)).toEqual(['b']);
  });

  it('stacks one series per bucket with the largest row on top', () => {
    const option = agingChartOption(
      [row('big', 'CNY', '300', { d1_30: '100.00', over_180: '200.00' }), row('small', 'CNY', '10', { not_due: '10.00' })],
      (b) => b,
      (a) => `¥${a}`,
      '—',
    ) as { series: { name: string; stack: string; data: { value: number; exact: string }[] }[]; yAxis: { data: string[] } };
    expect(option.series.map((s) => s.name)).toEqual([...BUCKETS]);
    expect(option.series.every((s) => s.stack === 'aging')).toBe(true);
    expect(option.yAxis.data).toEqual(['small', 'big']);
    expect(option.series[4]?.data[1]).toEqual({ value: 200, exact: '¥200.00' });
  });
});
