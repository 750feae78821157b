import { Button, Card, Flex, Select, Space, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { useI18n } from '@/i18n';
import { DelegationsPanel } from './DelegationsPanel';
import { formatMoney } from './format';
import { type ApprovalFilters, approvalKeys, fetchApprovalsPage, useActionCatalog } from './hooks';
import { recordPath, REQUEST_STATUS_COLORS, REQUEST_STATUSES } from './labels';
import type { ApprovalSummary } from './types';
import './approval.css';

const TABS = ['inbox', 'mine', 'all', 'delegations'] as const;
type Tab = (typeof TABS)[number];

export function RequestStatusTag({ status, testId }: { status: string; testId?: string }) {
  const { td } = useI18n();
  return (
    <Tag color={REQUEST_STATUS_COLORS[status] ?? 'default'} data-testid={testId} data-status={status}>
      {td(`approval.status.${status}`, status)}
    </Tag>
  );
}

/** “第 2 步 · 销售总监审批” while pending; nothing once decided. */
export function currentStepText(r: Pick<ApprovalSummary, 'status' | 'current_step' | 'current_step_name' | 'current_step_name_en' | 'step_count'>, t: ReturnType<typeof useI18n>['t'], locale: string): string {
  if (r.status !== 'pending') return t('approval.finished');
  const name = (locale === 'en-US' && r.current_step_name_en) || r.current_step_name || '';
  return t('approval.stepOf', { step: `${r.current_step + 1}/${r.step_count}`, name });
}

export default function ApprovalsPage() {
  const { t, td, locale } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const catalog = useActionCatalog();
  const tabParam = params.get('tab');
  const tab: Tab = (TABS as readonly string[]).includes(tabParam ?? '') ? (tabParam as Tab) : 'inbox';
  const statusParam = params.get('status');
  const status = statusParam && (REQUEST_STATUSES as readonly string[]).includes(statusParam) ? statusParam : null;
  const action = params.get('action');

  const set = useCallback(
    (changes: Record<string, string | null>) =>
      setParams(
        (p) => {
          for (const [k, v] of Object.entries(changes)) {
            if (v) p.set(k, v);
            else p.delete(k);
          }
          return p;
        },
        { replace: true },
      ),
    [setParams],
  );

  const listTab = tab === 'delegations' ? 'inbox' : tab;
  const filters: ApprovalFilters = { tab: listTab, status: listTab === 'inbox' ? null : status, action };
  const fetchPage = useCallback((req: PageRequest) => fetchApprovalsPage(filters, req), [filters.tab, filters.status, filters.action]);

  const columns: ColumnsType<ApprovalSummary> = [
    {
      title: t('approval.col.action'),
      key: 'action',
      render: (_, r) => (
        <Typography.Link data-testid="approval-row-action">{locale === 'en-US' ? r.action_name_en : r.action_name}</Typography.Link>
      ),
    },
    {
      title: t('approval.col.record'),
      key: 'record',
      render: (_, r) => {
        const to = recordPath(r.record_type, r.record_id);
        const label = (
          <Space size={4}>
            <Tag bordered={false}>{td(`approval.record.${r.record_type}`, r.record_type)}</Tag>
            <span>{r.record_label}</span>
          </Space>
        );
        return to ? (
          <Link to={to} onClick={(e) => e.stopPropagation()}>
            {label}
          </Link>
        ) : (
          label
        );
      },
    },
    { title: t('approval.col.requester'), key: 'requester', responsive: ['sm'], render: (_, r) => r.requester_name ?? t('common.none') },
    {
      title: t('approval.col.amount'),
      key: 'amount',
      align: 'right',
      render: (_, r) => (r.amount_base !== null && r.amount_base !== undefined ? <span className="num">{formatMoney(r.amount_base, r.base_currency, locale)}</span> : t('common.none')),
    },
    {
      title: t('approval.col.submitted'),
      key: 'submitted',
      responsive: ['md'],
      render: (_, r) => <span style={{ whiteSpace: 'nowrap' }}>{dayjs(r.submitted_at).format('YYYY-MM-DD HH:mm')}</span>,
    },
    { title: t('approval.col.step'), key: 'step', responsive: ['lg'], render: (_, r) => currentStepText(r, t, locale) },
    { title: t('approval.col.status'), key: 'status', render: (_, r) => <RequestStatusTag status={r.status} /> },
  ];

  const actionOptions = catalog.actions.map((a) => ({ value: a.code, label: locale === 'en-US' ? a.name_en : a.name }));
  const emptyText = tab === 'inbox' ? t('approval.inboxEmpty') : tab === 'mine' ? t('approval.mineEmpty') : t('approval.allEmpty');
  const filtered = Boolean(action || (tab !== 'inbox' && status));

  const list = (
    <Card>
      <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
        {tab !== 'inbox' ? (
          <Select
            allowClear
            value={status ?? undefined}
            onChange={(v: string | undefined) => set({ status: v ?? null })}
            placeholder={t('approval.filter.status')}
            options={REQUEST_STATUSES.map((s) => ({ value: s, label: td(`approval.status.${s}`, s) }))}
            style={{ width: 140 }}
            data-testid="approval-status-filter"
          />
        ) : null}
        <Select
          allowClear
          value={action ?? undefined}
          onChange={(v: string | undefined) => set({ action: v ?? null })}
          placeholder={t('approval.filter.action')}
          options={actionOptions}
          style={{ width: 200 }}
          data-testid="approval-action-filter"
        />
        {filtered ? <Button onClick={() => set({ status: null, action: null })}>{t('common.reset')}</Button> : null}
      </Flex>
      <CursorTable<ApprovalSummary>
        testId="approvals-table"
        queryKey={approvalKeys.list(filters)}
        fetchPage={fetchPage}
        columns={columns}
        rowKey={(r) => r.id}
        onRowClick={(r) => navigate(`/approvals/${r.id}`)}
        emptyText={filtered ? t('common.noMatch') : emptyText}
      />
    </Card>
  );

  return (
    <PageContainer title={t('approval.title')} subtitle={t('approval.subtitle')}>
      <Tabs
        activeKey={tab}
        onChange={(k) => set({ tab: k === 'inbox' ? null : k, ...(k === 'inbox' ? { status: null } : {}) })}
        destroyOnHidden
        items={TABS.map((k) => ({
          key: k,
          label: <span data-testid={`approval-tab-${k}`}>{t(`approval.tab.${k}`)}</span>,
          children: k === 'delegations' ? <DelegationsPanel /> : list,
        }))}
      />
    </PageContainer>
  );
}
