import {
  ArrowLeftOutlined,
  CheckOutlined,
  CloseOutlined,
  FileDoneOutlined,
  HistoryOutlined,
  SendOutlined,
  SnippetsOutlined,
  AuditOutlined,
} from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Result, Row, Skeleton, Space, Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { ActionError, StatusTag, tid } from '../common';
import { useContractOfQuote, useCreateContract } from '../contract/hooks';
import { quoteNumber } from '../format';
import type { LineInput } from '../pricing';
import { quoteActions } from '../status';
import { useDeclineQuote, useOpportunityQuotes, useQuote, useQuoteTransition, type QuoteTransition } from './hooks';
import { QuoteApprovalBanner } from './QuoteApprovalBanner';
import { QuoteHeaderCard } from './QuoteHeaderCard';
import { QuoteLinesCard } from './QuoteLinesCard';
import { QuoteTotals } from './QuoteTotals';

/** 报价详情: header, line editor, server totals, approval state and the actions the state allows. */
export default function QuoteDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { can } = useAccess();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const quote = useQuote(id);
  const transition = useQuoteTransition(id);
  const decline = useDeclineQuote(id);
  const createContract = useCreateContract();
  const [actionError, setActionError] = useState<unknown>(null);
  const [dirty, setDirty] = useState(false);
  const [estimate, setEstimate] = useState<LineInput[] | null>(null);
  const [declining, setDeclining] = useState(false);
  const [declineForm] = Form.useForm<{ reason: string }>();
  const revisions = useOpportunityQuotes(quote.data?.opportunity_id ?? '', Boolean(quote.data && !quote.data.is_current));
  const linked = useContractOfQuote(quote.data ?? null, quote.data?.status === 'accepted' && can('contract.read'));

  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('common.back')} />;

  if (quote.isError) {
    if (isApiError(quote.error) && (quote.error.status === 404 || quote.error.status === 422)) {
      return (
        <PageContainer title={t('ltc.quote.title')} leading={back}>
          <Card data-testid="quote-not-found">
            <Result
              status="404"
              title={t('ltc.quote.notFound')}
              subTitle={t('ltc.notFoundHint')}
              extra={
                <Link to="/quotes">
                  <Button type="primary">{t('ltc.quote.backToList')}</Button>
                </Link>
              }
            />
          </Card>
        </PageContainer>
      );
    }
    return (
      <PageContainer title={t('ltc.quote.title')} leading={back}>
        <QueryError error={quote.error} onRetry={() => void quote.refetch()} />
      </PageContainer>
    );
  }
  if (!quote.data) {
    return (
      <PageContainer title={t('ltc.quote.title')} leading={back}>
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      </PageContainer>
    );
  }

  const q = quote.data;
  const writable = can('quote.write');
  const actions = writable ? quoteActions(q.status, q.is_current) : [];
  const editable = actions.includes('edit');
  const expired = Boolean(q.valid_until && dayjs(q.valid_until).isBefore(dayjs(), 'day'));
  const current = !q.is_current ? revisions.data?.find((r) => r.number === q.number && r.is_current) : undefined;

  const run = async (action: QuoteTransition, success: string) => {
    setActionError(null);
    try {
      const result = await transition.mutateAsync({ action, version: q.version });
      message.success(success);
      if (result.id !== q.id) navigate(`/quotes/${result.id}`);
    } catch (error) {
      setActionError(error);
      void quote.refetch();
    }
  };

  const onRevise = () =>
    modal.confirm({
      title: t('ltc.quote.reviseConfirm'),
      content: t('ltc.quote.reviseHint'),
      okText: t('ltc.quote.revise'),
      cancelText: t('common.cancel'),
      onOk: () => run('revise', t('ltc.quote.revised')),
    });

  const onDecline = async () => {
    let v: { reason: string };
    try {
      v = await declineForm.validateFields();
    } catch {
      return;
    }
    setActionError(null);
    try {
      await decline.mutateAsync({ reason: v.reason.trim(), version: q.version });
      message.success(t('ltc.quote.declined'));
      setDeclining(false);
      declineForm.resetFields();
    } catch (error) {
      setDeclining(false);
      setActionError(error);
    }
  };

  const onCreateContract = async () => {
    setActionError(null);
    try {
      const contract = await createContract.mutateAsync({ quote_id: q.id });
      message.success(t('ltc.contract.created'));
      navigate(`/contracts/${contract.id}`);
    } catch (error) {
      setActionError(error);
    }
  };

  const busy = transition.isPending || decline.isPending || createContract.isPending;
  const needsSave = dirty ? t('ltc.quote.saveFirst') : null;
  const buttons = (
    <>
      {actions.includes('submit') ? (
        <Tooltip title={needsSave ?? (q.lines.length === 0 ? t('ltc.quote.needsLines') : undefined)}>
          <Button
            type="primary"
            icon={<AuditOutlined />}
            disabled={dirty || q.lines.length === 0 || busy}
            loading={transition.isPending && transition.variables?.action === 'submit'}
            onClick={() => void run('submit', t('ltc.quote.submitted'))}
            data-testid="quote-submit"
          >
            {t('ltc.quote.submit')}
          </Button>
        </Tooltip>
      ) : null}
      {actions.includes('send') ? (
        <Tooltip title={needsSave}>
          <Button type="primary" icon={<SendOutlined />} disabled={dirty || busy} onClick={() => void run('send', t('ltc.quote.sent'))} data-testid="quote-send">
            {t('ltc.quote.send')}
          </Button>
        </Tooltip>
      ) : null}
      {actions.includes('accept') ? (
        <Button type="primary" icon={<CheckOutlined />} disabled={busy} onClick={() => void run('accept', t('ltc.quote.accepted'))} data-testid="quote-accept">
          {t('ltc.quote.accept')}
        </Button>
      ) : null}
      {actions.includes('decline') ? (
        <Button danger icon={<CloseOutlined />} disabled={busy} onClick={() => setDeclining(true)} data-testid="quote-decline">
          {t('ltc.quote.decline')}
        </Button>
      ) : null}
      {linked.data ? (
        <Link to={`/contracts/${linked.data.id}`}>
          <Button type="primary" icon={<FileDoneOutlined />} data-testid="quote-open-contract">
            {t('ltc.quote.openContract', { number: linked.data.number })}
          </Button>
        </Link>
      ) : actions.includes('contract') && can('contract.write') && !linked.isLoading ? (
        <Button type="primary" icon={<FileDoneOutlined />} loading={createContract.isPending} onClick={() => void onCreateContract()} data-testid="quote-create-contract">
          {t('ltc.quote.createContract')}
        </Button>
      ) : null}
      {actions.includes('revise') ? (
        <Button icon={<SnippetsOutlined />} disabled={busy} onClick={onRevise} data-testid="quote-revise">
          {t('ltc.quote.revise')}
        </Button>
      ) : null}
      {can('audit.read') ? (
        <Link to={`/admin/audit?entity_type=quote&entity_id=${q.id}`}>
          <Button icon={<HistoryOutlined />}>{t('ltc.audit')}</Button>
        </Link>
      ) : null}
    </>
  );

  return (
    <PageContainer
      leading={back}
      documentTitle={quoteNumber(q.number, q.revision)}
      title={
        <Space wrap size={8}>
          <span data-testid="quote-number">{quoteNumber(q.number, q.revision)}</span>
          <StatusTag kind="quote" status={q.status} testId="quote-status" />
          {!q.is_current ? <Tag>{t('ltc.quote.notCurrent')}</Tag> : null}
        </Space>
      }
      subtitle={
        <Space size={6} wrap>
          <span>{q.title}</span>
          <span>·</span>
          <Link to={`/opportunities/${q.opportunity_id}`}>{q.opportunity_name ?? t('common.none')}</Link>
          <span>·</span>
          <Link to={`/accounts/${q.account_id}`}>{q.account_name ?? t('common.none')}</Link>
        </Space>
      }
      extra={buttons}
    >
      <ActionError error={actionError} onClose={() => setActionError(null)} />
      {!q.is_current ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('ltc.quote.supersededHint')}
          action={
            current ? (
              <Link to={`/quotes/${current.id}`}>
                <Button size="small">{t('ltc.quote.openCurrent', { revision: current.revision })}</Button>
              </Link>
            ) : undefined
          }
        />
      ) : null}
      {q.status === 'sent' && expired ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('ltc.quote.expiredHint')} /> : null}
      {q.approval ? <QuoteApprovalBanner approval={q.approval} status={q.status} /> : null}
      {q.status === 'pending_approval' || (q.status === 'approved' && editable) ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('ltc.quote.editVoidsHint')} />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <QuoteHeaderCard quote={q} editable={editable} onReload={() => void quote.refetch()} />
        </Col>
        <Col xs={24} xl={8}>
          <QuoteTotals quote={q} estimate={estimate} />
        </Col>
        <Col xs={24}>
          <QuoteLinesCard quote={q} editable={editable} onDirtyChange={setDirty} onEstimate={setEstimate} />
        </Col>
      </Row>
      <Modal
        open={declining}
        title={t('ltc.quote.declineTitle')}
        onCancel={() => setDeclining(false)}
        onOk={() => void onDecline()}
        okText={t('ltc.quote.decline')}
        okButtonProps={{ danger: true, loading: decline.isPending, ...tid('quote-decline-confirm') }}
        cancelText={t('common.cancel')}
        forceRender
      >
        <Form form={declineForm} layout="vertical" name="quote-decline">
          <Form.Item name="reason" label={t('ltc.quote.declineReason')} rules={[{ required: true, whitespace: true, message: t('ltc.reasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  );
}
