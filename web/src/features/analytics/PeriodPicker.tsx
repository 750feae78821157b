import { Segmented, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { useI18n } from '@/i18n';
import { describePeriod, PERIOD_KINDS, type PeriodKind, parsePeriod, periodChoices, periodContaining } from './period';

const HISTORY: Record<PeriodKind, number> = { month: 18, quarter: 8, year: 4 };

/**
 * Picks a fiscal month, quarter or year and answers its text (`2026-Q4`, `2026`, `2026-07`),
 * the form every analytics and target endpoint takes. Quarters and years follow the group's
 * fiscal-year start month.
 */
export function PeriodPicker({
  value,
  fiscalStartMonth,
  onChange,
  kinds = PERIOD_KINDS,
  testId = 'period-picker',
}: {
  value: string | null;
  fiscalStartMonth: number;
  onChange: (period: string) => void;
  kinds?: readonly PeriodKind[];
  testId?: string;
}) {
  const { t, locale } = useI18n();
  const today = dayjs().format('YYYY-MM-DD');
  const current = parsePeriod(value, fiscalStartMonth) ?? periodContaining('quarter', today, fiscalStartMonth);
  const options = useMemo(() => {
    const list = periodChoices(current.kind, today, fiscalStartMonth, { back: HISTORY[current.kind], forward: 1 });
    if (!list.some((p) => p.label === current.label)) list.push(current);
    return list.map((p) => ({ value: p.label, label: describePeriod(p, locale) }));
  }, [current, today, fiscalStartMonth, locale]);
  return (
    <Space size={6} wrap data-testid={testId}>
      <Segmented
        size="middle"
        value={current.kind}
        onChange={(kind) => onChange(periodContaining(kind as PeriodKind, current.start, fiscalStartMonth).label)}
        options={kinds.map((k) => ({ value: k, label: t(`analytics.period.${k}`) }))}
        data-testid={`${testId}-kind`}
      />
      <Select
        value={current.label}
        onChange={(v: string) => onChange(v)}
        options={options}
        style={{ minWidth: 200 }}
        popupMatchSelectWidth={false}
        data-testid={`${testId}-value`}
        aria-label={t('analytics.period.label')}
      />
    </Space>
  );
}
