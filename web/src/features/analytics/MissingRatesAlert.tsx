import { WarningOutlined } from '@ant-design/icons';
import { Alert, Space, Tag } from 'antd';
import { Link } from 'react-router-dom';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import type { MissingRateLike } from './rates';

/**
 * Amounts whose FX rate is missing are left out of every total (never converted at 1): this
 * says which pair and month, on every screen that consolidates currencies.
 */
export function MissingRatesAlert({ rates, testId = 'missing-rates' }: { rates: readonly MissingRateLike[]; testId?: string }) {
  const { t, td } = useI18n();
  const { can } = useAccess();
  if (!rates.length) return null;
  return (
    <Alert
      type="warning"
      showIcon
      icon={<WarningOutlined />}
      data-testid={testId}
      message={t('analytics.missingRates.title', { count: rates.length })}
      description={
        <Space direction="vertical" size={6}>
          <span>{t('analytics.missingRates.hint')}</span>
          <Space size={[6, 6]} wrap>
            {rates.map((r) => (
              <Tag key={`${r.from_currency}${r.to_currency}${r.period}${r.rate_type}`} color="orange" data-testid="missing-rate">
                {r.from_currency}→{r.to_currency} · {r.period} · {td(`analytics.rateType.${r.rate_type}`, r.rate_type)}
              </Tag>
            ))}
          </Space>
          {can('fx.admin') ? <Link to="/admin/fx-rates">{t('analytics.missingRates.fix')}</Link> : null}
        </Space>
      }
    />
  );
}
