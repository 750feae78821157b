import { Table, Typography } from 'antd';
import { useI18n } from '@/i18n';
import { type DiffRow, diffRows } from './diff';

const REDACTED = /^\*+$|^<redacted>$|^\[redacted\]$/i;

function Value({ value, kind }: { value: string | null; kind: 'before' | 'after' }) {
  const { t } = useI18n();
  if (value === null) return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
  if (REDACTED.test(value)) return <Typography.Text type="secondary" italic>{t('audit.redacted')}</Typography.Text>;
  return <span className={kind === 'before' ? 'diff-before' : 'diff-after'}>{value}</span>;
}

/** Field-by-field before/after of one audit event. */
export function ChangesDiff({ changes }: { changes: unknown }) {
  const { t, td } = useI18n();
  const rows = diffRows(changes);
  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  return (
    <Table<DiffRow>
      data-testid="audit-diff"
      size="small"
      rowKey="field"
      pagination={false}
      dataSource={rows}
      scroll={{ x: 'max-content' }}
      columns={[
        {
          title: t('audit.field'),
          dataIndex: 'field',
          width: 200,
          render: (f: string) => (
            <span title={f}>
              {td(`field.${f}`, f)}{' '}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {f}
              </Typography.Text>
            </span>
          ),
        },
        { title: t('audit.before'), dataIndex: 'before', render: (v: string | null) => <Value value={v} kind="before" /> },
        { title: t('audit.after'), dataIndex: 'after', render: (v: string | null) => <Value value={v} kind="after" /> },
      ]}
    />
  );
}
