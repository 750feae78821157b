import { EditOutlined, ExperimentOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Drawer, Flex, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { DryRunPanel } from './DryRunPanel';
import { approvalKeys, fetchPoliciesPage, type PolicyFilters, useDeactivatePolicy } from './hooks';
import { describeCondition } from './rules';
import type { Policy } from './types';
import { useVocabulary } from './vocabulary';
import './approval.css';

const GROUP = 'group';

export default function PoliciesPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const { can } = useAccess();
  const canAdmin = can('approval.admin');
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const vocab = useVocabulary(null);
  const { units } = useOrgUnits();
  const subsidiaries = useMemo(() => units.filter((u) => u.kind === 'subsidiary').map((u) => ({ value: u.id, label: u.name })), [units]);
  const deactivate = useDeactivatePolicy();
  const [dryRunAction, setDryRunAction] = useState<string | null>(null);
  const [dryRunOpen, setDryRunOpen] = useState(false);

  const scopeParam = params.get('scope');
  const activeParam = params.get('active');
  const filters: PolicyFilters = {
    action: params.get('action'),
    subsidiaryId: scopeParam && scopeParam !== GROUP ? scopeParam : null,
    groupWide: scopeParam === GROUP ? true : null,
    isActive: activeParam === '1' ? true : activeParam === '0' ? false : null,
  };
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
  const fetchPage = useCallback((req: PageRequest) => fetchPoliciesPage(filters, req), [filters.action, filters.subsidiaryId, filters.groupWide, filters.isActive]);

  const onDeactivate = async (p: Policy) => {
    try {
      await deactivate.mutateAsync({ id: p.id, version: p.version });
      message.success(t('approval.pol.deactivated'));
    } catch (error) {
      message.error(isApiError(error) ? error.message : String(error));
    }
  };

  const columns: ColumnsType<Policy> = [
    {
      title: t('approval.pol.name'),
      key: 'name',
      fixed: 'left',
      render: (_, p) => (
        <Space direction="vertical" size={0} style={{ maxWidth: 260 }}>
          <Typography.Link data-testid="policy-row-name">{(locale === 'en-US' && p.name_en) || p.name}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {p.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('approval.pol.action'), key: 'action', render: (_, p) => (locale === 'en-US' ? p.action_name_en : p.action_name) },
    {
      title: t('approval.pol.scope'),
      key: 'scope',
      render: (_, p) => (p.subsidiary_id ? <Tag color="geekblue">{p.subsidiary_name ?? ''}</Tag> : <Tag color="purple">{t('approval.pol.scopeGroupShort')}</Tag>),
    },
    { title: t('approval.pol.priority'), dataIndex: 'priority', responsive: ['sm'] },
    {
      title: t('approval.cond.title'),
      key: 'condition',
      responsive: ['lg'],
      render: (_, p) => (
        <Typography.Paragraph className="approval-condition" ellipsis={{ rows: 2, tooltip: true }} style={{ marginBottom: 0, maxWidth: 360 }}>
          {describeCondition(p.condition, { ...vocab, fieldLabel: (f) => vocab.catalog.fieldLabel(p.action, f) })}
        </Typography.Paragraph>
      ),
    },
    {
      title: t('approval.pol.active'),
      key: 'active',
      render: (_, p) => (p.is_active ? <Tag color="success">{t('approval.pol.isActive')}</Tag> : <Tag>{t('approval.pol.inactive')}</Tag>),
    },
    { title: t('common.updatedAt'), key: 'updated', responsive: ['xl'], render: (_, p) => dayjs(p.updated_at).format('YYYY-MM-DD HH:mm') },
    ...(canAdmin
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, p: Policy) => (
              <Space size={4} onClick={(e) => e.stopPropagation()}>
                <Button size="small" icon={<EditOutlined />} onClick={() => navigate(`/admin/approval-policies/${p.id}`)} aria-label={t('approval.pol.edit')} />
                <Button
                  size="small"
                  icon={<ExperimentOutlined />}
                  onClick={() => {
                    setDryRunAction(p.action);
                    setDryRunOpen(true);
                  }}
                  aria-label={t('approval.eval.title')}
                />
                {p.is_active ? (
                  <Popconfirm title={t('approval.pol.deactivateConfirm')} onConfirm={() => void onDeactivate(p)} okText={t('approval.pol.deactivate')} cancelText={t('common.cancel')}>
                    <Button size="small" danger>
                      {t('approval.pol.deactivate')}
                    </Button>
                  </Popconfirm>
                ) : null}
              </Space>
            ),
          },
        ]
      : []),
  ];

  const filtered = Boolean(filters.action || scopeParam || activeParam);
  const actionOptions = vocab.catalog.actions.map((a) => ({ value: a.code, label: locale === 'en-US' ? a.name_en : a.name }));

  return (
    <PageContainer
      title={t('approval.pol.title')}
      subtitle={t('approval.pol.subtitle')}
      extra={
        canAdmin ? (
          <>
            <Button icon={<ExperimentOutlined />} onClick={() => setDryRunOpen(true)} data-testid="policy-dry-run">
              {t('approval.eval.title')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/admin/approval-policies/new')} data-testid="policy-create">
              {t('approval.pol.create')}
            </Button>
          </>
        ) : null
      }
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap" align="center">
          <Select
            allowClear
            value={filters.action ?? undefined}
            onChange={(v: string | undefined) => set({ action: v ?? null })}
            placeholder={t('approval.pol.action')}
            options={actionOptions}
            style={{ width: 200 }}
            data-testid="policy-action-filter"
          />
          <Select
            allowClear
            value={scopeParam ?? undefined}
            onChange={(v: string | undefined) => set({ scope: v ?? null })}
            placeholder={t('approval.pol.scope')}
            options={[{ value: GROUP, label: t('approval.pol.scopeGroupShort') }, ...subsidiaries]}
            style={{ width: 220 }}
          />
          <Select
            allowClear
            value={activeParam ?? undefined}
            onChange={(v: string | undefined) => set({ active: v ?? null })}
            placeholder={t('approval.pol.active')}
            options={[
              { value: '1', label: t('approval.pol.isActive') },
              { value: '0', label: t('approval.pol.inactive') },
            ]}
            style={{ width: 120 }}
          />
          {filtered ? <Button onClick={() => setParams({}, { replace: true })}>{t('common.reset')}</Button> : null}
        </Flex>
        <CursorTable<Policy>
          testId="policies-table"
          queryKey={approvalKeys.policyList(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(p) => p.id}
          onRowClick={(p) => navigate(`/admin/approval-policies/${p.id}`)}
          emptyText={filtered ? t('common.noMatch') : t('approval.pol.empty')}
        />
      </Card>
      <Drawer
        open={dryRunOpen}
        onClose={() => setDryRunOpen(false)}
        title={t('approval.eval.title')}
        width={Math.min(520, typeof window === 'undefined' ? 520 : window.innerWidth)}
        destroyOnHidden
      >
        <Select
          value={dryRunAction ?? undefined}
          onChange={(v: string) => setDryRunAction(v)}
          options={actionOptions}
          placeholder={t('approval.pol.action')}
          style={{ width: '100%', marginBottom: 12 }}
          data-testid="dry-run-action"
        />
        <DryRunPanel action={dryRunAction ? vocab.catalog.byCode.get(dryRunAction) ?? null : null} subsidiaries={subsidiaries} vocab={vocab} />
      </Drawer>
    </PageContainer>
  );
}
