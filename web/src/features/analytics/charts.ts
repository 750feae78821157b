/**
 * ECharts options of the dashboard panels. Values from the API are decimal strings; bars and
 * lines need numbers for their geometry, while labels and tooltips show the exact formatted
 * strings the formatters give.
 */
import { formatChange } from './format';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Coverage gauge: 0 … 2× with red below 0.8, amber to 1 and green above (weighted pipeline covers what is left). */
export function coverageGaugeOption(coverage: number | null, label: string): Record<string, unknown> {
  const value = coverage === null ? 0 : Math.min(coverage, 2);
  return {
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 2,
        splitNumber: 4,
        radius: '95%',
        center: ['50%', '58%'],
        startAngle: 200,
        endAngle: -20,
        axisLine: {
          lineStyle: {
            width: 14,
            color: [
              [0.4, '#dc2626'],
              [0.5, '#f59e0b'],
              [1, '#16a34a'],
            ],
          },
        },
        pointer: { width: 5, length: '60%', itemStyle: { color: '#0b1f3a' } },
        axisTick: { distance: -14, length: 6, lineStyle: { color: '#fff', width: 1 } },
        splitLine: { distance: -14, length: 14, lineStyle: { color: '#fff', width: 2 } },
        axisLabel: { distance: 18, color: '#64748b', fontSize: 11, formatter: (v: number) => `${v}×` },
        title: { offsetCenter: [0, '72%'], fontSize: 12, color: '#64748b' },
        detail: {
          valueAnimation: false,
          offsetCenter: [0, '38%'],
          fontSize: 22,
          fontWeight: 600,
          formatter: () => (coverage === null ? '—' : `${coverage.toFixed(2)}×`),
        },
        data: [{ value, name: label }],
      },
    ],
  };
}

export interface TrendPointLike {
  month: string;
  value: string | number;
  previous_year_value?: string | number | null;
  mom: string | null;
  yoy: string | null;
}

/** The monthly line with last year's dashed beside it; the tooltip has the exact value, MoM and YoY. */
export function trendOption(
  points: readonly TrendPointLike[],
  names: { value: string; lastYear: string; mom: string; yoy: string },
  formatValue: (v: string | number | null | undefined) => string,
  locale = 'zh-CN',
): Record<string, unknown> {
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const num = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? null : Number(v));
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { dataIndex: number }[];
        const p = points[list[0]?.dataIndex ?? -1];
        if (!p) return '';
        return [
          `<b>${escapeHtml(p.month)}</b>`,
          `${escapeHtml(names.value)}: ${escapeHtml(formatValue(p.value))}`,
          `${escapeHtml(names.mom)}: ${formatChange(p.mom)}`,
          `${escapeHtml(names.yoy)}: ${formatChange(p.yoy)}`,
          `${escapeHtml(names.lastYear)}: ${escapeHtml(formatValue(p.previous_year_value ?? null))}`,
        ].join('<br/>');
      },
    },
    legend: { top: 0, data: [names.value, names.lastYear] },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: points.map((p) => p.month), axisLabel: { formatter: (m: string) => m.slice(2) } },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact.format(v) } },
    series: [
      { name: names.value, type: 'line', smooth: true, symbolSize: 7, areaStyle: { opacity: 0.08 }, data: points.map((p) => num(p.value)) },
      {
        name: names.lastYear,
        type: 'line',
        smooth: true,
        symbol: 'none',
        lineStyle: { type: 'dashed', width: 1.5 },
        itemStyle: { color: '#94a3b8' },
        data: points.map((p) => num(p.previous_year_value ?? null)),
      },
    ],
  };
}

export interface FunnelStageLike {
  stage_code: string;
  name: string;
  name_en?: string | null;
  entered: number;
  conversion: string | null;
}

/** Stages in process order (not re-sorted by size), width by deals entered; labels carry the conversion. */
export function funnelOption(stages: readonly FunnelStageLike[], locale: string, conversionName: string, narrow = false): Record<string, unknown> {
  const name = (s: FunnelStageLike) => (locale === 'zh-CN' ? s.name : s.name_en || s.name);
  const max = Math.max(1, ...stages.map((s) => s.entered));
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const s = stages[p.dataIndex];
        return s ? `${escapeHtml(name(s))}<br/>${s.entered} · ${escapeHtml(conversionName)} ${s.conversion === null ? '—' : `${(Number(s.conversion) * 100).toFixed(1)}%`}` : '';
      },
    },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: narrow ? '4%' : '10%',
        width: narrow ? '92%' : '80%',
        top: 8,
        bottom: 8,
        min: 0,
        max,
        minSize: '8%',
        gap: 2,
        label: { show: true, position: 'inside', formatter: (p: { dataIndex: number }) => { const s = stages[p.dataIndex]; return s ? `${name(s)}  ${s.entered}` : ''; } },
        data: stages.map((s) => ({ name: name(s), value: s.entered })),
      },
    ],
  };
}
