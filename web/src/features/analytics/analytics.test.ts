import { describe, expect, it } from 'vitest';
import { filenameFrom } from './download';
import { drillFilters, drillRoute, exportQuery, rangeChips } from './drill';
import {
  formatChange,
  formatCoverage,
  formatDays,
  formatMoneyExact,
  formatMoneyShort,
  formatRatio,
  paceOf,
  ratioPercent,
} from './format';
import { mergeMissingRates } from './rates';
import { describePeriod, elapsedShare, lastDay, parsePeriod, periodChoices, periodContaining, periodMonths, shiftPeriod } from './period';
import { buildWaterfall, toCents } from './waterfall';

describe('fiscal periods', () => {
  it('parses quarters, years and months with a January year', () => {
    expect(parsePeriod('2026-Q4', 1)).toEqual({ kind: 'quarter', start: '2026-10-01', end: '2027-01-01', label: '2026-Q4' });
    expect(parsePeriod('2026', 1)).toEqual({ kind: 'year', start: '2026-01-01', end: '2027-01-01', label: '2026' });
    expect(parsePeriod(' 2026-07 ', 1)).toEqual({ kind: 'month', start: '2026-07-01', end: '2026-08-01', label: '2026-07' });
  });

  it('counts quarters and years from an April start', () => {
    expect(parsePeriod('2026-Q1', 4)).toEqual({ kind: 'quarter', start: '2026-04-01', end: '2026-07-01', label: '2026-Q1' });
    expect(parsePeriod('2026-Q4', 4)).toEqual({ kind: 'quarter', start: '2027-01-01', end: '2027-04-01', label: '2026-Q4' });
    expect(parsePeriod('2026', 4)).toEqual({ kind: 'year', start: '2026-04-01', end: '2027-04-01', label: '2026' });
    // A month is a calendar month whatever the fiscal start.
    expect(parsePeriod('2026-02', 4)?.label).toBe('2026-02');
  });

  it('refuses text the server would refuse', () => {
    for (const bad of ['2026-13', '2026-00', '2026-Q5', '26-Q1', '2026Q1', '', null, 'next quarter']) expect(parsePeriod(bad, 1)).toBeNull();
  });

  it('finds the period containing a day', () => {
    expect(periodContaining('quarter', '2027-02-15', 4)).toEqual({ kind: 'quarter', start: '2027-01-01', end: '2027-04-01', label: '2026-Q4' });
    expect(periodContaining('year', '2026-03-31', 4)).toEqual({ kind: 'year', start: '2025-04-01', end: '2026-04-01', label: '2025' });
    expect(periodContaining('quarter', '2026-11-24', 1).label).toBe('2026-Q4');
    expect(periodContaining('month', '2026-11-24', 4).label).toBe('2026-11');
  });

  it('shifts across year ends and offers picker choices newest first', () => {
    const q1 = parsePeriod('2026-Q1', 1);
    expect(q1 && shiftPeriod(q1, -1, 1)).toEqual({ kind: 'quarter', start: '2025-10-01', end: '2026-01-01', label: '2025-Q4' });
    expect(periodChoices('quarter', '2026-11-24', 1, { back: 2, forward: 1 }).map((p) => p.label)).toEqual(['2027-Q1', '2026-Q4', '2026-Q3', '2026-Q2']);
    expect(periodChoices('year', '2026-11-24', 4, { back: 1, forward: 0 }).map((p) => p.label)).toEqual(['2026', '2025']);
  });

  it('gives the inclusive last day and the months', () => {
    const q4 = parsePeriod('2026-Q4', 1);
    const feb = parsePeriod('2028-02', 1);
    expect(q4 && lastDay(q4)).toBe('2026-12-31');
    expect(feb && lastDay(feb)).toBe('2028-02-29');
    expect(q4 && periodMonths(q4)).toEqual(['2026-10', '2026-11', '2026-12']);
  });

  it('names periods for the picker in both languages', () => {
    const q4 = parsePeriod('2026-Q4', 1);
    const fy = parsePeriod('2026', 4);
    const jul = parsePeriod('2026-07', 1);
    if (!q4 || !fy || !jul) throw new Error('unparsed');
    expect(describePeriod(q4, 'zh-CN')).toBe('2026财年 Q4（2026年10月–12月）');
    expect(describePeriod(q4, 'en-US')).toBe('FY2026 Q4 (Oct–Dec 2026)');
    expect(describePeriod(fy, 'zh-CN')).toBe('2026财年（2026年4月–2027年3月）');
    expect(describePeriod(fy, 'en-US')).toBe('FY2026 (Apr 2026–Mar 2027)');
    expect(describePeriod(jul, 'zh-CN')).toBe('2026年7月');
    expect(describePeriod(jul, 'en-US')).toBe('Jul 2026');
  });

  it('measures how much of a period has passed (today counts)', () => {
    const q4 = parsePeriod('2026-Q4', 1);
    if (!q4) throw new Error('unparsed');
    // 1 Oct … 14 Nov is 45 of the quarter's 92 days.
    expect(elapsedShare(q4, '2026-11-14')).toBeCloseTo(45 / 92, 10);
    expect(elapsedShare(q4, '2026-09-30')).toBe(0);
    expect(elapsedShare(q4, '2027-01-05')).toBe(1);
  });
});

describe('drill-down routes', () => {
  it('opens the opportunity list filtered exactly as the figure was counted', () => {
    expect(
      drillRoute({ resource: 'opportunities', query: { unit_id: 'U1', status: 'won', closed_from: '2026-10-01', closed_to: '2026-12-31' } }),
    ).toBe('/opportunities/list?unit_id=U1&status=won&closed_from=2026-10-01&closed_to=2026-12-31');
    expect(drillRoute({ resource: 'opportunities', query: { unit_id: 'U1', owner_id: 'P9', stalled: true, stage_code: null } })).toBe(
      '/opportunities/list?unit_id=U1&owner_id=P9&stalled=true',
    );
  });

  it('sends contracts, accounts and activities to their lists', () => {
    expect(drillRoute({ resource: 'contracts', query: { unit_id: 'U1', signed_from: '2026-10-01', signed_to: '2026-12-31' } })).toBe(
      '/contracts?unit_id=U1&signed_from=2026-10-01&signed_to=2026-12-31',
    );
    expect(drillRoute({ resource: 'accounts', query: { unit_id: 'U1', created_from: '2026-10-01' } })).toBe('/accounts?unit_id=U1&created_from=2026-10-01');
    expect(drillRoute({ resource: 'activities', query: { unit_id: 'U1', occurred_to: '2026-12-31' } })).toBe('/activities?unit_id=U1&occurred_to=2026-12-31');
  });

  it('opens payments and receivables as tabs of the receivables page', () => {
    expect(drillRoute({ resource: 'payments', query: { unit_id: 'U1', received_from: '2026-10-01', received_to: '2026-12-31' } })).toBe(
      '/receivables?tab=payments&unit_id=U1&received_from=2026-10-01&received_to=2026-12-31',
    );
    // The descriptor's `overdue` decides, not the tab's own "overdue only" switch.
    expect(drillRoute({ resource: 'receivables', query: { unit_id: 'U1', overdue: true } })).toBe('/receivables?tab=list&overdue_only=0&unit_id=U1&overdue=true');
    expect(drillRoute({ resource: 'receivables', query: { unit_id: 'U1', as_of: '2026-11-24' } })).toBe('/receivables?tab=list&overdue_only=0&unit_id=U1&as_of=2026-11-24');
  });

  it('has no route for an unknown resource or no descriptor', () => {
    expect(drillRoute({ resource: 'invoices', query: { unit_id: 'U1' } })).toBeNull();
    expect(drillRoute(null)).toBeNull();
  });

  it('links funnel, forecast-category and a person\'s overdue figures to their lists', () => {
    expect(
      drillRoute({
        resource: 'opportunities',
        query: { unit_id: 'U1', entered_stage_code: 'poc', entered_from: '2026-10-01', entered_to: '2026-12-31', funnel_outcome: 'dropped' },
      }),
    ).toBe('/opportunities/list?unit_id=U1&entered_stage_code=poc&entered_from=2026-10-01&entered_to=2026-12-31&funnel_outcome=dropped');
    expect(drillRoute({ resource: 'opportunities', query: { unit_id: 'U1', status: 'open', forecast_category: 'commit' } })).toBe(
      '/opportunities/list?unit_id=U1&status=open&forecast_category=commit',
    );
    expect(drillRoute({ resource: 'receivables', query: { unit_id: 'U1', owner_id: 'P9', overdue: true } })).toBe(
      '/receivables?tab=list&overdue_only=0&unit_id=U1&owner_id=P9&overdue=true',
    );
    const params = new URLSearchParams('exited_stage_code=poc&exited_from=2026-10-01&exited_to=2026-12-31&funnel_outcome=advanced&entered_stage_code=poc');
    expect(drillFilters('opportunities', params)).toEqual({
      exited_from: '2026-10-01',
      exited_to: '2026-12-31',
      entered_stage_code: 'poc',
      funnel_outcome: 'advanced',
      exited_stage_code: 'poc',
    });
  });

  it('leaves a figure unlinked when its list cannot apply one of the filters', () => {
    // The contracts list has no funnel filter: opening it would show other rows than counted.
    expect(drillRoute({ resource: 'contracts', query: { unit_id: 'U1', entered_stage_code: 'poc' } })).toBeNull();
    expect(drillRoute({ resource: 'activities', query: { unit_id: 'U1', overdue: true } })).toBeNull();
    // A null filter is no filter.
    expect(drillRoute({ resource: 'contracts', query: { unit_id: 'U1', funnel_outcome: null } })).toBe('/contracts?unit_id=U1');
  });

  it('reads a list page’s drill filters back from its URL, ignoring malformed dates', () => {
    const params = new URLSearchParams('closed_from=2026-10-01&closed_to=31.12.2026&stage_code=poc&q=abc&status=won');
    expect(drillFilters('opportunities', params)).toEqual({ closed_from: '2026-10-01', stage_code: 'poc' });
    expect(rangeChips('opportunities', params)).toEqual([{ field: 'closed', from: '2026-10-01', to: '31.12.2026', keys: ['closed_from', 'closed_to'] }]);
    expect(rangeChips('contracts', params)).toEqual([]);
  });

  it('builds an export query without paging parameters', () => {
    expect(exportQuery({ unit_id: 'U1', limit: 20, cursor: 'abc', include_total: true, stalled: true, q: '' })).toBe('unit_id=U1&stalled=true&format=xlsx');
  });
});

describe('pipeline waterfall', () => {
  const step = (code: string, sign: -1 | 0 | 1, amount: string) => ({ code, sign, amount });
  const steps = (closing: string) => [
    step('opening', 0, '1000.00'),
    step('new', 1, '250.50'),
    step('amount_increased', 1, '100.00'),
    step('amount_decreased', -1, '50.25'),
    step('won', -1, '300.00'),
    step('lost', -1, '100.00'),
    step('other_removed', -1, '0.00'),
    step('closing', 0, closing),
  ];

  it('stacks increases on the running total and hangs decreases below it', () => {
    const w = buildWaterfall(steps('900.25'));
    expect(w.bars.map((b) => [b.step.code, b.kind, b.base, b.height])).toEqual([
      ['opening', 'total', 0, 1000],
      ['new', 'increase', 1000, 250.5],
      ['amount_increased', 'increase', 1250.5, 100],
      ['amount_decreased', 'decrease', 1300.25, 50.25],
      ['won', 'decrease', 1000.25, 300],
      ['lost', 'decrease', 900.25, 100],
      ['other_removed', 'decrease', 900.25, 0],
      ['closing', 'total', 0, 900.25],
    ]);
    expect(w.balanced).toBe(true);
    expect(w.computedClosingCents).toBe(90025n);
  });

  it('notices when the steps do not add up to the closing balance', () => {
    const w = buildWaterfall(steps('900.00'));
    expect(w.balanced).toBe(false);
    expect(w.computedClosingCents).toBe(90025n);
  });

  it('reads decimal strings into cents', () => {
    expect(toCents('12.3')).toBe(1230n);
    expect(toCents('-0.05')).toBe(-5n);
    expect(toCents('7')).toBe(700n);
    expect(toCents('abc')).toBe(0n);
  });
});

describe('dashboard number formatting', () => {
  it('shows ratios, coverage, changes and days', () => {
    expect(formatRatio('0.8123')).toBe('81.2%');
    expect(formatRatio('1.25')).toBe('125.0%');
    expect(formatRatio(null)).toBe('—');
    expect(ratioPercent('0.8123')).toBe(81.2);
    expect(ratioPercent('1.25')).toBe(100);
    expect(ratioPercent(null)).toBe(0);
    expect(formatCoverage('0.4567')).toBe('0.46×');
    expect(formatChange('0.1234')).toBe('+12.3%');
    expect(formatChange('-0.04')).toBe('−4.0%');
    expect(formatChange('-0.0001')).toBe('0.0%');
    expect(formatChange(null)).toBe('—');
    expect(formatDays('42.0')).toBe('42');
    expect(formatDays('37.5')).toBe('37.5');
  });

  it('formats money exactly or short, in the UI language', () => {
    expect(formatMoneyExact('1234567.5', 'CNY', 'zh-CN')).toBe('¥1,234,567.50');
    expect(formatMoneyShort('12345678', 'CNY', 'zh-CN')).toBe('¥1234.6万');
    expect(formatMoneyShort('12345678', 'HKD', 'en-US')).toBe('HK$12.3M');
    expect(formatMoneyShort(null, 'CNY', 'zh-CN')).toBe('—');
  });

  it('compares achievement with the pace of the period', () => {
    expect(paceOf('0.5', 0.49)).toBe('ahead');
    expect(paceOf('0.4', 0.49)).toBe('on_track'); // 80 % of the pace is 0.392
    expect(paceOf('0.3', 0.49)).toBe('behind');
    expect(paceOf(null, 0.49)).toBe('none');
  });
});

describe('export file names', () => {
  it('takes the server’s file name', () => {
    expect(filenameFrom('attachment; filename="kpis-20261124-0930.xlsx"', 'x.xlsx')).toBe('kpis-20261124-0930.xlsx');
    expect(filenameFrom("attachment; filename*=UTF-8''%E7%BB%8F%E8%90%A5.xlsx", 'x.xlsx')).toBe('经营.xlsx');
    expect(filenameFrom(null, 'x.xlsx')).toBe('x.xlsx');
  });
});

describe('missing FX rates', () => {
  it('lists each pair, month and rate type once, in order', () => {
    const hkdDec = { from_currency: 'HKD', to_currency: 'CNY', period: '2026-12', rate_type: 'average' };
    const sgdNov = { from_currency: 'SGD', to_currency: 'CNY', period: '2026-11', rate_type: 'period_end' };
    const hkdNov = { from_currency: 'HKD', to_currency: 'CNY', period: '2026-11', rate_type: 'average' };
    expect(mergeMissingRates([hkdDec, sgdNov], null, [hkdNov, { ...hkdDec }])).toEqual([hkdNov, hkdDec, sgdNov]);
    expect(mergeMissingRates(undefined, [])).toEqual([]);
  });
});
