import { describe, expect, it } from 'vitest';
import { compareMoney, divRoundHalfUp, formatFixed, parseFixed, subtractMoney, sumMoney } from './decimal';
import { formatAmount, formatPercent, quoteNumber } from './format';
import { estimateLine, estimateTotals } from './pricing';

describe('fixed-point decimals', () => {
  it('parses API strings exactly, rounding extra places half up', () => {
    expect(parseFixed('123.45', 2)).toBe(12345n);
    expect(parseFixed('1,234.5', 2)).toBe(123450n);
    expect(parseFixed('0.005', 2)).toBe(1n);
    expect(parseFixed('-0.005', 2)).toBe(-1n);
    expect(parseFixed('7', 4)).toBe(70000n);
    expect(parseFixed('', 2)).toBeNull();
    expect(parseFixed('abc', 2)).toBeNull();
    expect(parseFixed('1e5', 2)).toBeNull();
    // beyond 2^53: no float anywhere
    expect(parseFixed('12345678901234567.89', 2)).toBe(1234567890123456789n);
  });

  it('formats and divides half up like the server', () => {
    expect(formatFixed(12345n, 2)).toBe('123.45');
    expect(formatFixed(5n, 2)).toBe('0.05');
    expect(formatFixed(-5n, 2)).toBe('-0.05');
    expect(divRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(divRoundHalfUp(4n, 3n)).toBe(1n);
  });

  it('sums and subtracts money without floats', () => {
    expect(sumMoney(['0.10', '0.20', '0.30']).total).toBe('0.60');
    expect(sumMoney(['100', '', 'x'])).toEqual({ total: '100.00', invalid: 2 });
    expect(subtractMoney('100000.00', '99999.99')).toBe('0.01');
    expect(subtractMoney('1', null)).toBeNull();
    expect(compareMoney('10.00', '10')).toBe(0);
    expect(compareMoney('9.99', '10')).toBe(-1);
  });
});

describe('line estimate', () => {
  it('matches the worked example: 3 × ¥12,345.67 at 15% off with 13% VAT', () => {
    const e = estimateLine({ listPrice: '12345.67', floorPrice: '10000.00', quantity: '3', discountPct: '15', taxRate: '13.00' });
    expect(e).toEqual({
      netPrice: '10493.82',
      listAmount: '37037.01',
      netAmount: '31481.46',
      taxAmount: '4092.59',
      lineTotal: '35574.05',
      belowFloor: false,
    });
  });

  it('rounds a half cent up and flags prices under the floor', () => {
    const e = estimateLine({ listPrice: '0.05', floorPrice: '0.05', quantity: '1', discountPct: '10', taxRate: '6' });
    expect(e?.netPrice).toBe('0.05'); // 0.045 → 0.05
    const below = estimateLine({ listPrice: '100.00', floorPrice: '90.00', quantity: '1', discountPct: '10.01', taxRate: '6' });
    expect(below?.netPrice).toBe('89.99');
    expect(below?.belowFloor).toBe(true);
  });

  it('is null while an input is missing', () => {
    expect(estimateLine({ listPrice: '1', quantity: '', discountPct: '0', taxRate: '13' })).toBeNull();
  });

  it('totals lines, with the overall discount rounded to 2 places', () => {
    const totals = estimateTotals([
      { listPrice: '12345.67', quantity: '3', discountPct: '15', taxRate: '13' },
      { listPrice: '2000.00', quantity: '10', discountPct: '0', taxRate: '6' },
    ]);
    expect(totals.subtotalList).toBe('57037.01');
    expect(totals.subtotalNet).toBe('51481.46');
    expect(totals.discountAmount).toBe('5555.55');
    expect(totals.discountPct).toBe('9.74'); // 5555.55 / 57037.01 = 9.7403…%
    expect(totals.taxAmount).toBe('5292.59');
    expect(totals.total).toBe('56774.05');
    expect(totals.maxLineDiscountPct).toBe('15.00');
    expect(estimateTotals([]).discountPct).toBe('0.00');
  });
});

describe('formatting', () => {
  it('shows money with separators, cents and the currency', () => {
    expect(formatAmount('1234567.5', 'CNY', 'zh-CN')).toBe('¥1,234,567.50');
    expect(formatAmount('1234567.5', 'HKD', 'en-US')).toBe('HK$1,234,567.50');
    expect(formatAmount('12345678901234567.89', 'CNY', 'zh-CN')).toBe('¥12,345,678,901,234,567.89');
    expect(formatAmount(null, 'CNY', 'zh-CN')).toBe('—');
  });

  it('trims percentages and joins quote numbers with the revision', () => {
    expect(formatPercent('15.00')).toBe('15%');
    expect(formatPercent('12.50')).toBe('12.5%');
    expect(formatPercent('0')).toBe('0%');
    expect(quoteNumber('BJ-QT-2026-000012', 2)).toBe('BJ-QT-2026-000012 v2');
  });
});
