import { CloseOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Flex, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { AuditEvent } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { useDebounced } from '@/components/useDebounced';
import { useUser, useUserSearch } from '@/features/user/hooks';
import { useI18n } from '@/i18n';
import { actionLabel, entityTypeLabel } from '@/i18n/labels';
import { ChangesDiff } from './ChangesDiff';
import { type AuditFilters, auditKeys, fetchAuditPage } from './hooks';

const ENTITY_TYPES = ['org_unit', 'app_user', 'position', 'role', 'role_grant'] as const;

const ACTION_COLORS: Record<string, string> = { create: 'green', update: 'blue', delete: 'red', move: 'purple', login: 'cyan' };

function ActorSelect({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const { t } = useI18n();
  const [term, setTerm] = useState('');
  const q = useDebounced(term, 250);
  const search = useUserSearch(q);
  const selected = useUser(value);
  const options = useMemo(() => {
    const list = (search.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.display_name} (@${u.username})` }));
    if (value && selected.data && !list.some((o) => o.value === value)) {
      list.unshift({ value, label: `${selected.data.display_name} (@${selected.data.username})` });
    }
    return list;
  }, [search.data, selected.data, value]);
  return (
    <Select
      allowClear
      showSearch
      filterOption={false}
      value={value ?? undefined}
      onSearch={setTerm}
      onChange={(v: string | undefined) => onChange(v ?? null)}
      options={options}
      loading={search.isFetching}
      placeholder={t('audit.actorPlaceholder')}
      style={{ width: 220 }}
      notFoundContent={search.isFetching ? undefined : t('common.noMatch')}
      data-testid="audit-actor"
    />
  );
}

export default function AuditLogPage() {
  const { t, td } = useI18n();
  const [params, setParams] = useSearchParams();
  const filters: AuditFilters = {
    entityType: params.get('entity_type'),
    entityId: params.get('entity_id'),
    actorId: params.get('actor_id'),
    since: params.get('since'),
    until: params.get('until'),
  };

  const setParam = (changes: Record<string, string | null>) =>
    setParams(
      (p) => {
        for (const [k, v] of Object.entries(changes)) {
          if (v) p.set(k, v);
          else p.delete(k);
        }
        return p;
      },
      { replace: true },
    );

  const { entityType, entityId, actorId, since, until } = filters;
  const fetchPage = useCallback(
    (req: PageRequest) => fetchAuditPage({ entityType, entityId, actorId, since, until }, req),
    [entityType, entityId, actorId, since, until],
  );

  const range: [Dayjs | null, Dayjs | null] = [since ? dayjs(since) : null, until ? dayjs(until) : null];

  const columns: ColumnsType<AuditEvent> = [
    { title: t('audit.seq'), dataIndex: 'seq', width: 80, responsive: ['md'], render: (v: number) => <Typography.Text type="secondary">#{v}</Typography.Text> },
    {
      title: t('audit.time'),
      dataIndex: 'occurred_at',
      render: (v: string) => (
        <Tooltip title={dayjs(v).format('YYYY-MM-DD HH:mm:ss.SSS Z')}>
          <span style={{ whiteSpace: 'nowrap' }}>{dayjs(v).format('YYYY-MM-DD HH:mm:ss')}</span>
        </Tooltip>
      ),
    },
    { title: t('audit.actor'), key: 'actor', render: (_, e) => (e.actor_id ? e.actor_name : t('audit.system')) },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (action: string) => {
        const verb = action.slice(action.lastIndexOf('.') + 1);
        return (
          <Tag color={ACTION_COLORS[verb] ?? 'default'} title={action}>
            {actionLabel(td, action)}
          </Tag>
        );
      },
    },
    {
      title: t('audit.entity'),
      key: 'entity',
      render: (_, e) => (
        <Space direction="vertical" size={0}>
          <span>{e.entity_label || e.entity_id || t('common.none')}</span>
          {e.entity_type ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {entityTypeLabel(td, e.entity_type)}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('audit.changes'),
      key: 'changes',
      responsive: ['sm'],
      render: (_, e) => {
        const n = Object.keys(e.changes ?? {}).length;
        return n ? t('audit.changedFields', { count: n }) : <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;
      },
    },
    { title: t('audit.clientIp'), dataIndex: 'client_ip', responsive: ['lg'], render: (v: string | null) => v || t('common.none') },
  ];

  return (
    <PageContainer title={t('audit.title')} subtitle={t('audit.subtitle')}>
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <Select
            allowClear
            value={entityType ?? undefined}
            onChange={(v: string | undefined) => setParam({ entity_type: v ?? null, entity_id: null })}
            placeholder={t('audit.entityType')}
            options={ENTITY_TYPES.map((e) => ({ value: e, label: entityTypeLabel(td, e) }))}
            style={{ width: 180 }}
            data-testid="audit-entity-type"
          />
          <ActorSelect value={actorId} onChange={(v) => setParam({ actor_id: v })} />
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            allowEmpty={[true, true]}
            value={range}
            placeholder={[t('audit.from'), t('audit.to')]}
            onChange={(values) =>
              setParam({
                since: values?.[0] ? values[0].toISOString() : null,
                until: values?.[1] ? values[1].toISOString() : null,
              })
            }
            data-testid="audit-range"
          />
          {entityType || actorId || since || until || entityId ? (
            <Button onClick={() => setParams({}, { replace: true })}>{t('common.reset')}</Button>
          ) : null}
        </Flex>
        {entityId ? (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('audit.entityFilterActive', { id: entityId })}
            action={
              <Button size="small" icon={<CloseOutlined />} onClick={() => setParam({ entity_id: null })}>
                {t('audit.clearEntity')}
              </Button>
            }
          />
        ) : null}
        <CursorTable<AuditEvent>
          testId="audit-table"
          queryKey={auditKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(e) => e.id}
          emptyText={t('audit.empty')}
          expandable={{
            expandedRowRender: (e) => (
              <div style={{ padding: '4px 0' }}>
                <ChangesDiff changes={e.changes} />
                {e.request_id ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 8 }}>
                    {t('audit.requestId')}: {e.request_id}
                    {e.client_ip ? ` · ${t('audit.clientIp')}: ${e.client_ip}` : ''}
                  </Typography.Text>
                ) : null}
              </div>
            ),
            rowExpandable: () => true,
          }}
        />
      </Card>
    </PageContainer>
  );
}
