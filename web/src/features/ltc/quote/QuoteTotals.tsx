import { WarningOutlined } from '@ant-design/icons';
import { Alert, Card, Descriptions, Divider, Flex, Tag, Typography } from 'antd';
import { useI18n } from '@/i18n';
import { Money } from '../common';
import { formatPercent } from '../format';
import { estimateTotals, type LineInput } from '../pricing';
import type { QuoteDetail } from '../types';

/** 金额汇总: the server's totals; while lines are being edited, a labelled estimate beside them. */
export function QuoteTotals({ quote, estimate }: { quote: QuoteDetail; estimate: LineInput[] | null }) {
  const { t } = useI18n();
  const e = estimate ? estimateTotals(estimate) : null;
  const ccy = quote.currency;
  return (
    <Card size="small" title={t('ltc.totals.title')} data-testid="quote-totals">
      <Descriptions size="small" column={1} colon={false} labelStyle={{ minWidth: 96 }}>
        <Descriptions.Item label={t('ltc.totals.subtotalList')}>
          <Money amount={quote.subtotal_list} currency={ccy} />
        </Descriptions.Item>
        <Descriptions.Item label={t('ltc.totals.discount')}>
          <span data-testid="quote-discount">
            <Money amount={quote.discount_amount} currency={ccy} />{` (${formatPercent(String(quote.discount_pct))})`}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('ltc.totals.subtotalNet')}>
          <Money amount={quote.subtotal_net} currency={ccy} />
        </Descriptions.Item>
        <Descriptions.Item label={t('ltc.totals.tax')}>
          <Money amount={quote.tax_amount} currency={ccy} />
        </Descriptions.Item>
        <Descriptions.Item label={t('ltc.totals.maxLineDiscount')}>{formatPercent(String(quote.max_line_discount_pct))}</Descriptions.Item>
      </Descriptions>
      <Divider style={{ margin: '8px 0' }} />
      <Flex justify="space-between" align="baseline">
        <Typography.Text strong>{t('ltc.totals.total')}</Typography.Text>
        <span data-testid="quote-total">
          <Money amount={quote.total} currency={ccy} strong />
        </span>
      </Flex>
      {quote.below_floor ? (
        <Alert style={{ marginTop: 12 }} type="warning" showIcon icon={<WarningOutlined />} message={t('ltc.totals.belowFloor')} />
      ) : null}
      {e ? (
        <div style={{ marginTop: 12, padding: 8, background: '#fffbe6', borderRadius: 6 }} data-testid="quote-estimate">
          <Flex justify="space-between" align="center" style={{ marginBottom: 4 }}>
            <Tag color="orange">{t('ltc.totals.estimate')}</Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('ltc.totals.estimateHint')}
            </Typography.Text>
          </Flex>
          <Descriptions size="small" column={1} colon={false}>
            <Descriptions.Item label={t('ltc.totals.discount')}>
              <Money amount={e.discountAmount} currency={ccy} />{` (${formatPercent(e.discountPct)})`}
            </Descriptions.Item>
            <Descriptions.Item label={t('ltc.totals.subtotalNet')}>
              <Money amount={e.subtotalNet} currency={ccy} />
            </Descriptions.Item>
            <Descriptions.Item label={t('ltc.totals.tax')}>
              <Money amount={e.taxAmount} currency={ccy} />
            </Descriptions.Item>
            <Descriptions.Item label={t('ltc.totals.total')}>
              <Money amount={e.total} currency={ccy} strong />
            </Descriptions.Item>
          </Descriptions>
          {e.belowFloor ? <Typography.Text type="danger">{t('ltc.totals.belowFloor')}</Typography.Text> : null}
        </div>
      ) : null}
    </Card>
  );
}
