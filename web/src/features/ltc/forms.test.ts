import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { allocationsToSend, remapAllocationErrors } from './contract/allocations';
import { contractChanges } from './contract/changes';
import { toBodyRows, toFormRows } from './contract/planRows';
import { productChanges } from './product/changes';
import { linesChanged, toLinesBody, toLineValues } from './quote/lines';
import type { ContractDetail, Product, QuoteLine } from './types';

const line = (over: Partial<QuoteLine>): QuoteLine =>
  ({
    id: 'l1',
    position: 1,
    product_id: 'p1',
    product_code: 'XH-1',
    product_name: 'One',
    product_name_en: null,
    description: null,
    quantity: '3.0000',
    unit: '套',
    list_price: '100.00',
    discount_pct: '15.00',
    net_price: '85.00',
    list_amount: '300.00',
    net_amount: '255.00',
    tax_rate: '13.00',
    tax_amount: '33.15',
    line_total: '288.15',
    below_floor: false,
    ...over,
  }) as QuoteLine;

describe('quote lines form', () => {
  it('reads server lines without trailing zeros and detects real changes only', () => {
    const saved = toLineValues([line({})]);
    expect(saved).toEqual([{ product_id: 'p1', quantity: '3', discount_pct: '15', description: null }]);
    expect(linesChanged(saved, [{ product_id: 'p1', quantity: '3.00', discount_pct: '15.0', description: '' }])).toBe(false);
    expect(linesChanged(saved, [{ product_id: 'p1', quantity: '3', discount_pct: '16', description: null }])).toBe(true);
    expect(linesChanged(saved, [...saved, { product_id: 'p2', quantity: '1' }])).toBe(true);
    expect(linesChanged([{ product_id: 'p1', quantity: '1', discount_pct: '0' }], [{ product_id: 'p1', quantity: '1', discount_pct: '' }])).toBe(false);
  });

  it('sends discounts as percentages, 0 when blank, and notes only when given', () => {
    expect(toLinesBody([{ product_id: 'p1', quantity: '2', discount_pct: '', description: '  ' }])).toEqual([{ product_id: 'p1', quantity: '2', discount_pct: '0' }]);
    expect(toLinesBody([{ product_id: 'p1', quantity: '2.5', discount_pct: '7.5', description: ' 含安装 ' }])).toEqual([
      { product_id: 'p1', quantity: '2.5', discount_pct: '7.5', description: '含安装' },
    ]);
  });
});

describe('payment allocations', () => {
  it('sends the rows with an amount and maps the server’s indices back to the form rows', () => {
    const { sent, rowOf } = allocationsToSend([
      { installment_id: 'a', amount: null },
      { installment_id: 'b', amount: '100.00' },
      { installment_id: 'c', amount: '0' },
      { installment_id: 'd', amount: '5' },
    ]);
    expect(sent).toEqual([
      { installment_id: 'b', amount: '100.00' },
      { installment_id: 'd', amount: '5' },
    ]);
    expect(rowOf).toEqual([1, 3]);
    const error = new ApiError({
      status: 422,
      code: 'allocation_exceeds_outstanding',
      message: 'too much',
      fields: [
        { field: 'allocations.1.amount', code: 'allocation_exceeds_outstanding', message: 'over' },
        { field: 'allocations.0.installment_id', code: 'duplicate', message: 'dup' },
        { field: 'allocations', code: 'allocation_exceeds_payment', message: 'sum' },
      ],
    });
    const mapped = remapAllocationErrors(error, rowOf) as ApiError;
    expect(mapped.fields.map((f) => f.field)).toEqual(['allocations.3.amount', 'allocations.1.amount', 'allocations']);
    expect(mapped.code).toBe('allocation_exceeds_outstanding');
  });
});

describe('changed-field bodies', () => {
  const contract = {
    version: 4,
    title: '合同',
    amount: '1000.00',
    tax_amount: '130.00',
    currency: 'CNY',
    payment_days: 30,
    start_date: '2026-01-01',
    end_date: null,
    terms: null,
  } as unknown as ContractDetail;

  it('patches a contract with what changed (money compared exactly) and the version', () => {
    expect(
      contractChanges(contract, { title: '合同', amount: '1000', tax_amount: '130.00', currency: 'CNY', payment_days: 30, start_date: dayjs('2026-01-01'), end_date: null, terms: '' }),
    ).toEqual({ version: 4 });
    expect(
      contractChanges(contract, { title: ' 新合同 ', amount: '1000.01', tax_amount: '130', currency: 'HKD', payment_days: 45, start_date: null, end_date: dayjs('2026-12-31'), terms: '条款' }),
    ).toEqual({ version: 4, title: '新合同', amount: '1000.01', currency: 'HKD', payment_days: 45, start_date: null, end_date: '2026-12-31', terms: '条款' });
  });

  it('patches a product with what changed', () => {
    const p = { version: 2, code: 'XH-1', name: '产品', name_en: null, category: 'software', unit: '套', tax_rate: '13.00', description: null, is_active: true } as unknown as Product;
    expect(productChanges(p, { code: 'XH-1', name: '产品', name_en: '', category: 'software', unit: '套', tax_rate: '13', description: '', is_active: true })).toEqual({ version: 2 });
    expect(productChanges(p, { code: 'XH-1', name: '产品', name_en: 'Product', category: '', unit: '年', tax_rate: '6', description: '', is_active: false })).toEqual({
      version: 2,
      name_en: 'Product',
      category: null,
      unit: '年',
      tax_rate: '6',
      is_active: false,
    });
  });

  it('turns plan rows into the request body, keeping installment ids', () => {
    const rows = toFormRows([
      { id: 'i1', label: '预付款', due_date: '2026-12-09', amount: '300.00' },
      { label: '尾款', due_date: null, amount: null },
    ]);
    expect(toBodyRows(rows)).toEqual([
      { id: 'i1', label: '预付款', due_date: '2026-12-09', amount: '300.00' },
      { label: '尾款', due_date: '', amount: '0' },
    ]);
  });
});
