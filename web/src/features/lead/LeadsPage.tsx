import { PlusOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Segmented, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { Lead, LeadStatus } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { serverSorter } from '@/features/account/sorting';
import { useAccess } from '@/features/auth/hooks';
import { PiiValue } from '@/features/contact/ContactsPanel';
import { useI18n } from '@/i18n';
import { DEFAULT_LEAD_SORT, fetchLeadsPage, type LeadFilters, leadKeys } from './hooks';
import { LeadFormModal } from './LeadFormModal';
import { LEAD_STATUS_COLORS, LEAD_STATUSES } from './status';
import { UserName } from './UserName';

export function LeadStatusTag({ status }: { status: LeadStatus }) {
  const { td } = useI18n();
  return (
    <Tag color={LEAD_STATUS_COLORS[status]} data-testid="lead-status">
      {td(`lead.status.${status}`, status)}
    </Tag>
  );
}

type StatusFilter = LeadStatus | 'all' | 'open';

export default function LeadsPage() {
  const { t, td } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const statusParam = params.get('status');
  const status = (LEAD_STATUSES as readonly string[]).includes(statusParam ?? '') ? (statusParam as LeadStatus) : null;
  const filters: LeadFilters = {
    q: params.get('q') ?? '',
    status,
    source: params.get('source') ?? '',
    ownerId: params.get('owner_id') === 'me' ? 'me' : null,
    sort: params.get('sort'),
  };
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
  const { q, source, ownerId, sort } = filters;
  const fetchPage = useCallback((req: PageRequest) => fetchLeadsPage({ q, status, source, ownerId, sort }, req), [q, status, source, ownerId, sort]);
  const onSort = (next: string | null) => setFilter({ sort: next });
  const filtered = Boolean(q || status || source || ownerId);

  const columns: ColumnsType<Lead> = [
    {
      title: t('lead.company'),
      key: 'company_name',
      fixed: 'left',
      ...serverSorter<Lead>('company_name', sort, DEFAULT_LEAD_SORT, onSort),
      render: (_, l) => (
        <Space direction="vertical" size={0} style={{ maxWidth: 280 }}>
          <Typography.Link data-testid="lead-company-cell">{l.company_name}</Typography.Link>
          {l.industry || l.region ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {[l.industry, l.region].filter(Boolean).join(' · ')}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('lead.contactName'),
      key: 'contact',
      responsive: ['sm'],
      render: (_, l) =>
        l.contact_name ? (
          <Space direction="vertical" size={0}>
            <span>{l.contact_name}</span>
            {l.title ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {l.title}
              </Typography.Text>
            ) : null}
          </Space>
        ) : (
          t('common.none')
        ),
    },
    { title: t('contact.phone'), dataIndex: 'phone', responsive: ['lg'], render: (v: string | null) => <PiiValue value={v} kind="phone" /> },
    { title: t('lead.source'), dataIndex: 'source', responsive: ['md'], render: (v: string | null) => v || t('common.none') },
    { title: t('lead.statusCol'), dataIndex: 'status', render: (s: LeadStatus) => <LeadStatusTag status={s} /> },
    { title: t('account.owner'), dataIndex: 'owner_id', responsive: ['lg'], render: (id: string | null) => <UserName id={id} /> },
    {
      title: t('common.createdAt'),
      key: 'created_at',
      responsive: ['md'],
      ...serverSorter<Lead>('created_at', sort, DEFAULT_LEAD_SORT, onSort, 'descend'),
      render: (_, l) => dayjs(l.created_at).format('YYYY-MM-DD'),
    },
  ];

  const statusValue: StatusFilter = status ?? 'all';
  return (
    <PageContainer
      title={t('lead.title')}
      subtitle={t('lead.subtitle')}
      extra={
        can('lead.write') ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="lead-create">
            {t('lead.create')}
          </Button>
        ) : null
      }
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <div style={{ maxWidth: '100%', overflowX: 'auto' }}>
            <Segmented<StatusFilter>
              value={statusValue}
              onChange={(v) => setFilter({ status: v === 'all' ? null : v })}
              options={[
                { value: 'all', label: t('lead.allStatuses') },
                ...LEAD_STATUSES.map((s) => ({ value: s, label: td(`lead.status.${s}`, s) })),
              ]}
              data-testid="lead-status-filter"
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
            placeholder={t('lead.searchPlaceholder')}
            style={{ width: 260 }}
            data-testid="lead-search"
          />
          <Input
            allowClear
            defaultValue={source}
            placeholder={t('lead.source')}
            onPressEnter={(e) => setFilter({ source: e.currentTarget.value.trim() || null })}
            onBlur={(e) => setFilter({ source: e.currentTarget.value.trim() || null })}
            style={{ width: 140 }}
          />
          <Button icon={<UserOutlined />} type={ownerId ? 'primary' : 'default'} ghost={Boolean(ownerId)} onClick={() => setFilter({ owner_id: ownerId ? null : 'me' })}>
            {t('lead.mine')}
          </Button>
          {filtered ? <Button onClick={() => setParams(sort ? { sort } : {}, { replace: true })}>{t('common.reset')}</Button> : null}
        </Flex>
        <CursorTable<Lead>
          testId="leads-table"
          queryKey={leadKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(l) => l.id}
          onRowClick={(l) => navigate(`/leads/${l.id}`)}
          emptyText={filtered ? t('common.noMatch') : t('lead.empty')}
        />
      </Card>
      <LeadFormModal open={creating} lead={null} onClose={() => setCreating(false)} onSaved={(l) => navigate(`/leads/${l.id}`)} />
    </PageContainer>
  );
}
