/**
 * A thin ECharts wrapper for dashboards: registers the charts we use (tree-shaken core build),
 * resizes with its container, and follows the UI language. Import it lazily from pages so
 * ECharts stays out of the first bundle:
 *
 *   const EChart = lazy(() => import('@/components/EChart'));
 *   <EChart option={{ xAxis: {...}, series: [...] }} height={320} />
 */
import { BarChart, FunnelChart, GaugeChart, LineChart, PieChart } from 'echarts/charts';
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CSSProperties, useEffect, useRef } from 'react';
import { useI18n } from '@/i18n';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  GaugeChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type EChartOption = echarts.EChartsCoreOption;

/** Flotilla's series colours: the brand blue first, then calm distinguishable hues. */
export const CHART_COLORS = ['#1d4ed8', '#0ea5e9', '#16a34a', '#f59e0b', '#7c3aed', '#db2777', '#64748b', '#0d9488'];

interface Props {
  option: EChartOption;
  height?: number | string;
  style?: CSSProperties;
  /** Receives the chart on click of a data item (drill-down). */
  onItemClick?: (params: unknown) => void;
  'data-testid'?: string;
}

export default function EChart({ option, height = 320, style, onItemClick, ...rest }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const { locale } = useI18n();

  useEffect(() => {
    if (!ref.current) return undefined;
    const instance = echarts.init(ref.current, undefined, { locale: locale === 'zh-CN' ? 'ZH' : 'EN', renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [locale]);

  useEffect(() => {
    chart.current?.setOption({ color: CHART_COLORS, ...option }, { notMerge: true });
  }, [option, locale]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance || !onItemClick) return undefined;
    instance.on('click', onItemClick);
    return () => {
      instance.off('click', onItemClick);
    };
  }, [onItemClick, locale]);

  return <div ref={ref} style={{ width: '100%', height, ...style }} data-testid={rest['data-testid']} />;
}
