import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Flex, Input, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useCallback, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { User } from '@/api/types';
import { CursorTable, type PageRequest } from '@/components/CursorTable';
import { PageContainer } from '@/components/PageContainer';
import { useAccess } from '@/features/auth/hooks';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { CreateUserModal } from './CreateUserModal';
import { fetchUsersPage, type UserFilters, userKeys } from './hooks';

export default function UsersPage() {
  const { t } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const unitId = params.get('unit_id');
  const status = params.get('status');
  const active = status === 'active' ? true : status === 'inactive' ? false : null;
  const [draft, setDraft] = useState(q);
  const [creating, setCreating] = useState(false);
  const { byId } = useOrgUnits();

  const setFilter = (name: string, value: string | null) =>
    setParams(
      (p) => {
        if (value) p.set(name, value);
        else p.delete(name);
        return p;
      },
      { replace: true },
    );

  const filters: UserFilters = { q, unitId, active };
  const fetchPage = useCallback((req: PageRequest) => fetchUsersPage({ q, unitId, active }, req), [q, unitId, active]);

  const columns: ColumnsType<User> = [
    {
      title: t('user.displayName'),
      key: 'name',
      fixed: 'left',
      render: (_, u) => (
        <Space direction="vertical" size={0}>
          <Typography.Link data-testid="user-name-cell">{u.display_name}</Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            @{u.username}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('user.primaryUnit'),
      key: 'unit',
      render: (_, u) => (u.primary_unit_id ? byId.get(u.primary_unit_id)?.name : null) ?? t('common.none'),
    },
    { title: t('user.phone'), dataIndex: 'phone', responsive: ['md'], render: (v: string | null) => v || t('common.none') },
    { title: t('user.email'), dataIndex: 'email', responsive: ['lg'], render: (v: string | null) => v || t('common.none') },
    {
      title: t('user.status'),
      dataIndex: 'is_active',
      render: (active: boolean) =>
        active ? <Badge status="success" text={t('user.active')} /> : <Badge status="default" text={t('user.inactive')} />,
    },
    {
      title: t('user.locale'),
      dataIndex: 'locale',
      responsive: ['xl'],
      render: (v: string) => <Tag bordered={false}>{v === 'en-US' ? 'English' : '中文'}</Tag>,
    },
    {
      title: t('common.updatedAt'),
      dataIndex: 'updated_at',
      responsive: ['lg'],
      render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm'),
    },
  ];

  return (
    <PageContainer
      title={t('user.title')}
      subtitle={t('user.subtitle')}
      extra={
        can('user.admin') ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="user-create">
            {t('user.create')}
          </Button>
        ) : null
      }
    >
      <Card>
        <Flex className="filter-bar" gap={12} wrap="wrap">
          <Input.Search
            allowClear
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              if (!e.target.value) setFilter('q', null);
            }}
            onSearch={(v) => setFilter('q', v.trim() || null)}
            placeholder={t('user.searchPlaceholder')}
            style={{ width: 320 }}
            data-testid="user-search"
          />
          <OrgUnitTreeSelect
            allowClear
            value={unitId}
            onChange={(v) => setFilter('unit_id', v)}
            placeholder={t('user.unitFilter')}
            style={{ width: 260 }}
            data-testid="user-unit-filter"
          />
          <Select
            allowClear
            value={status ?? undefined}
            onChange={(v: string | undefined) => setFilter('status', v ?? null)}
            placeholder={t('user.status')}
            options={[
              { value: 'active', label: t('user.active') },
              { value: 'inactive', label: t('user.inactive') },
            ]}
            style={{ width: 140 }}
            data-testid="user-status-filter"
          />
        </Flex>
        <CursorTable<User>
          testId="users-table"
          queryKey={userKeys.list(filters)}
          fetchPage={fetchPage}
          columns={columns}
          rowKey={(u) => u.id}
          onRowClick={(u) => navigate(`/admin/users/${u.id}`)}
          emptyText={q || unitId || status ? t('common.noMatch') : t('user.empty')}
        />
      </Card>
      <CreateUserModal
        open={creating}
        defaultUnitId={unitId}
        onClose={() => setCreating(false)}
        onCreated={(u) => {
          setCreating(false);
          navigate(`/admin/users/${u.id}`);
        }}
      />
    </PageContainer>
  );
}
