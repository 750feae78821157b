/**
 * The pipeline waterfall between two dates as ECharts bars: opening, then the increases (new
 * deals, amounts raised), then the decreases (amounts cut, won, lost, removed), then closing.
 * A waterfall is drawn as a transparent "base" series stacked under a visible "step" series.
 * Amounts are decimal strings; sums are done in cents with BigInt so the identity check is
 * exact, and only the bar geometry becomes numbers.
 */

/** One step of the API's waterfall: `sign` +1 adds to the pipeline, −1 takes away, 0 is a balance. */
export interface StepLike {
  code: string;
  sign: -1 | 0 | 1;
  amount: string;
}

export type StepKind = 'total' | 'increase' | 'decrease';

export interface WaterfallBar<S extends StepLike = StepLike> {
  step: S;
  kind: StepKind;
  /** Where the visible bar starts and its height, in currency units (drawing only). */
  base: number;
  height: number;
}

export interface Waterfall<S extends StepLike = StepLike> {
  bars: WaterfallBar<S>[];
  /** The first balance plus increases minus decreases, in cents. */
  computedClosingCents: bigint;
  /** Whether that equals the last balance the API reported (the identity of the waterfall). */
  balanced: boolean;
}

/** `"1234.5"` → 123450n; anything else → 0n. */
export function toCents(amount: string | null | undefined): bigint {
  const found = /^(-?)(\d+)(?:\.(\d{1,2})\d*)?$/.exec(amount ?? '');
  if (!found) return 0n;
  const cents = BigInt(found[2] ?? '0') * 100n + BigInt((found[3] ?? '').padEnd(2, '0'));
  return found[1] ? -cents : cents;
}

const units = (cents: bigint) => Number(cents) / 100;

/**
 * Bars in the API's order (opening, new, amount increased, amount decreased, won, lost, other
 * removed, closing): balances stand on zero, an increase sits on the running total, a decrease
 * hangs below it.
 */
export function buildWaterfall<S extends StepLike>(steps: readonly S[]): Waterfall<S> {
  let running = 0n;
  let started = false;
  let reported: bigint | null = null;
  const bars: WaterfallBar<S>[] = [];
  for (const step of steps) {
    const cents = toCents(step.amount);
    if (step.sign === 0) {
      if (!started) running = cents;
      else reported = cents;
      started = true;
      bars.push({ step, kind: 'total', base: 0, height: units(cents) });
    } else if (step.sign > 0) {
      bars.push({ step, kind: 'increase', base: units(running), height: units(cents) });
      running += cents;
    } else {
      running -= cents;
      bars.push({ step, kind: 'decrease', base: units(running), height: units(cents) });
    }
  }
  return { bars, computedClosingCents: running, balanced: reported === null || reported === running };
}

export const STEP_COLORS: Record<StepKind, string> = { total: '#1d4ed8', increase: '#16a34a', decrease: '#dc2626' };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The ECharts option: a transparent base stacked under the coloured step; the tooltip shows the exact amount. */
export function waterfallOption<S extends StepLike>(
  waterfall: Waterfall<S>,
  stepLabel: (step: S) => string,
  formatMoney: (amount: string) => string,
  locale = 'zh-CN',
  narrow = false,
): Record<string, unknown> {
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as { dataIndex: number }[];
        const bar = waterfall.bars[list[0]?.dataIndex ?? -1];
        if (!bar) return '';
        const sign = bar.kind === 'increase' ? '+' : bar.kind === 'decrease' ? '−' : '';
        return `${escapeHtml(stepLabel(bar.step))}<br/>${sign}${escapeHtml(formatMoney(bar.step.amount))}`;
      },
    },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: waterfall.bars.map((b) => stepLabel(b.step)),
      axisLabel: { interval: 0, rotate: narrow ? 40 : 0, width: narrow ? 60 : 90, overflow: 'truncate' },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact.format(v) } },
    series: [
      {
        name: 'base',
        type: 'bar',
        stack: 'waterfall',
        silent: true,
        itemStyle: { color: 'transparent', borderColor: 'transparent' },
        emphasis: { itemStyle: { color: 'transparent' } },
        data: waterfall.bars.map((b) => b.base),
      },
      {
        name: 'step',
        type: 'bar',
        stack: 'waterfall',
        barMaxWidth: 48,
        label: { show: !narrow, position: 'top', formatter: (p: { dataIndex: number }) => compact.format(waterfall.bars[p.dataIndex]?.height ?? 0) },
        data: waterfall.bars.map((b) => ({ value: b.height, itemStyle: { color: STEP_COLORS[b.kind] } })),
      },
    ],
  };
}
