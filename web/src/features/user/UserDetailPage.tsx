import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, HistoryOutlined, KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Col, Descriptions, Empty, Popconfirm, Row, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { UserGrant, UserPosition } from '@/api/types';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { roleLabel, useAccess } from '@/features/auth/hooks';
import { useOrgUnits } from '@/features/org/hooks';
import { useI18n } from '@/i18n';
import { scopeDescription, scopeLabel } from '@/i18n/labels';
import { AddGrantModal, AddPositionModal, EditUserModal, ResetPasswordModal } from './UserModals';
import { useRemoveGrant, useRemovePosition, useUser, useUserGrants, useUserPositions } from './hooks';

export default function UserDetailPage() {
  const { id = '' } = useParams();
  const { t, td, locale } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const user = useUser(id);
  const positions = useUserPositions(id);
  const grants = useUserGrants(id);
  const removePosition = useRemovePosition(id);
  const removeGrant = useRemoveGrant(id);
  const { byId } = useOrgUnits();
  const [editing, setEditing] = useState(false);
  const [addingPosition, setAddingPosition] = useState(false);
  const [addingGrant, setAddingGrant] = useState(false);
  const [resetting, setResetting] = useState(false);
  const admin = can('user.admin');
  const none = t('common.none');

  const onRemoved = (promise: Promise<unknown>) =>
    promise.then(
      () => message.success(t('common.deleted')),
      (error: unknown) => message.error(isApiError(error) ? error.message : String(error)),
    );

  const back = (
    <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/admin/users')} aria-label={t('common.back')} />
  );

  if (user.isError) {
    return (
      <PageContainer title={t('user.title')} leading={back}>
        <QueryError error={user.error} onRetry={() => void user.refetch()} />
      </PageContainer>
    );
  }
  if (!user.data) {
    return (
      <PageContainer title={t('user.title')} leading={back}>
        <Card>
          <Skeleton active />
        </Card>
      </PageContainer>
    );
  }
  const u = user.data;

  const positionColumns: ColumnsType<UserPosition> = [
    {
      title: t('user.unit'),
      dataIndex: 'unit_name',
      render: (name: string, p) => (
        <Space wrap size={6}>
          <span>{name}</span>
          {p.is_primary ? <Tag color="gold">{t('common.primary')}</Tag> : null}
        </Space>
      ),
    },
    { title: t('user.jobTitle'), dataIndex: 'title', render: (v: string | null) => v || none },
    ...(admin
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 80,
            render: (_: unknown, p: UserPosition) => (
              <Popconfirm title={t('common.confirmDelete')} onConfirm={() => onRemoved(removePosition.mutateAsync(p.id))} okText={t('common.delete')} cancelText={t('common.cancel')}>
                <Button type="text" danger size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  const grantColumns: ColumnsType<UserGrant> = [
    { title: t('user.role'), dataIndex: 'role_name', render: (_: string, g) => <Tooltip title={g.role_code}>{roleLabel(g, locale)}</Tooltip> },
    { title: t('user.unit'), dataIndex: 'unit_name' },
    {
      title: t('user.dataScope'),
      dataIndex: 'data_scope',
      render: (s: string) => (
        <Tooltip title={scopeDescription(td, s)}>
          <Tag color="blue">{scopeLabel(td, s)}</Tag>
        </Tooltip>
      ),
    },
    ...(admin
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 80,
            render: (_: unknown, g: UserGrant) => (
              <Popconfirm title={t('common.confirmDelete')} onConfirm={() => onRemoved(removeGrant.mutateAsync(g.id))} okText={t('common.delete')} cancelText={t('common.cancel')}>
                <Button type="text" danger size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  return (
    <PageContainer
      leading={back}
      documentTitle={u.display_name}
      title={
        <Space wrap>
          <span data-testid="user-detail-name">{u.display_name}</span>
          {u.is_active ? <Badge status="success" text={t('user.active')} /> : <Badge status="default" text={t('user.inactive')} />}
        </Space>
      }
      subtitle={`@${u.username}`}
      extra={
        <>
          {can('audit.read') ? (
            <Link to={`/admin/audit?entity_type=app_user&entity_id=${u.id}`}>
              <Button icon={<HistoryOutlined />}>{t('user.viewAudit')}</Button>
            </Link>
          ) : null}
          {admin ? (
            <Button icon={<KeyOutlined />} onClick={() => setResetting(true)}>
              {t('user.resetPassword')}
            </Button>
          ) : null}
          {admin ? (
            <Button type="primary" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="user-edit">
              {t('common.edit')}
            </Button>
          ) : null}
        </>
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24}>
          <Card title={t('user.basicInfo')} size="small">
            <Descriptions column={{ xs: 1, sm: 2, lg: 3 }} size="small" colon={false} styles={{ label: { color: 'rgba(0,0,0,0.5)' } }}>
              <Descriptions.Item label={t('user.username')}>{u.username}</Descriptions.Item>
              <Descriptions.Item label={t('user.displayName')}>{u.display_name}</Descriptions.Item>
              <Descriptions.Item label={t('user.primaryUnit')}>
                {(u.primary_unit_id ? byId.get(u.primary_unit_id)?.name : null) ?? none}
              </Descriptions.Item>
              <Descriptions.Item label={t('user.phone')}>{u.phone || none}</Descriptions.Item>
              <Descriptions.Item label={t('user.email')}>{u.email || none}</Descriptions.Item>
              <Descriptions.Item label={t('user.locale')}>{u.locale === 'en-US' ? t('lang.en-US') : t('lang.zh-CN')}</Descriptions.Item>
              <Descriptions.Item label={t('common.createdAt')}>{dayjs(u.created_at).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
              <Descriptions.Item label={t('common.updatedAt')}>
                {dayjs(u.updated_at).format('YYYY-MM-DD HH:mm')} · {t('common.version')} {u.version}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card
            title={t('user.positions')}
            size="small"
            data-testid="user-positions"
            extra={admin ? <Button size="small" icon={<PlusOutlined />} onClick={() => setAddingPosition(true)}>{t('user.addPosition')}</Button> : null}
          >
            {positions.isError ? (
              <QueryError error={positions.error} onRetry={() => void positions.refetch()} />
            ) : (
              <Table<UserPosition>
                size="small"
                rowKey="id"
                pagination={false}
                loading={positions.isFetching}
                dataSource={positions.data ?? []}
                columns={positionColumns}
                scroll={{ x: 'max-content' }}
                locale={{ emptyText: positions.isPending ? <div style={{ height: 80 }} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('user.noPositions')} /> }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card
            title={t('user.grants')}
            size="small"
            data-testid="user-grants"
            extra={admin ? <Button size="small" icon={<PlusOutlined />} onClick={() => setAddingGrant(true)}>{t('user.addGrant')}</Button> : null}
          >
            {grants.isError ? (
              <QueryError error={grants.error} onRetry={() => void grants.refetch()} />
            ) : (
              <Table<UserGrant>
                size="small"
                rowKey="id"
                pagination={false}
                loading={grants.isFetching}
                dataSource={grants.data ?? []}
                columns={grantColumns}
                scroll={{ x: 'max-content' }}
                locale={{ emptyText: grants.isPending ? <div style={{ height: 80 }} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('user.noGrants')} /> }}
              />
            )}
          </Card>
        </Col>
      </Row>
      {admin ? (
        <>
          <EditUserModal user={u} open={editing} onClose={() => setEditing(false)} onReload={() => user.refetch()} />
          <AddPositionModal userId={u.id} open={addingPosition} onClose={() => setAddingPosition(false)} />
          <AddGrantModal userId={u.id} open={addingGrant} onClose={() => setAddingGrant(false)} />
          <ResetPasswordModal user={u} open={resetting} onClose={() => setResetting(false)} />
        </>
      ) : null}
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 16, fontSize: 12 }}>
        ID: {u.id}
      </Typography.Text>
    </PageContainer>
  );
}
