import {
  AccountBookOutlined,
  AimOutlined,
  AppstoreOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CheckSquareOutlined,
  ControlOutlined,
  DesktopOutlined,
  DownOutlined,
  FileProtectOutlined,
  FileTextOutlined,
  FlagOutlined,
  FundProjectionScreenOutlined,
  GlobalOutlined,
  HistoryOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuOutlined,
  MenuUnfoldOutlined,
  NodeIndexOutlined,
  SafetyOutlined,
  SettingOutlined,
  ShopOutlined,
  SwapOutlined,
  TagsOutlined,
  TableOutlined,
  TeamOutlined,
  TransactionOutlined,
} from '@ant-design/icons';
import { App, Avatar, Button, Drawer, Dropdown, Flex, Grid, Layout, Menu, type MenuProps, Space, Tag, Typography } from 'antd';
import { type ReactNode, useMemo, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import type { Me } from '@/api/types';
import { LanguageSwitch } from '@/features/auth/LanguageSwitch';
import { accessOf, primaryPosition, roleNames, useLogout, useMe } from '@/features/auth/hooks';
import { type I18n, useI18n } from '@/i18n';

const { Header, Sider, Content } = Layout;

interface NavItem {
  path: string;
  label: ReactNode;
  icon: ReactNode;
}

function navigation(me: Me, t: I18n['t']): { top: NavItem[]; admin: NavItem[] } {
  const { can } = accessOf(me);
  const admin: NavItem[] = [];
  if (can('org.read')) admin.push({ path: '/admin/org', label: t('menu.org'), icon: <ApartmentOutlined /> });
  if (can('user.read')) admin.push({ path: '/admin/users', label: t('menu.users'), icon: <TeamOutlined /> });
  if (can('audit.read')) admin.push({ path: '/admin/audit', label: t('menu.audit'), icon: <AuditOutlined /> });
  if (can('process.admin')) admin.push({ path: '/admin/process', label: t('menu.process'), icon: <NodeIndexOutlined /> });
  if (can('pool.admin')) admin.push({ path: '/admin/pool-rules', label: t('menu.poolRules'), icon: <ControlOutlined /> });
  if (can('product.admin')) admin.push({ path: '/admin/products', label: t('ltc.menu.products'), icon: <AppstoreOutlined /> });
  if (can('product.admin')) admin.push({ path: '/admin/price-books', label: t('ltc.menu.priceBooks'), icon: <TagsOutlined /> });
  if (can('fx.admin')) admin.push({ path: '/admin/fx-rates', label: t('ltc.menu.fxRates'), icon: <TransactionOutlined /> });
  if (can('approval.admin')) admin.push({ path: '/admin/approval-policies', label: t('approval.menu.policies'), icon: <SafetyOutlined /> });
  if (can('approval.admin')) admin.push({ path: '/admin/authority-matrix', label: t('approval.menu.matrix'), icon: <TableOutlined /> });
  const top: NavItem[] = [{ path: '/workbench', label: t('menu.workbench'), icon: <DesktopOutlined /> }];
  if (can('analytics.read')) top.push({ path: '/analytics', label: t('analytics.menu'), icon: <BarChartOutlined /> });
  if (can('target.read')) top.push({ path: '/targets', label: t('target.menu'), icon: <FlagOutlined /> });
  if (can('lead.read')) top.push({ path: '/leads', label: t('menu.leads'), icon: <AimOutlined /> });
  if (can('account.read')) top.push({ path: '/accounts', label: t('menu.accounts'), icon: <ShopOutlined /> });
  if (can('account.read')) top.push({ path: '/pool', label: t('menu.pool'), icon: <GlobalOutlined /> });
  if (can('opportunity.read')) top.push({ path: '/opportunities', label: t('menu.opportunities'), icon: <FundProjectionScreenOutlined /> });
  if (can('activity.read')) top.push({ path: '/activities', label: t('activityList.title'), icon: <HistoryOutlined /> });
  if (can('account.read')) top.push({ path: '/conflicts', label: t('menu.conflicts'), icon: <SwapOutlined /> });
  if (can('quote.read')) top.push({ path: '/quotes', label: t('ltc.menu.quotes'), icon: <FileTextOutlined /> });
  if (can('contract.read')) top.push({ path: '/contracts', label: t('ltc.menu.contracts'), icon: <FileProtectOutlined /> });
  if (can('payment.read')) top.push({ path: '/receivables', label: t('ltc.menu.receivables'), icon: <AccountBookOutlined /> });
  if (can('approval.read')) top.push({ path: '/approvals', label: t('approval.menu.center'), icon: <CheckSquareOutlined /> });
  return { top, admin };
}

function SideMenu({ me, onNavigate }: { me: Me; onNavigate?: () => void }) {
  const { t } = useI18n();
  const location = useLocation();
  const { top, admin } = navigation(me, t);
  const all = [...top, ...admin];
  const selected = all.find((i) => location.pathname === i.path || location.pathname.startsWith(`${i.path}/`))?.path;
  const link = (i: NavItem) => ({
    key: i.path,
    icon: i.icon,
    label: (
      <Link to={i.path} onClick={onNavigate}>
        {i.label}
      </Link>
    ),
  });
  const items: MenuProps['items'] = [
    ...top.map(link),
    ...(admin.length
      ? [{ key: 'admin', icon: <SettingOutlined />, label: t('menu.admin'), children: admin.map(link) }]
      : []),
  ];
  return (
    <Menu
      data-testid="side-menu"
      theme="dark"
      mode="inline"
      selectedKeys={selected ? [selected] : []}
      defaultOpenKeys={['admin']}
      items={items}
    />
  );
}

function Brand({ collapsed }: { collapsed?: boolean }) {
  const { t } = useI18n();
  return (
    <Link to="/workbench" className="shell-brand">
      <span className="brand-logo">F</span>
      {collapsed ? null : (
        <span className="shell-brand-text">
          <strong>Flotilla</strong>
          <small>{t('app.fullName')}</small>
        </span>
      )}
    </Link>
  );
}

function UserMenu({ me, compact }: { me: Me; compact: boolean }) {
  const { t, locale } = useI18n();
  const logout = useLogout();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const primary = primaryPosition(me);
  const roles = roleNames(me, locale);

  const onLogout = () =>
    logout.mutate(undefined, {
      onSettled: () => {
        message.success(t('auth.loggedOut'));
        navigate('/login', { replace: true });
      },
    });

  const items: MenuProps['items'] = [
    {
      key: 'profile',
      disabled: true,
      label: (
        <div className="user-menu-profile">
          <Typography.Text strong>{me.user.display_name}</Typography.Text>
          <Typography.Text type="secondary">@{me.user.username}</Typography.Text>
          {primary ? (
            <Typography.Text type="secondary">
              {t('auth.primaryUnit')}：{primary.unit_name}
            </Typography.Text>
          ) : null}
          <div>
            {roles.map((r) => (
              <Tag key={r} color="blue" style={{ marginTop: 4 }}>
                {r}
              </Tag>
            ))}
          </div>
        </div>
      ),
    },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout">{t('auth.logout')}</span>, onClick: onLogout },
  ];

  return (
    <Dropdown menu={{ items }} trigger={['click']} placement="bottomRight">
      <Button type="text" className="user-button" data-testid="user-menu">
        <Avatar size="small" style={{ backgroundColor: '#1d4ed8' }}>
          {me.user.display_name.slice(0, 1)}
        </Avatar>
        <span className="user-button-text">
          <span className="user-name" data-testid="user-display-name">
            {me.user.display_name}
          </span>
          {compact ? null : (
            <span className="user-meta">
              {[primary?.unit_name, roles.join('、')].filter(Boolean).join(' · ')}
            </span>
          )}
        </span>
        <DownOutlined style={{ fontSize: 10 }} />
      </Button>
    </Dropdown>
  );
}

/** The signed-in frame: side menu (a drawer on phones), top bar, page outlet. */
export function AppShell() {
  const { data: me } = useMe();
  const { t } = useI18n();
  const screens = Grid.useBreakpoint();
  const mobile = !screens.lg;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const compactUser = !screens.md;

  const menu = useMemo(() => (me ? <SideMenu me={me} /> : null), [me]);
  if (!me) return null;

  return (
    <Layout className="shell">
      {mobile ? (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          width={260}
          closable={false}
          styles={{ body: { padding: 0, background: '#0b1f3a' } }}
        >
          <Brand />
          <SideMenu me={me} onNavigate={() => setDrawerOpen(false)} />
        </Drawer>
      ) : (
        <Sider
          width={224}
          collapsible
          collapsed={collapsed}
          trigger={null}
          className="shell-sider"
          style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
        >
          <Brand collapsed={collapsed} />
          {menu}
        </Sider>
      )}
      <Layout>
        <Header className="shell-header">
          <Flex align="center" gap={8} style={{ minWidth: 0 }}>
            {mobile ? (
              <Button type="text" icon={<MenuOutlined />} aria-label={t('menu.open')} data-testid="menu-toggle" onClick={() => setDrawerOpen(true)} />
            ) : (
              <Button
                type="text"
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={() => setCollapsed((c) => !c)}
                aria-label={t('menu.open')}
              />
            )}
            {mobile ? <Typography.Text strong className="shell-mobile-title">Flotilla</Typography.Text> : null}
          </Flex>
          <Space size={compactUser ? 4 : 16} align="center">
            <LanguageSwitch size={compactUser ? 'small' : 'middle'} />
            <UserMenu me={me} compact={compactUser} />
          </Space>
        </Header>
        <Content className="shell-content">
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
