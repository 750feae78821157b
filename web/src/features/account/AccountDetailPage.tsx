import {
  ArrowLeftOutlined,
  DownOutlined,
  EditOutlined,
  ExportOutlined,
  FlagOutlined,
  ImportOutlined,
  PlusOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Dropdown, type MenuProps, Result, Skeleton, Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { Account } from '@/api/types';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess, useMe } from '@/features/auth/hooks';
import { ClaimConflictAlert } from '@/features/conflict/ClaimConflictAlert';
import { ContactsPanel } from '@/features/contact/ContactsPanel';
import { AccountContracts, AccountQuotes, AccountReceivables } from '@/features/ltc/AccountTabs';
import { useClaimFromPool } from '@/features/pool/hooks';
import { useI18n } from '@/i18n';
import { AccountHistory } from './AccountHistory';
import { AccountEditModal, ReleaseModal, TransferModal } from './AccountModals';
import { AccountOpportunities } from './AccountOpportunities';
import { ActivityTimeline } from './ActivityTimeline';
import { ClaimHistory } from './ClaimHistory';
import { claimConflictInfo } from './errorDetails';
import { useAccount, useClaimAccount } from './hooks';
import { LogActivityModal } from './LogActivityModal';
import { ProtectionTag, TierTag, ValueClassTag } from './labels';
import './account.css';

type Dialog = 'edit' | 'transfer' | 'release' | 'log' | null;

function NotFoundState({ back }: { back: ReactNode }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <PageContainer title={t('account.title')} leading={back}>
      <Card>
        <div data-testid="account-not-found">
          <Result
            status="404"
            title={t('account.notFound')}
            subTitle={t('account.notFoundHint')}
            extra={
              <Button type="primary" onClick={() => navigate('/accounts')}>
                {t('account.backToList')}
              </Button>
            }
          />
        </div>
      </Card>
    </PageContainer>
  );
}

function AccountHeader({ account }: { account: Account }) {
  const { t } = useI18n();
  const none = t('common.none');
  const followed = account.last_follow_up_at ? dayjs(account.last_follow_up_at) : null;
  return (
    <Card className="account-header" data-testid="account-header">
      <Space wrap size={[6, 6]} style={{ marginBottom: 12 }}>
        <TierTag tier={account.tier} />
        <ValueClassTag value={account.value_class} />
        <ProtectionTag account={account} />
        {account.force_reason ? (
          <Tooltip title={t('account.forcedHint', { reason: account.force_reason })}>
            <Tag color="warning">{t('account.forced')}</Tag>
          </Tooltip>
        ) : null}
      </Space>
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} colon={false} className="account-facts">
        <Descriptions.Item label={t('account.owner')}>
          <span data-testid="account-owner">{account.owner_name ?? t('account.noOwner')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('account.unit')}>{account.unit_name}</Descriptions.Item>
        <Descriptions.Item label={t('account.subsidiary')}>{account.subsidiary_name}</Descriptions.Item>
        <Descriptions.Item label={t('account.uscc')}>
          {account.uscc ? <Typography.Text copyable>{account.uscc}</Typography.Text> : none}
        </Descriptions.Item>
        <Descriptions.Item label={t('account.industry')}>{account.industry || none}</Descriptions.Item>
        <Descriptions.Item label={t('account.region')}>{account.region || none}</Descriptions.Item>
        <Descriptions.Item label={t('account.lastFollowUp')}>
          {followed ? (
            <Tooltip title={followed.format('YYYY-MM-DD HH:mm')}>{t('account.daysAgo', { days: dayjs().diff(followed, 'day') })}</Tooltip>
          ) : (
            <Typography.Text type="warning">{t('account.neverFollowedUp')}</Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('account.claim')}>
          {account.status === 'pool' && account.pool_entered_at
            ? t('account.inPoolSince', { date: dayjs(account.pool_entered_at).format('YYYY-MM-DD') })
            : account.claim
              ? `${dayjs(account.claim.claimed_at).format('YYYY-MM-DD')} → ${dayjs(account.claim.protected_until).format('YYYY-MM-DD')}`
              : t('account.noClaim')}
        </Descriptions.Item>
        <Descriptions.Item label={t('account.externalId')}>{account.external_id || none}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

export default function AccountDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { can } = useAccess();
  const { data: me } = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const account = useAccount(id);
  const claim = useClaimAccount(id);
  const poolClaim = useClaimFromPool();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [tab, setTab] = useState('activities');

  const location = useLocation();
  // Back to where the user came from; opened from a link or bookmark, back to the list.
  const back = (
    <Button
      type="text"
      icon={<ArrowLeftOutlined />}
      onClick={() => (location.key === 'default' ? navigate('/accounts') : navigate(-1))}
      aria-label={t('common.back')}
    />
  );

  if (account.isError) {
    // Outside the caller's scope the API answers 404; a malformed id in the URL answers 422.
    if (isApiError(account.error) && (account.error.status === 404 || account.error.status === 422)) return <NotFoundState back={back} />;
    return (
      <PageContainer title={t('account.title')} leading={back}>
        <QueryError error={account.error} onRetry={() => void account.refetch()} />
      </PageContainer>
    );
  }
  if (!account.data) {
    return (
      <PageContainer title={t('account.title')} leading={back}>
        <Card>
          <Skeleton active paragraph={{ rows: 4 }} />
        </Card>
      </PageContainer>
    );
  }
  const a = account.data;
  const mine = Boolean(me && a.owner_id === me.user.id);
  const writable = can('account.write');
  const inPool = a.status === 'pool';
  const heldByMe = mine && a.is_protected;

  const run = (promise: Promise<unknown>, success: string) => {
    setActionError(null);
    promise.then(
      () => message.success(success),
      (error: unknown) => setActionError(error),
    );
  };

  const more: MenuProps['items'] = [];
  if (writable && !inPool && !heldByMe) {
    more.push({ key: 'claim', icon: <FlagOutlined />, label: t('account.claimAction'), onClick: () => run(claim.mutateAsync(), t('account.claimedToast')) });
  }
  if (can('account.transfer') && !inPool) more.push({ key: 'transfer', icon: <SwapOutlined />, label: t('account.transfer'), onClick: () => setDialog('transfer') });
  if (writable && !inPool) more.push({ key: 'release', icon: <ExportOutlined />, danger: true, label: t('account.release'), onClick: () => setDialog('release') });

  const tabs = [
    { key: 'activities', label: t('account.tab.activities'), children: <ActivityTimeline accountId={a.id} /> },
    { key: 'contacts', label: t('account.tab.contacts'), children: <ContactsPanel accountId={a.id} writable={!inPool} /> },
    ...(can('opportunity.read')
      ? [{ key: 'opportunities', label: t('account.tab.opportunities'), children: <AccountOpportunities accountId={a.id} accountName={a.name} /> }]
      : []),
    ...(can('quote.read') ? [{ key: 'quotes', label: t('ltc.menu.quotes'), children: <AccountQuotes accountId={a.id} /> }] : []),
    ...(can('contract.read') ? [{ key: 'contracts', label: t('ltc.menu.contracts'), children: <AccountContracts accountId={a.id} /> }] : []),
    ...(can('payment.read') ? [{ key: 'receivables', label: t('ltc.menu.receivables'), children: <AccountReceivables accountId={a.id} /> }] : []),
    { key: 'claims', label: t('account.tab.claims'), children: <ClaimHistory accountId={a.id} /> },
    ...(can('audit.read') ? [{ key: 'history', label: t('account.tab.history'), children: <AccountHistory accountId={a.id} /> }] : []),
  ];

  const conflict = claimConflictInfo(actionError);

  return (
    <PageContainer
      title={<span data-testid="account-title">{a.name}</span>}
      documentTitle={a.name}
      subtitle={a.name_en ?? undefined}
      leading={back}
      extra={
        <>
          {inPool && writable ? (
            <Button
              type="primary"
              icon={<ImportOutlined />}
              loading={poolClaim.isPending}
              onClick={() => run(poolClaim.mutateAsync(a.id), t('pool.claimed'))}
              data-testid="account-pool-claim"
            >
              {t('pool.claim')}
            </Button>
          ) : null}
          {can('activity.write') && !inPool ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog('log')} data-testid="account-log-activity">
              {t('account.activity.log')}
            </Button>
          ) : null}
          {writable && !inPool ? (
            <Button icon={<EditOutlined />} onClick={() => setDialog('edit')} data-testid="account-edit">
              {t('common.edit')}
            </Button>
          ) : null}
          {more.length ? (
            <Dropdown menu={{ items: more }} trigger={['click']}>
              <Button data-testid="account-more">
                {t('account.more')} <DownOutlined />
              </Button>
            </Dropdown>
          ) : null}
        </>
      }
    >
      {conflict ? (
        <ClaimConflictAlert error={actionError} onClose={() => setActionError(null)} />
      ) : actionError ? (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setActionError(null)}
          style={{ marginBottom: 16 }}
          data-testid="account-action-error"
          message={isApiError(actionError) ? actionError.message : String(actionError)}
        />
      ) : null}
      {inPool ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('account.inPoolBanner')}
          action={
            <Link to="/pool">
              <Button size="small">{t('pool.title')}</Button>
            </Link>
          }
        />
      ) : null}
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <AccountHeader account={a} />
        <Card className="account-tabs">
          <Tabs activeKey={tab} onChange={setTab} items={tabs} />
        </Card>
      </Space>
      <AccountEditModal open={dialog === 'edit'} account={a} onClose={() => setDialog(null)} />
      <TransferModal open={dialog === 'transfer'} account={a} onClose={() => setDialog(null)} />
      <ReleaseModal open={dialog === 'release'} account={a} onClose={() => setDialog(null)} />
      {dialog === 'log' ? <LogActivityModal open accountId={a.id} onClose={() => setDialog(null)} /> : null}
    </PageContainer>
  );
}
