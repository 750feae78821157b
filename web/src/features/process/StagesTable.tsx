import { AuditOutlined, LockOutlined } from '@ant-design/icons';
import { Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { ProcessStage } from '@/api/types';
import { requiredFieldLabel, stageKindLabel } from '@/features/opportunity/labels';
import { localName, playbookFor, sortStages } from '@/features/opportunity/stages';
import { useI18n } from '@/i18n';

export const KIND_COLORS: Record<string, string> = { open: 'blue', won: 'green', lost: 'default' };

/** A published version's stages, read-only. */
export function StagesTable({ stages }: { stages: readonly ProcessStage[] }) {
  const { t, td, locale } = useI18n();
  const columns: ColumnsType<ProcessStage> = [
    { title: '#', key: 'pos', width: 48, render: (_, _s, i) => i + 1 },
    {
      title: t('process.stage'),
      key: 'name',
      render: (_, s) => (
        <Space direction="vertical" size={0}>
          <Space size={4}>
            <Typography.Text strong>{localName(s.name, s.name_en, locale)}</Typography.Text>
            {s.locked ? (
              <Tooltip title={t('process.lockedHint')}>
                <LockOutlined style={{ color: '#64748b' }} />
              </Tooltip>
            ) : null}
            {s.requires_approval ? (
              <Tooltip title={t('process.requiresApproval')}>
                <AuditOutlined style={{ color: '#d97706' }} />
              </Tooltip>
            ) : null}
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {s.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('process.kind'), dataIndex: 'kind', render: (k: string) => <Tag color={KIND_COLORS[k]}>{stageKindLabel(td, k)}</Tag> },
    { title: t('process.probability'), dataIndex: 'probability', render: (p: number) => `${p}%` },
    { title: t('process.maxDays'), dataIndex: 'max_days', responsive: ['sm'], render: (v: number | null) => (v ? t('opp.days', { days: v }) : t('common.none')) },
    {
      title: t('process.requiredFields'),
      dataIndex: 'required_fields',
      responsive: ['md'],
      render: (fields: string[]) => (fields.length ? fields.map((f) => <Tag key={f} bordered={false}>{requiredFieldLabel(td, f)}</Tag>) : t('common.none')),
    },
    {
      title: t('process.checklist'),
      dataIndex: 'checklist',
      responsive: ['md'],
      render: (items: ProcessStage['checklist']) =>
        items.length ? (
          <ul style={{ margin: 0, paddingInlineStart: 16 }}>
            {items.map((c) => (
              <li key={c.code}>{localName(c.label, c.label_en, locale)}</li>
            ))}
          </ul>
        ) : (
          t('common.none')
        ),
    },
  ];
  return (
    <Table<ProcessStage>
      size="small"
      rowKey="id"
      pagination={false}
      columns={columns}
      dataSource={sortStages(stages)}
      scroll={{ x: 'max-content' }}
      expandable={{
        rowExpandable: (s) => Boolean(s.playbook),
        expandedRowRender: (s) => <div className="opp-playbook">{playbookFor(s.playbook, locale)}</div>,
      }}
    />
  );
}
