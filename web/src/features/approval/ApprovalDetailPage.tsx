import { ArrowLeftOutlined, CheckOutlined, CloseOutlined, EyeOutlined, RollbackOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Input, Popconfirm, Result, Row, Skeleton, Space, Steps, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useMe } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { RequestStatusTag } from './ApprovalsPage';
import { formatMoney } from './format';
import { useApproval, useDecide } from './hooks';
import { recordPath, TASK_STATUS_COLORS } from './labels';
import { describeCondition } from './rules';
import { describeResolution } from './steps';
import type { ApprovalDetail, ApprovalStep, ApprovalTask } from './types';
import { useVocabulary, type Vocabulary } from './vocabulary';
import './approval.css';

const fmtTime = (v: string | null | undefined) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '');

function FactsCard({ request, vocab }: { request: ApprovalDetail; vocab: Vocabulary }) {
  const { t } = useI18n();
  const facts = request.facts as Record<string, unknown>;
  const read = new Set(request.read_fields);
  const names = Object.keys(facts).sort((a, b) => Number(read.has(b)) - Number(read.has(a)));
  const currencies = { document: typeof facts.currency === 'string' ? facts.currency : null, base: request.base_currency };
  return (
    <Card title={t('approval.snapshot')} size="small" data-testid="approval-facts">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('approval.snapshotHint')}
      </Typography.Paragraph>
      {names.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Descriptions size="small" column={{ xs: 1, sm: 2, md: 2, lg: 2, xl: 2, xxl: 2 }} className="approval-facts">
          {names.map((name) => (
            <Descriptions.Item
              key={name}
              label={
                <span>
                  {vocab.fieldLabel(name)}
                  {read.has(name) ? (
                    <Tooltip title={t('approval.readField')}>
                      <EyeOutlined className="read-field-mark" aria-label={t('approval.readField')} data-testid="read-field" />
                    </Tooltip>
                  ) : null}
                </span>
              }
            >
              <span className="num">{vocab.factValue(name, facts[name], currencies)}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
    </Card>
  );
}

function PolicyCard({ request, vocab }: { request: ApprovalDetail; vocab: Vocabulary }) {
  const { t, locale } = useI18n();
  const p = request.policy;
  const name = p.id ? (locale === 'en-US' && p.name_en) || p.name : t('approval.defaultPolicy');
  const hasCondition = p.condition && Object.keys(p.condition).length > 0;
  return (
    <Card title={t('approval.policy')} size="small" data-testid="approval-policy">
      <Descriptions size="small" column={1} className="approval-facts">
        <Descriptions.Item label={t('approval.policyName')}>
          <Space size={6} wrap>
            <span>{name}</span>
            {p.code ? <Typography.Text type="secondary">({p.code})</Typography.Text> : null}
          </Space>
        </Descriptions.Item>
        {hasCondition ? (
          <Descriptions.Item label={t('approval.condition')}>
            <span className="approval-condition" data-testid="approval-condition">
              {describeCondition(p.condition, vocab)}
            </span>
          </Descriptions.Item>
        ) : null}
      </Descriptions>
    </Card>
  );
}

function TaskLine({ task }: { task: ApprovalTask }) {
  const { t, td } = useI18n();
  const delegate = task.decided_by_id && task.decided_by_id !== task.approver_id;
  return (
    <div className="approval-task" data-testid="approval-task">
      <Space size={6} wrap>
        <Typography.Text strong>{task.approver_name ?? t('common.none')}</Typography.Text>
        <Tag color={TASK_STATUS_COLORS[task.status] ?? 'default'}>{td(`approval.task.${task.status}`, task.status)}</Tag>
        {delegate ? <Typography.Text type="secondary">{t('approval.decidedBy', { name: task.decided_by_name ?? '' })}</Typography.Text> : null}
        {task.decided_at ? <Typography.Text type="secondary">{fmtTime(task.decided_at)}</Typography.Text> : null}
      </Space>
      {task.comment ? (
        <Typography.Paragraph style={{ margin: '2px 0 0', whiteSpace: 'pre-wrap' }} type="secondary">
          “{task.comment}”
        </Typography.Paragraph>
      ) : null}
    </div>
  );
}

const STEP_STATUS: Record<string, 'wait' | 'process' | 'finish' | 'error'> = {
  waiting: 'wait',
  pending: 'process',
  approved: 'finish',
  rejected: 'error',
  cancelled: 'wait',
};

function StepsCard({ request, vocab }: { request: ApprovalDetail; vocab: Vocabulary }) {
  const { t, td, locale } = useI18n();
  const configured = (request.policy.steps ?? []) as { approvers?: unknown[] }[];
  const labels = { user: (id: string) => id, role: vocab.roleLabel, limit: vocab.limitLabel };
  const stepTitle = (s: ApprovalStep) => (
    <span className="approval-step-title">
      <span>{(locale === 'en-US' && s.name_en) || s.name}</span>
      <Tag bordered={false}>{td(`approval.mode.${s.mode}`, s.mode)}</Tag>
      {s.roles.length ? <Typography.Text type="secondary">{s.roles.map(vocab.roleLabel).join(' / ')}</Typography.Text> : null}
      {s.escalated ? (
        <Tooltip title={(configured[s.index]?.approvers ?? []).map((r) => describeResolution(r, vocab.stepWords, labels)).join('; ')}>
          <WarningOutlined style={{ color: '#d97706' }} />
        </Tooltip>
      ) : null}
    </span>
  );
  return (
    <Card title={t('approval.steps')} size="small" data-testid="approval-steps">
      <Steps
        direction="vertical"
        size="small"
        current={Math.max(0, request.steps.findIndex((s) => s.is_current))}
        items={request.steps.map((s) => ({
          status: STEP_STATUS[s.status] ?? 'wait',
          title: stepTitle(s),
          description: (
            <div style={{ paddingBottom: 8 }}>
              {s.tasks.length === 0 ? (
                <Typography.Text type="secondary">{t('approval.noTasks')}</Typography.Text>
              ) : (
                s.tasks.map((task) => <TaskLine key={task.id} task={task} />)
              )}
              {configured[s.index]?.approvers?.length ? (
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 4 }}>
                  {(configured[s.index]?.approvers ?? []).map((r) => describeResolution(r, vocab.stepWords, labels)).join('; ')}
                </Typography.Text>
              ) : null}
            </div>
          ),
        }))}
      />
    </Card>
  );
}

function DecisionCard({ request }: { request: ApprovalDetail }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const decide = useDecide(request.id);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<{ message: string; status: number } | null>(null);
  const [commentMissing, setCommentMissing] = useState(false);

  // Whose tasks I decide: my own, or (as a delegate) someone else's.
  const current = request.steps.find((s) => s.is_current);
  const forOthers = current?.tasks.filter((k) => k.status === 'pending' && k.approver_id !== me?.user.id).map((k) => k.approver_name ?? '') ?? [];
  const mineToo = current?.tasks.some((k) => k.status === 'pending' && k.approver_id === me?.user.id) ?? false;

  const run = async (decision: 'approve' | 'reject' | 'withdraw') => {
    setError(null);
    const text = comment.trim();
    if (decision === 'reject' && !text) {
      setCommentMissing(true);
      return;
    }
    try {
      await decide.mutateAsync({ decision, comment: text || null });
      setComment('');
      message.success(t(decision === 'approve' ? 'approval.approved' : decision === 'reject' ? 'approval.rejected' : 'approval.withdrawn'));
    } catch (e) {
      setError({ message: isApiError(e) ? e.message : String(e), status: isApiError(e) ? e.status : 0 });
    }
  };

  if (!request.can_decide && !request.can_withdraw) return null;
  return (
    <Card title={t('approval.decideTitle')} size="small" data-testid="approval-decision">
      {error ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="approval-error"
          message={error.message}
          style={{ marginBottom: 12 }}
          closable
          onClose={() => setError(null)}
        />
      ) : null}
      {request.can_decide && !mineToo && forOthers.length === 1 ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('approval.youDecideFor', { names: forOthers.join('、') })} />
      ) : null}
      {request.can_decide ? (
        <>
          <Input.TextArea
            rows={3}
            maxLength={1000}
            showCount
            value={comment}
            status={commentMissing && !comment.trim() ? 'error' : undefined}
            onChange={(e) => {
              setComment(e.target.value);
              if (e.target.value.trim()) setCommentMissing(false);
            }}
            placeholder={t('approval.commentPlaceholder')}
            aria-label={t('approval.comment')}
            data-testid="approval-comment"
          />
          {commentMissing && !comment.trim() ? (
            <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="approval-comment-error">
              {t('approval.commentRequired')}
            </Typography.Text>
          ) : null}
        </>
      ) : null}
      <Flex gap={8} wrap="wrap" style={{ marginTop: 12 }}>
        {request.can_decide ? (
          <>
            <Button
              type="primary"
              icon={<CheckOutlined />}
              loading={decide.isPending && decide.variables?.decision === 'approve'}
              disabled={decide.isPending}
              onClick={() => void run('approve')}
              data-testid="approval-approve"
            >
              {t('approval.approve')}
            </Button>
            <Button
              danger
              icon={<CloseOutlined />}
              loading={decide.isPending && decide.variables?.decision === 'reject'}
              disabled={decide.isPending}
              onClick={() => void run('reject')}
              data-testid="approval-reject"
            >
              {t('approval.reject')}
            </Button>
          </>
        ) : null}
        {request.can_withdraw ? (
          <Popconfirm title={t('approval.withdrawConfirm')} onConfirm={() => void run('withdraw')} okText={t('approval.withdraw')} cancelText={t('common.cancel')}>
            <Button icon={<RollbackOutlined />} disabled={decide.isPending} data-testid="approval-withdraw">
              {t('approval.withdraw')}
            </Button>
          </Popconfirm>
        ) : null}
      </Flex>
    </Card>
  );
}

export default function ApprovalDetailPage() {
  const { id = '' } = useParams();
  const { t, td, locale } = useI18n();
  const navigate = useNavigate();
  const query = useApproval(id);
  const vocab = useVocabulary(query.data?.action ?? null);
  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('common.back')} />;

  if (query.isError) {
    const notFound = isApiError(query.error) && query.error.status === 404;
    return (
      <PageContainer title={t('approval.requestTitle')} leading={back}>
        {notFound ? (
          <Card data-testid="approval-not-found">
            <Result
              status="404"
              title={t('approval.notFound')}
              extra={
                <Link to="/approvals">
                  <Button type="primary">{t('approval.backToList')}</Button>
                </Link>
              }
            />
          </Card>
        ) : (
          <QueryError error={query.error} onRetry={() => void query.refetch()} />
        )}
      </PageContainer>
    );
  }
  if (!query.data) {
    return (
      <PageContainer title={t('approval.requestTitle')} leading={back}>
        <Card>
          <Skeleton active />
        </Card>
      </PageContainer>
    );
  }

  const r = query.data;
  const actionName = locale === 'en-US' ? r.action_name_en : r.action_name;
  const to = recordPath(r.record_type, r.record_id);
  const recordLabel = (
    <Space size={4} wrap>
      <Tag bordered={false}>{td(`approval.record.${r.record_type}`, r.record_type)}</Tag>
      <span>{r.record_label}</span>
    </Space>
  );

  return (
    <PageContainer
      leading={back}
      documentTitle={`${actionName} · ${r.record_label}`}
      title={
        <Space wrap size={8}>
          <span data-testid="approval-title">{actionName}</span>
          <RequestStatusTag status={r.status} testId="approval-status" />
        </Space>
      }
      subtitle={to ? <Link to={to}>{r.record_label}</Link> : r.record_label}
    >
      {r.status === 'voided' && (r.void_message || r.void_reason) ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('approval.voidReason')} description={r.void_message || r.void_reason} />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Card title={t('approval.summary')} size="small" data-testid="approval-summary">
              <Descriptions size="small" column={{ xs: 1, sm: 2, md: 2, lg: 2, xl: 2, xxl: 2 }} className="approval-facts">
                <Descriptions.Item label={t('approval.record')} span={2}>{to ? <Link to={to}>{recordLabel}</Link> : recordLabel}</Descriptions.Item>
                <Descriptions.Item label={t('approval.amountBase')}>
                  <span className="num">{r.amount_base !== null && r.amount_base !== undefined ? formatMoney(r.amount_base, r.base_currency, locale) : t('common.none')}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('approval.requester')}>{r.requester_name ?? t('common.none')}</Descriptions.Item>
                <Descriptions.Item label={t('approval.recordOwner')}>{r.record_owner_name ?? t('common.none')}</Descriptions.Item>
                <Descriptions.Item label={t('approval.submittedAt')}>{fmtTime(r.submitted_at)}</Descriptions.Item>
                {r.decided_at ? <Descriptions.Item label={t('approval.decidedAt')}>{fmtTime(r.decided_at)}</Descriptions.Item> : null}
                {r.comment ? (
                  <Descriptions.Item label={t('approval.finalComment')} span={2}>
                    <span style={{ whiteSpace: 'pre-wrap' }}>{r.comment}</span>
                  </Descriptions.Item>
                ) : null}
              </Descriptions>
            </Card>
            <FactsCard request={r} vocab={vocab} />
            <PolicyCard request={r} vocab={vocab} />
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
            <DecisionCard request={r} />
            <StepsCard request={r} vocab={vocab} />
          </Flex>
        </Col>
      </Row>
    </PageContainer>
  );
}
