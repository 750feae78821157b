import { Table, Typography } from 'antd';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { kindLabel, scopeLabel } from '@/i18n/labels';
import { type DiffRow, diffRows } from './diff';

const REDACTED = /^\*+$|^<redacted>$|^\[redacted\]$/i;
const UNIT_FIELDS = new Set(['parent_id', 'subsidiary_id', 'unit_id', 'primary_unit_id']);

/** Shows a raw audit value the way the rest of the UI does (unit names, kinds, yes/no). */
function useDisplayValue() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const { byId } = useOrgUnits({ enabled: can('org.read') });
  return (field: string, value: string): string => {
    if (UNIT_FIELDS.has(field)) return byId.get(value)?.name ?? value;
    if (field === 'kind') return kindLabel(td, value);
    if (field === 'data_scope') return scopeLabel(td, value);
    if (value === 'true') return t('common.yes');
    if (value === 'false') return t('common.no');
    return value;
  };
}

function Value({ field, value, kind }: { field: string; value: string | null; kind: 'before' | 'after' }) {
  const { t } = useI18n();
  const display = useDisplayValue();
  if (value === null) return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
  if (REDACTED.test(value)) return <Typography.Text type="secondary" italic>{t('audit.redacted')}</Typography.Text>;
  const shown = display(field, value);
  return (
    <span className={kind === 'before' ? 'diff-before' : 'diff-after'} title={shown !== value ? value : undefined}>
      {shown}
    </span>
  );
}

/** Field-by-field before/after of one audit event. */
export function ChangesDiff({ changes }: { changes: unknown }) {
  const { t, td } = useI18n();
  const rows = diffRows(changes);
  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  return (
    <Table<DiffRow>
      data-testid="audit-diff"
      className="audit-diff"
      size="small"
      rowKey="field"
      pagination={false}
      dataSource={rows}
      tableLayout="fixed"
      columns={[
        {
          title: t('audit.field'),
          dataIndex: 'field',
          width: '28%',
          render: (f: string) => (
            <span title={f}>
              {td(`field.${f}`, f)}{' '}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {f}
              </Typography.Text>
            </span>
          ),
        },
        { title: t('audit.before'), dataIndex: 'before', render: (v: string | null, r) => <Value field={r.field} value={v} kind="before" /> },
        { title: t('audit.after'), dataIndex: 'after', render: (v: string | null, r) => <Value field={r.field} value={v} kind="after" /> },
      ]}
    />
  );
}
