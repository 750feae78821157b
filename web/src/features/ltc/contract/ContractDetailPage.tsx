import {
  ArrowLeftOutlined,
  AuditOutlined,
  CheckCircleOutlined,
  EditOutlined,
  HistoryOutlined,
  LockOutlined,
  PlayCircleOutlined,
  StopOutlined,
} from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, Modal, Result, Row, Skeleton, Space, Statistic, Tabs, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { ActionError, ApprovalLink, approvalPendingId, StatusTag, tid } from '../common';
import { formatAmount, formatDateTime } from '../format';
import { contractActions, contractBillable, contractFrozen } from '../status';
import type { ContractApproval, ContractDetail, Installment, Payment } from '../types';
import { AmendmentModal } from './AmendmentModal';
import { AmendmentsCard } from './AmendmentsCard';
import { ContractFieldsCard } from './ContractFieldsCard';
import { type ContractTransition, useContract, useContractTransition, useSignContract, useTerminateContract } from './hooks';
import { InvoiceModal } from './InvoiceModal';
import { InvoicesPanel } from './InvoicesPanel';
import { PaymentModal } from './PaymentModal';
import { PaymentPlanCard } from './PaymentPlanCard';
import { PaymentsPanel } from './PaymentsPanel';
import '../ltc.css';

type Dialog = 'sign' | 'terminate' | 'amend' | 'payment' | null;

/** The approval of one guarded action (签约审批 or 信用放行) and where it stands. */
function ApprovalBanner({ approval, kind }: { approval: ContractApproval; kind: 'sign' | 'credit' }) {
  const { t, td, locale } = useI18n();
  const step = (locale === 'en-US' ? approval.step_name_en : null) ?? approval.step_name ?? '';
  const state = td(`ltc.approval.status.${approval.status}`, approval.status);
  const type = approval.status === 'approved' ? 'success' : approval.status === 'rejected' ? 'error' : approval.status === 'pending' ? 'info' : 'warning';
  const description =
    approval.status === 'pending'
      ? step && t('ltc.approval.step', { step })
      : approval.status === 'rejected'
        ? approval.comment ?? ''
        : approval.status === 'voided'
          ? t('ltc.contract.voidedHint')
          : approval.status === 'approved' && approval.consumed_at
            ? t('ltc.approval.consumedAt', { at: formatDateTime(approval.consumed_at) })
            : '';
  return (
    <Alert
      type={type}
      showIcon
      style={{ marginBottom: 16 }}
      data-testid={kind === 'sign' ? 'contract-approval' : 'contract-credit-approval'}
      data-status={approval.status}
      message={t(kind === 'sign' ? 'ltc.contract.signApproval' : 'ltc.contract.creditApproval', { status: state })}
      description={description || undefined}
      action={<ApprovalLink id={approval.id} />}
    />
  );
}

function SignModal({ open, contract, onClose, onPending }: { open: boolean; contract: ContractDetail; onClose: () => void; onPending: (e: unknown) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ signing_date: Dayjs }>();
  const { formError, handleError, clearError } = useFormError(form);
  const sign = useSignContract(contract.id);
  const onOk = async () => {
    let v: { signing_date: Dayjs };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await sign.mutateAsync({ signing_date: v.signing_date.format('YYYY-MM-DD'), version: contract.version });
      message.success(t('ltc.contract.signed'));
      onClose();
    } catch (error) {
      // Waiting for approval is not a form problem: the page shows the request to follow.
      if (approvalPendingId(error)) {
        onClose();
        onPending(error);
        return;
      }
      handleError(error);
    }
  };
  return (
    <Modal
      open={open}
      title={t('ltc.contract.signTitle', { number: contract.number })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('ltc.contract.sign')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: sign.isPending, ...tid('contract-sign-confirm') }}
      afterOpenChange={(o) => {
        if (o) {
          clearError();
          form.setFieldsValue({ signing_date: dayjs() });
        }
      }}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="contract-sign">
        <Form.Item name="signing_date" label={t('ltc.contract.signingDate')} rules={[{ required: true, message: t('ltc.contract.signingDateRequired') }]}>
          <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
        </Form.Item>
      </Form>
      <Alert type="info" showIcon message={t('ltc.contract.signHint')} />
    </Modal>
  );
}

function TerminateModal({ open, contract, onClose }: { open: boolean; contract: ContractDetail; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const terminate = useTerminateContract(contract.id);
  const onOk = async () => {
    let v: { reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await terminate.mutateAsync({ reason: v.reason.trim(), version: contract.version });
      message.success(t('ltc.contract.terminated'));
      form.resetFields();
      onClose();
    } catch (error) {
      handleError(error);
    }
  };
  return (
    <Modal
      open={open}
      title={t('ltc.contract.terminateTitle', { number: contract.number })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('ltc.contract.terminate')}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: true, loading: terminate.isPending, ...tid('contract-terminate-confirm') }}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="contract-terminate">
        <Form.Item name="reason" label={t('ltc.contract.terminateReason')} rules={[{ required: true, whitespace: true, message: t('ltc.reasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 合同详情: terms (frozen after signing), status actions, approvals, plan, invoices, payments, amendments. */
export default function ContractDetailPage() {
  const { id = '' } = useParams();
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const contract = useContract(id);
  const transition = useContractTransition(id);
  const [actionError, setActionError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [editing, setEditing] = useState(false);
  const [invoicing, setInvoicing] = useState<Installment | null>(null);
  const [allocating, setAllocating] = useState<Payment | null>(null);
  const [tab, setTab] = useState('plan');

  const back = <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('common.back')} />;

  if (contract.isError) {
    if (isApiError(contract.error) && (contract.error.status === 404 || contract.error.status === 422)) {
      return (
        <PageContainer title={t('ltc.contract.title')} leading={back}>
          <Card data-testid="contract-not-found">
            <Result
              status="404"
              title={t('ltc.contract.notFound')}
              subTitle={t('ltc.notFoundHint')}
              extra={
                <Link to="/contracts">
                  <Button type="primary">{t('ltc.contract.backToList')}</Button>
                </Link>
              }
            />
          </Card>
        </PageContainer>
      );
    }
    return (
      <PageContainer title={t('ltc.contract.title')} leading={back}>
        <QueryError error={contract.error} onRetry={() => void contract.refetch()} />
      </PageContainer>
    );
  }
  if (!contract.data) {
    return (
      <PageContainer title={t('ltc.contract.title')} leading={back}>
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      </PageContainer>
    );
  }

  const c = contract.data;
  const writable = can('contract.write');
  const actions = writable ? contractActions(c.status) : [];
  const frozen = contractFrozen(c.status);
  const billable = contractBillable(c.status);
  const canMoney = can('payment.write') && billable;
  const plan = c.payment_plan;

  const run = async (action: ContractTransition, success: string) => {
    setActionError(null);
    try {
      await transition.mutateAsync({ action, version: c.version });
      message.success(success);
    } catch (error) {
      setActionError(error);
      void contract.refetch();
    }
  };

  const busy = transition.isPending;
  const buttons = (
    <>
      {actions.includes('submit') ? (
        <Button icon={<AuditOutlined />} disabled={busy} loading={busy && transition.variables?.action === 'submit'} onClick={() => void run('submit', t('ltc.contract.submitted'))} data-testid="contract-submit">
          {t('ltc.contract.submit')}
        </Button>
      ) : null}
      {actions.includes('sign') ? (
        <Tooltip title={plan.complete ? undefined : t('ltc.plan.incompleteHint')}>
          <Button type="primary" icon={<EditOutlined />} disabled={busy} onClick={() => setDialog('sign')} data-testid="contract-sign">
            {t('ltc.contract.sign')}
          </Button>
        </Tooltip>
      ) : null}
      {actions.includes('activate') ? (
        <Button type="primary" icon={<PlayCircleOutlined />} disabled={busy} onClick={() => void run('activate', t('ltc.contract.activated'))} data-testid="contract-activate">
          {t('ltc.contract.activate')}
        </Button>
      ) : null}
      {actions.includes('complete') ? (
        <Button icon={<CheckCircleOutlined />} disabled={busy} onClick={() => void run('complete', t('ltc.contract.completed'))} data-testid="contract-complete">
          {t('ltc.contract.complete')}
        </Button>
      ) : null}
      {actions.includes('terminate') ? (
        <Button danger icon={<StopOutlined />} disabled={busy} onClick={() => setDialog('terminate')} data-testid="contract-terminate">
          {t('ltc.contract.terminate')}
        </Button>
      ) : null}
      {can('audit.read') ? (
        <Link to={`/admin/audit?entity_type=contract&entity_id=${c.id}`}>
          <Button icon={<HistoryOutlined />}>{t('ltc.audit')}</Button>
        </Link>
      ) : null}
    </>
  );

  const tabs = [
    {
      key: 'plan',
      label: t('ltc.plan.title'),
      children: (
        <PaymentPlanCard
          contract={c}
          canPlan={actions.includes('plan')}
          canInvoice={canMoney}
          onInvoice={(i) => setInvoicing(i)}
        />
      ),
    },
    ...(can('payment.read')
      ? [
          { key: 'invoices', label: t('ltc.invoice.title'), children: <InvoicesPanel contract={c} canWrite={canMoney} onIssue={() => setInvoicing(plan.installments[0] ?? null)} /> },
          { key: 'payments', label: t('ltc.payment.title'), children: <PaymentsPanel contract={c} canWrite={canMoney} onRecord={() => setDialog('payment')} onAllocate={setAllocating} /> },
        ]
      : []),
    { key: 'amendments', label: `${t('ltc.amend.list')} (${c.amendments.length})`, children: <AmendmentsCard amendments={c.amendments} /> },
  ];

  return (
    <PageContainer
      leading={back}
      documentTitle={c.number}
      title={
        <Space wrap size={8}>
          <span data-testid="contract-number">{c.number}</span>
          <StatusTag kind="contract" status={c.status} testId="contract-status" />
          {frozen ? (
            <Tooltip title={t('ltc.contract.frozenHint')}>
              <LockOutlined style={{ color: '#64748b', fontSize: 18 }} />
            </Tooltip>
          ) : null}
        </Space>
      }
      subtitle={
        <Space size={6} wrap>
          <span>{c.title}</span>
          <span>·</span>
          <Link to={`/accounts/${c.account_id}`}>{c.account_name ?? t('common.none')}</Link>
        </Space>
      }
      extra={buttons}
    >
      <ActionError error={actionError} onClose={() => setActionError(null)} />
      {c.credit_hold ? (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} data-testid="contract-credit-hold" message={t('ltc.contract.creditHold')} description={t('ltc.contract.creditHoldHint')} />
      ) : null}
      {c.credit_override ? <ApprovalBanner approval={c.credit_override} kind="credit" /> : null}
      {c.approval ? <ApprovalBanner approval={c.approval} kind="sign" /> : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Row gutter={[16, 12]}>
          <Col xs={12} md={6}>
            <Statistic title={t('ltc.contract.amountInclTax')} value={formatAmount(c.amount, c.currency, locale)} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('ltc.plan.invoiced')} value={formatAmount(plan.invoiced, plan.currency, locale)} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('ltc.plan.paid')} value={formatAmount(plan.paid, plan.currency, locale)} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('ltc.plan.outstanding')} value={formatAmount(plan.outstanding, plan.currency, locale)} />
          </Col>
        </Row>
      </Card>
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <ContractFieldsCard
          contract={c}
          editing={editing}
          onEditingChange={setEditing}
          canEdit={actions.includes('edit')}
          canAmend={actions.includes('amend')}
          onAmend={() => setDialog('amend')}
          onReload={() => void contract.refetch()}
        />
        <Card size="small" className="ltc-tabs">
          <Tabs activeKey={tab} onChange={setTab} items={tabs} />
        </Card>
      </Space>
      <SignModal open={dialog === 'sign'} contract={c} onClose={() => setDialog(null)} onPending={setActionError} />
      <TerminateModal open={dialog === 'terminate'} contract={c} onClose={() => setDialog(null)} />
      <AmendmentModal open={dialog === 'amend'} contract={c} onClose={() => setDialog(null)} />
      {invoicing ? <InvoiceModal open contract={c} installment={invoicing} onClose={() => setInvoicing(null)} /> : null}
      {dialog === 'payment' ? <PaymentModal open contract={c} onClose={() => setDialog(null)} /> : null}
      {allocating ? <PaymentModal open contract={c} payment={allocating} onClose={() => setAllocating(null)} /> : null}
    </PageContainer>
  );
}
