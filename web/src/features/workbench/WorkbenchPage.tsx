import {
  AimOutlined,
  ApartmentOutlined,
  AuditOutlined,
  CheckCircleFilled,
  GlobalOutlined,
  IdcardOutlined,
  KeyOutlined,
  RightOutlined,
  SafetyCertificateOutlined,
  ShopOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Badge, Card, Col, Empty, Flex, List, Row, Space, Statistic, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Me } from '@/api/types';
import { PageContainer } from '@/components/PageContainer';
import { accessOf, primaryPosition, roleLabel, useMe, usePermissionCatalog } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import {
  groupPermissions,
  kindLabel,
  moduleLabel,
  permissionLabel,
  scopeDescription,
  scopeLabel,
  widestScope,
} from '@/i18n/labels';
import { PendingApprovalsCard } from '@/features/approval/PendingApprovalsCard';
import { SalesCards } from './SalesCards';

const SCOPE_COLORS: Record<string, string> = {
  own: 'default',
  unit: 'cyan',
  unit_and_below: 'blue',
  subsidiary: 'geekblue',
  group: 'purple',
};

function greetingKey(hour: number) {
  if (hour < 12) return 'workbench.morning' as const;
  if (hour < 18) return 'workbench.afternoon' as const;
  return 'workbench.evening' as const;
}

function Welcome({ me }: { me: Me }) {
  const { t, td, locale } = useI18n();
  const primary = primaryPosition(me);
  const now = dayjs();
  const date = now.format(locale === 'zh-CN' ? 'YYYY年M月D日 dddd' : 'dddd, MMMM D, YYYY');
  return (
    <Card className="welcome-card" variant="borderless">
      <Flex justify="space-between" align="center" wrap="wrap" gap={16}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="welcome-title">
            {t(greetingKey(now.hour()), { name: me.user.display_name })}
          </Typography.Title>
          <Typography.Text className="welcome-sub">{t('workbench.today', { date })}</Typography.Text>
        </div>
        {primary ? (
          <Space direction="vertical" size={2} className="welcome-unit">
            <Typography.Text strong>
              <ApartmentOutlined /> {primary.unit_name}
              {primary.title ? ` · ${primary.title}` : ''}
            </Typography.Text>
            <Typography.Text className="welcome-sub">
              {primary.subsidiary_name ?? t('workbench.groupLevel')} · {kindLabel(td, primary.unit_kind)}
            </Typography.Text>
          </Space>
        ) : null}
      </Flex>
    </Card>
  );
}

function StatCard({ title, value, icon, suffix }: { title: string; value: ReactNode; icon: ReactNode; suffix?: ReactNode }) {
  return (
    <Card className="stat-card" size="small">
      <Flex align="center" gap={16}>
        <div style={{ fontSize: 26, color: '#1d4ed8' }}>{icon}</div>
        <Statistic title={title} value={typeof value === 'number' ? value : undefined} formatter={typeof value === 'number' ? undefined : () => value} suffix={suffix} valueStyle={{ fontSize: 22 }} />
      </Flex>
    </Card>
  );
}

function PositionsCard({ me }: { me: Me }) {
  const { t, td } = useI18n();
  return (
    <Card title={t('workbench.myPositions')} size="small" data-testid="wb-positions">
      {me.positions.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workbench.noPositions')} />
      ) : (
        <List
          dataSource={me.positions}
          rowKey="id"
          renderItem={(p) => (
            <List.Item>
              <List.Item.Meta
                avatar={<IdcardOutlined style={{ fontSize: 20, color: '#64748b', marginTop: 4 }} />}
                title={
                  <Space wrap size={6}>
                    <span>{p.unit_name}</span>
                    <Tag>{kindLabel(td, p.unit_kind)}</Tag>
                    {p.is_primary ? <Tag color="gold">{t('common.primary')}</Tag> : null}
                  </Space>
                }
                description={[p.title, p.subsidiary_name ?? t('workbench.groupLevel')].filter(Boolean).join(' · ')}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function RolesCard({ me }: { me: Me }) {
  const { t, td, locale } = useI18n();
  return (
    <Card title={t('workbench.myRoles')} size="small" data-testid="wb-roles">
      {me.grants.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workbench.noGrants')} />
      ) : (
        <List
          dataSource={me.grants}
          rowKey="id"
          renderItem={(g) => (
            <List.Item
              extra={
                <Tooltip title={scopeDescription(td, g.data_scope)}>
                  <Tag color={SCOPE_COLORS[g.data_scope] ?? 'default'}>{scopeLabel(td, g.data_scope)}</Tag>
                </Tooltip>
              }
            >
              <List.Item.Meta
                avatar={<SafetyCertificateOutlined style={{ fontSize: 20, color: '#64748b', marginTop: 4 }} />}
                title={roleLabel(g, locale)}
                description={t('workbench.anchoredAt', { unit: g.unit_name })}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function PermissionsCard({ me }: { me: Me }) {
  const { t, td, locale } = useI18n();
  const catalog = usePermissionCatalog();
  const groups = [...groupPermissions(me.permissions).entries()];
  const granted = groups.filter(([, codes]) => codes.length > 0).length;
  const reach = new Map(me.scope.map((s) => [s.permission, s]));
  const label = (code: string) => {
    const entry = catalog.data?.get(code);
    if (entry) return locale === 'en-US' ? entry.name_en : entry.name;
    return permissionLabel(td, code);
  };
  const reachText = (code: string) => {
    const r = reach.get(code);
    if (!r) return code;
    if (r.everything) return `${code} · ${t('workbench.reachAll')}`;
    const parts = [];
    if (r.unit_count > 0) parts.push(t('workbench.reachUnits', { count: r.unit_count }));
    if (r.own) parts.push(t('workbench.reachOwn'));
    return `${code} · ${parts.join(' + ')}`;
  };
  return (
    <Card
      title={t('workbench.permissionSummary')}
      size="small"
      data-testid="wb-permissions"
      extra={<Typography.Text type="secondary">{t('workbench.modulesGranted', { granted, total: groups.length })}</Typography.Text>}
    >
      <Row gutter={[12, 12]}>
        {groups.map(([module, codes]) => (
          <Col key={module} xs={24} sm={12} xl={8}>
            <Flex gap={8} align="flex-start">
              {codes.length ? (
                <CheckCircleFilled style={{ color: '#16a34a', marginTop: 4 }} />
              ) : (
                <Badge status="default" style={{ marginTop: 2 }} />
              )}
              <div style={{ minWidth: 0 }}>
                <Typography.Text strong={codes.length > 0} type={codes.length ? undefined : 'secondary'}>
                  {moduleLabel(td, module)}
                </Typography.Text>
                <div>
                  {codes.length ? (
                    codes.map((c) => (
                      <Tooltip key={c} title={reachText(c)}>
                        <Tag style={{ marginTop: 4 }}>{label(c)}</Tag>
                      </Tooltip>
                    ))
                  ) : (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('workbench.notGranted')}
                    </Typography.Text>
                  )}
                </div>
              </div>
            </Flex>
          </Col>
        ))}
      </Row>
    </Card>
  );
}

function QuickLinks({ me }: { me: Me }) {
  const { t } = useI18n();
  const { can } = accessOf(me);
  const links: { to: string; icon: ReactNode; label: string; desc: string }[] = [];
  if (can('account.read')) links.push({ to: '/accounts', icon: <ShopOutlined />, label: t('menu.accounts'), desc: t('account.subtitle') });
  if (can('lead.read')) links.push({ to: '/leads', icon: <AimOutlined />, label: t('menu.leads'), desc: t('lead.subtitle') });
  if (can('account.read')) links.push({ to: '/pool', icon: <GlobalOutlined />, label: t('menu.pool'), desc: t('pool.subtitle') });
  if (can('org.read')) links.push({ to: '/admin/org', icon: <ApartmentOutlined />, label: t('menu.org'), desc: t('org.subtitle') });
  if (can('user.read')) links.push({ to: '/admin/users', icon: <TeamOutlined />, label: t('menu.users'), desc: t('user.subtitle') });
  if (can('audit.read')) links.push({ to: '/admin/audit', icon: <AuditOutlined />, label: t('menu.audit'), desc: t('audit.subtitle') });
  return (
    <Card title={t('workbench.quickLinks')} size="small">
      {links.length === 0 ? (
        <Typography.Text type="secondary">{t('workbench.noQuickLinks')}</Typography.Text>
      ) : (
        <List
          dataSource={links}
          rowKey="to"
          renderItem={(l) => (
            <List.Item extra={<RightOutlined style={{ color: '#94a3b8' }} />}>
              <Link to={l.to} style={{ display: 'block', width: '100%' }}>
                <List.Item.Meta
                  avatar={<span style={{ fontSize: 20 }}>{l.icon}</span>}
                  title={l.label}
                  description={l.desc}
                />
              </Link>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

export default function WorkbenchPage() {
  const { t, td } = useI18n();
  const { data: me } = useMe();
  if (!me) return null;
  const widest = widestScope(me.grants.map((g) => g.data_scope));
  return (
    <PageContainer title={t('workbench.title')}>
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Welcome me={me} />
        {accessOf(me).can('approval.read') ? <PendingApprovalsCard /> : null}
        <SalesCards me={me} />
        <Row gutter={[16, 16]}>
          <Col xs={12} md={6}>
            <StatCard title={t('workbench.positions')} value={me.positions.length} icon={<IdcardOutlined />} />
          </Col>
          <Col xs={12} md={6}>
            <StatCard title={t('workbench.grants')} value={me.grants.length} icon={<SafetyCertificateOutlined />} />
          </Col>
          <Col xs={12} md={6}>
            <StatCard title={t('workbench.permissions')} value={me.permissions.length} icon={<KeyOutlined />} />
          </Col>
          <Col xs={12} md={6}>
            <StatCard
              title={t('workbench.widestScope')}
              value={widest ? scopeLabel(td, widest) : t('common.none')}
              icon={<ApartmentOutlined />}
            />
          </Col>
        </Row>
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={12}>
            <PositionsCard me={me} />
          </Col>
          <Col xs={24} xl={12}>
            <RolesCard me={me} />
          </Col>
          <Col xs={24} xl={16}>
            <PermissionsCard me={me} />
          </Col>
          <Col xs={24} xl={8}>
            <QuickLinks me={me} />
          </Col>
        </Row>
      </Space>
    </PageContainer>
  );
}
