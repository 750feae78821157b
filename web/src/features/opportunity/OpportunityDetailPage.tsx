import {
  ArrowLeftOutlined,
  ArrowRightOutlined,
  CloseCircleOutlined,
  DownOutlined,
  HistoryOutlined,
  RollbackOutlined,
  TrophyOutlined,
} from '@ant-design/icons';
import { Button, Card, Col, Dropdown, Flex, Result, Row, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { ActivityPanel } from '@/features/activity/ActivityPanel';
import { RecordApprovalsCard } from '@/features/approval/RecordApprovalsCard';
import { DealContractsCard } from '@/features/ltc/contract/DealContractsCard';
import { OpportunityQuotes } from '@/features/ltc/quote/OpportunityQuotes';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { DealFieldsCard } from './DealFieldsCard';
import { HistoryCard } from './HistoryCard';
import { useAccountHasContact, useOpportunity } from './hooks';
import { STATUS_COLORS, stageName, statusLabel } from './labels';
import { useStageMover } from './StageMover';
import { type FixSection, StageWorkbench } from './StageWorkbench';
import { formatMoney, nextStage, sortStages } from './stages';
import { TeamCard } from './TeamCard';
import './opportunity.css';

function scrollToSection(section: string) {
  const el = document.getElementById(`opp-section-${section}`);
  el?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

export default function OpportunityDetailPage() {
  const { id = '' } = useParams();
  const { t, td, locale } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const deal = useOpportunity(id);
  const hasContact = useAccountHasContact(deal.data?.account_id ?? null);
  const mover = useStageMover();
  const [editing, setEditing] = useState(false);
  const [flash, setFlash] = useState<FixSection | null>(null);
  const canWrite = can('opportunity.write');
  const canSkip = can('opportunity.skip_stage');

  const stageParam = params.get('stage');
  const fixParam = params.get('fix') as FixSection | null;
  const path = useMemo(() => sortStages(deal.data?.path ?? []), [deal.data]);
  const current = path.find((s) => s.is_current) ?? null;
  const next = deal.data && deal.data.status === 'open' && current ? nextStage(path, current.code) : null;
  const requested = stageParam ? path.find((s) => s.code === stageParam && !s.is_current) : undefined;
  const gateStage = requested ?? next ?? null;

  const fix = (section: FixSection) => {
    if (section === 'contacts') {
      if (deal.data) navigate(`/accounts/${deal.data.account_id}`);
      return;
    }
    if (section === 'fields') setEditing(true);
    setFlash(section);
    window.setTimeout(() => scrollToSection(section), 50);
    window.setTimeout(() => setFlash(null), 1800);
  };

  // Arriving from a refusal's “fix it” link: open and show that part of the page once.
  useEffect(() => {
    if (!deal.data || !fixParam) return;
    fix(fixParam);
    setParams(
      (p) => {
        p.delete('fix');
        return p;
      },
      { replace: true },
    );
  }, [deal.data?.id, fixParam]);

  const setGateStage = (code: string) =>
    setParams(
      (p) => {
        p.set('stage', code);
        return p;
      },
      { replace: true },
    );

  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('common.back')} />;

  if (deal.isError) {
    if (isApiError(deal.error) && deal.error.status === 404) {
      return (
        <PageContainer title={t('opp.title')} leading={back}>
          <Card data-testid="opp-not-found">
            <Result
              status="404"
              title={t('opp.notFound')}
              subTitle={t('opp.notFoundHint')}
              extra={
                <Link to="/opportunities">
                  <Button type="primary">{t('opp.backToBoard')}</Button>
                </Link>
              }
            />
          </Card>
        </PageContainer>
      );
    }
    return (
      <PageContainer title={t('opp.title')} leading={back}>
        <QueryError error={deal.error} onRetry={() => void deal.refetch()} />
      </PageContainer>
    );
  }
  if (!deal.data) {
    return (
      <PageContainer title={t('opp.title')} leading={back}>
        <Card>
          <Skeleton active />
        </Card>
      </PageContainer>
    );
  }

  const d = deal.data;
  const open = d.status === 'open';
  const won = path.find((s) => s.kind === 'won');
  const lost = path.find((s) => s.kind === 'lost');
  const lastOpen = [...path].reverse().find((s) => s.kind === 'open');
  const request = (code: string) => mover.request(d, path, code);
  const moving = mover.pending?.dealId === d.id;

  const moreItems = canSkip
    ? path
        .filter((s) => !s.is_current && s.kind === 'open')
        .map((s) => ({ key: s.code, label: stageName(s, locale), onClick: () => request(s.code) }))
    : [];

  const actions = canWrite ? (
    open ? (
      <>
        {next ? (
          <Button type="primary" icon={<ArrowRightOutlined />} loading={moving} onClick={() => request(next.code)} data-testid="opp-next-stage">
            {next.kind === 'won' ? t('opp.closeWon') : t('opp.moveTo', { stage: stageName(next, locale) })}
          </Button>
        ) : null}
        {won && next?.code !== won.code ? (
          <Button icon={<TrophyOutlined />} onClick={() => request(won.code)} data-testid="opp-close-won">
            {t('opp.closeWon')}
          </Button>
        ) : null}
        {lost ? (
          <Button danger icon={<CloseCircleOutlined />} onClick={() => request(lost.code)} data-testid="opp-close-lost">
            {t('opp.closeLost')}
          </Button>
        ) : null}
        {moreItems.length ? (
          <Dropdown menu={{ items: moreItems }} trigger={['click']}>
            <Button>
              {t('opp.moveToStage')} <DownOutlined />
            </Button>
          </Dropdown>
        ) : null}
      </>
    ) : canSkip && lastOpen ? (
      <Button icon={<RollbackOutlined />} onClick={() => request(lastOpen.code)} data-testid="opp-reopen">
        {t('opp.reopen')}
      </Button>
    ) : null
  ) : null;

  return (
    <PageContainer
      leading={back}
      documentTitle={d.name}
      title={
        <Space wrap size={8}>
          <span data-testid="opp-detail-name">{d.name}</span>
          <Tag color={STATUS_COLORS[d.status]}>{statusLabel(td, d.status)}</Tag>
          {d.stalled ? (
            <Tag color="red" data-testid="stalled-badge">
              {t('opp.stalled')}
            </Tag>
          ) : null}
        </Space>
      }
      subtitle={
        <Space size={6} wrap>
          <Link to={`/accounts/${d.account_id}`}>{d.account_name ?? t('common.none')}</Link>
          <span>·</span>
          <span>{d.owner_name ?? t('common.none')}</span>
        </Space>
      }
      extra={
        <>
          {actions}
          {can('audit.read') ? (
            <Link to={`/admin/audit?entity_type=opportunity&entity_id=${d.id}`}>
              <Button icon={<HistoryOutlined />}>{t('opp.audit')}</Button>
            </Link>
          ) : null}
        </>
      }
    >
      <Card size="small" className="opp-kpis" style={{ marginBottom: 16 }}>
        <Row gutter={[16, 12]}>
          <Col xs={12} md={6}>
            <Statistic title={t('opp.amount')} value={formatMoney(d.amount, d.currency, locale)} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('opp.stage')} value={`${stageName(d.stage, locale)} · ${d.stage.probability}%`} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('opp.expectedClose')} value={d.expected_close_date ? dayjs(d.expected_close_date).format('YYYY-MM-DD') : t('common.none')} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic
              title={t('opp.daysInStage')}
              value={t('opp.days', { days: d.days_in_stage })}
              valueStyle={d.stalled ? { color: '#dc2626' } : undefined}
              suffix={d.stage.max_days ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>/ {d.stage.max_days}</Typography.Text> : null}
            />
          </Col>
        </Row>
      </Card>
      <StageWorkbench
        deal={d}
        gateStage={gateStage}
        onGateStageChange={setGateStage}
        hasContact={hasContact.data ?? null}
        canWrite={canWrite}
        onMove={request}
        moving={moving}
        refusal={mover.refusal}
        onFix={fix}
        highlightChecklist={flash === 'checklist'}
      />
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={16}>
            <DealFieldsCard deal={d} editing={editing} onEditingChange={setEditing} canWrite={canWrite} onReload={() => deal.refetch()} highlight={flash === 'fields'} />
            <OpportunityQuotes opportunity={{ id: d.id, name: d.name, subsidiary_id: d.subsidiary_id }} canCreate={d.status !== 'lost'} />
            <DealContractsCard deal={{ id: d.id, status: d.status }} />
            <ActivityPanel opportunityId={d.id} canWrite={can('activity.write')} />
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <Flex vertical gap={16}>
            <TeamCard deal={d} canWrite={canWrite} highlight={flash === 'team'} />
            {can('approval.read') && <RecordApprovalsCard recordId={d.id} />}
            <HistoryCard dealId={d.id} />
          </Flex>
        </Col>
      </Row>
      {mover.element}
    </PageContainer>
  );
}
