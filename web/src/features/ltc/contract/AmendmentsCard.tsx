import { Card, Empty, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useI18n } from '@/i18n';
import { formatDate, formatDateTime } from '../format';
import type { Amendment } from '../types';

const FIELDS = ['title', 'amount', 'tax_amount', 'end_date', 'payment_days', 'terms', 'payment_plan'];

/** 变更记录: each amendment with its before → after values. */
export function AmendmentsCard({ amendments }: { amendments: readonly Amendment[] }) {
  const { t, td } = useI18n();
  const columns: ColumnsType<Amendment> = [
    { title: '#', dataIndex: 'seq', width: 40 },
    { title: t('ltc.amend.effectiveDate'), key: 'eff', render: (_, a) => formatDate(a.effective_date) },
    { title: t('ltc.amend.reason'), dataIndex: 'reason' },
    {
      title: t('ltc.amend.changes'),
      key: 'changes',
      render: (_, a) => (
        <ul style={{ margin: 0, paddingInlineStart: 16 }}>
          {Object.entries(a.changes)
            .sort(([x], [y]) => FIELDS.indexOf(x) - FIELDS.indexOf(y))
            .map(([field, pair]) => (
              <li key={field}>
                <Typography.Text type="secondary">{td(`ltc.amend.field.${field}`, field)}: </Typography.Text>
                <Typography.Text delete>{pair[0] ?? t('common.none')}</Typography.Text> → <Typography.Text strong>{pair[1] ?? t('common.none')}</Typography.Text>
              </li>
            ))}
        </ul>
      ),
    },
    { title: t('ltc.amend.by'), key: 'by', responsive: ['md'], render: (_, a) => `${a.created_by_name ?? ''} ${formatDateTime(a.created_at)}` },
  ];
  return (
    <Card size="small" title={t('ltc.amend.list')} data-testid="contract-amendments">
      <Table<Amendment>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={[...amendments]}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ltc.amend.empty')} /> }}
      />
    </Card>
  );
}
