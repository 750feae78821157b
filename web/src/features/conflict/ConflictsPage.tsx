import { FlagOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Flex, Input, Segmented, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Conflict, ConflictStatus } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { ClaimLookupModal } from './ClaimLookupModal';
import { type ConflictFilters, conflictKeys, fetchConflictsPage } from './hooks';
import { ResolveConflictModal } from './ResolveConflictModal';

export const CONFLICT_STATUSES: readonly ConflictStatus[] = ['open', 'transferred', 'shared', 'rejected'];
const STATUS_COLORS: Record<ConflictStatus, string> = { open: 'red', transferred: 'blue', shared: 'cyan', rejected: 'default' };

export function ConflictStatusTag({ status }: { status: ConflictStatus }) {
  const { td } = useI18n();
  return <Tag color={STATUS_COLORS[status]}>{td(`conflict.status.${status}`, status)}</Tag>;
}

type StatusFilter = ConflictStatus | 'all';

export default function ConflictsPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const [params, setParams] = useSearchParams();
  const [resolving, setResolving] = useState<Conflict | null>(null);
  const [claiming, setClaiming] = useState(false);
  const raw = params.get('status');
  // Open conflicts are what needs attention; `status=all` shows every decision too.
  const status: ConflictStatus | null = raw === 'all' ? null : ((CONFLICT_STATUSES as readonly string[]).includes(raw ?? '') ? (raw as ConflictStatus) : 'open');
  const filters: ConflictFilters = { status, q: params.get('q') ?? '' };
  const [draft, setDraft] = useState(filters.q);
  useEffect(() => setDraft(filters.q), [filters.q]);
  const setFilter = (changes: Record<string, string | null>) =>
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
  const { q } = filters;
  const fetchPage = useCallback((req: PageRequest) => fetchConflictsPage({ status, q }, req), [status, q]);
  const mayResolve = can('account.transfer');

  const columns: ColumnsType<Conflict> = [
    {
      title: t('conflict.account'),
      key: 'account',
      fixed: 'left',
      render: (_, c) =>
        c.account_id && c.account_name ? (
          <Link to={`/accounts/${c.account_id}`} onClick={(e) => e.stopPropagation()}>
            {c.account_name}
          </Link>
        ) : (
          <Tooltip title={t('conflict.hiddenAccountHint')}>
            <Typography.Text type="secondary">{t('conflict.hiddenAccount')}</Typography.Text>
          </Tooltip>
        ),
    },
    {
      title: t('conflict.protecting'),
      key: 'protecting',
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <span data-testid="conflict-protecting">{c.protecting_unit_name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.protecting_subsidiary_name}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('conflict.requesting'),
      key: 'requesting',
      responsive: ['md'],
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <span>
            {c.requested_by_name} · {c.requesting_unit_name}
          </span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.requesting_subsidiary_name}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('conflict.attempted'),
      dataIndex: 'attempted_action',
      responsive: ['lg'],
      render: (a: string) => td(`conflict.action.${a}`, a),
    },
    {
      title: t('account.protectedUntilCol'),
      dataIndex: 'protected_until',
      responsive: ['xl'],
      render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD') : t('common.none')),
    },
    { title: t('conflict.raisedAt'), dataIndex: 'created_at', responsive: ['sm'], render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
    { title: t('conflict.statusCol'), dataIndex: 'status', render: (s: ConflictStatus) => <ConflictStatusTag status={s} /> },
    ...(mayResolve
      ? [
          {
            title: t('common.actions'),
            key: 'resolve',
            align: 'right' as const,
            render: (_: unknown, c: Conflict) =>
              c.status === 'open' ? (
                <Button
                  size="small"
                  type="primary"
                  onClick={(e) => {
                    e.stopPropagation();
                    setResolving(c);
                  }}
                  data-testid="conflict-resolve"
                >
                  {t('conflict.resolve')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <PageContainer
      title={t('conflict.title')}
      subtitle={t('conflict.subtitle')}
      extra={
        can('account.write') ? (
          <Button icon={<FlagOutlined />} onClick={() => setClaiming(true)}>
            {t('conflict.claimTitle')}
          </Button>
        ) : null
      }
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <div style={{ maxWidth: '100%', overflowX: 'auto' }}>
            <Segmented<StatusFilter>
              value={status ?? 'all'}
              onChange={(v) => setFilter({ status: v === 'open' ? null : v })}
              options={[
                ...CONFLICT_STATUSES.map((s) => ({ value: s, label: td(`conflict.status.${s}`, s) })),
                { value: 'all' as const, label: t('conflict.allStatuses') },
              ]}
              data-testid="conflict-status-filter"
            />
          </div>
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) setFilter({ q: null });
            }}
            onSearch={(v) => setFilter({ q: v.trim() || null })}
            placeholder={t('conflict.searchPlaceholder')}
            style={{ width: 260 }}
          />
        </Flex>
        <CursorTable<Conflict>
          testId="conflicts-table"
          queryKey={conflictKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(c) => c.id}
          emptyText={status === 'open' && !q ? t('conflict.emptyOpen') : t('common.noMatch')}
          expandable={{
            rowExpandable: (c) => c.status !== 'open',
            expandedRowRender: (c) => (
              <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                <Descriptions.Item label={t('conflict.resolvedBy')}>{c.resolved_by_name ?? t('common.none')}</Descriptions.Item>
                <Descriptions.Item label={t('conflict.resolvedAt')}>{c.resolved_at ? dayjs(c.resolved_at).format('YYYY-MM-DD HH:mm') : t('common.none')}</Descriptions.Item>
                <Descriptions.Item label={t('conflict.note')}>{c.resolution_note || t('common.none')}</Descriptions.Item>
              </Descriptions>
            ),
          }}
        />
      </Card>
      <ResolveConflictModal conflict={resolving} onClose={() => setResolving(null)} />
      {claiming ? <ClaimLookupModal open onClose={() => setClaiming(false)} /> : null}
    </PageContainer>
  );
}
