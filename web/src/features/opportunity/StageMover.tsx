import {
  AuditOutlined,
  CheckSquareOutlined,
  EditOutlined,
  ExclamationCircleOutlined,
  LockOutlined,
  MessageOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, AutoComplete, Button, Flex, Form, Input, List, Modal, Space, Tag, Typography } from 'antd';
import { type ReactNode, useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import type { OpportunityDetail } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import { oppKeys, useTransition } from './hooks';
import { requiredFieldLabel, stageName } from './labels';
import {
  type ChecklistItemLike,
  classifyMove,
  fixSection,
  localName,
  type Move,
  parseRefusal,
  type StageKind,
  type UnmetGate,
} from './stages';

export interface MoverStage {
  id: string;
  code: string;
  name: string;
  name_en?: string | null;
  position: number;
  kind: StageKind;
  checklist?: readonly ChecklistItemLike[];
}

export interface MovableDeal {
  id: string;
  name: string;
  version: number;
  stage: { id: string; code: string };
}

export interface Refusal {
  deal: MovableDeal;
  target: MoverStage;
  message: string;
  gates: UnmetGate[];
}

const GATE_ICONS: Record<string, ReactNode> = {
  required_field: <EditOutlined />,
  checklist: <CheckSquareOutlined />,
  approval: <AuditOutlined />,
  skip_not_allowed: <LockOutlined />,
  reason_required: <MessageOutlined />,
  loss_reason_required: <MessageOutlined />,
  other: <ExclamationCircleOutlined />,
};

/** Link to the part of the detail page that fixes a gate (it scrolls there and opens it). */
export function fixHref(dealId: string, gate: UnmetGate, targetCode: string): string | null {
  const section = fixSection(gate);
  if (!section) return null;
  return `/opportunities/${dealId}?fix=${section}&stage=${encodeURIComponent(targetCode)}`;
}

/** Every unmet gate of a refused move, one row each, with a way to fix it. */
export function RefusalList({ refusal, onFix }: { refusal: Refusal; onFix?: (gate: UnmetGate) => void }) {
  const { t, td, locale } = useI18n();
  const describe = (gate: UnmetGate): { title: string; type: string } => {
    switch (gate.kind) {
      case 'required_field':
        return { type: t('opp.gate.requiredField'), title: requiredFieldLabel(td, gate.subject) };
      case 'checklist': {
        const item = refusal.target.checklist?.find((c) => c.code === gate.subject);
        return { type: t('opp.gate.checklist'), title: item ? localName(item.label, item.label_en, locale) : gate.subject };
      }
      case 'approval':
        return { type: t('opp.gate.approval'), title: t('opp.gate.approvalTitle') };
      case 'skip_not_allowed':
        return { type: t('opp.gate.permission'), title: t('opp.gate.skipNotAllowed') };
      case 'reason_required':
        return { type: t('opp.gate.reason'), title: t('opp.reason') };
      case 'loss_reason_required':
        return { type: t('opp.gate.reason'), title: t('opp.lossReason') };
      default:
        return { type: t('opp.gate.other'), title: gate.field };
    }
  };
  return (
    <List
      data-testid="refusal-gates"
      size="small"
      dataSource={refusal.gates}
      renderItem={(gate) => {
        const d = describe(gate);
        const href = fixHref(refusal.deal.id, gate, refusal.target.code);
        const fixText = gate.kind === 'checklist' ? t('opp.gate.fixChecklist') : gate.subject.startsWith('members') ? t('opp.gate.fixTeam') : t('opp.gate.fixField');
        return (
          <List.Item
            data-testid="refusal-gate"
            data-gate-kind={gate.kind}
            data-gate-field={gate.field}
            actions={
              href
                ? [
                    onFix ? (
                      <Button key="fix" type="link" size="small" onClick={() => onFix(gate)}>
                        {fixText}
                      </Button>
                    ) : (
                      <Link key="fix" to={href} data-testid="refusal-fix">
                        {fixText}
                      </Link>
                    ),
                  ]
                : undefined
            }
          >
            <List.Item.Meta
              avatar={<span className="gate-icon">{GATE_ICONS[gate.kind]}</span>}
              title={
                <Space size={6} wrap>
                  <Tag bordered={false}>{d.type}</Tag>
                  <span>{d.title}</span>
                </Space>
              }
              description={gate.message}
            />
          </List.Item>
        );
      }}
    />
  );
}

const LOSS_REASONS = ['price', 'competitor', 'need_changed', 'budget_cancelled', 'no_decision'] as const;

interface Prompt {
  deal: MovableDeal;
  target: MoverStage;
  from: MoverStage | null;
  move: Move;
}

function ReasonModal({ prompt, onCancel, onSubmit, submitting }: {
  prompt: Prompt | null;
  onCancel: () => void;
  onSubmit: (values: { reason?: string; loss_reason?: string }) => Promise<unknown>;
  submitting: boolean;
}) {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<{ reason?: string; loss_reason?: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const open = prompt !== null;

  const onOk = async () => {
    let values: { reason?: string; loss_reason?: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await onSubmit(values);
    } catch (error) {
      handleError(error);
    }
  };

  const kindText = prompt?.move.needsLossReason
    ? t('opp.move.lose')
    : prompt?.move.isBackward
      ? t('opp.move.back')
      : prompt?.move.isSkip
        ? t('opp.move.skip')
        : '';
  return (
    <Modal
      open={open}
      title={prompt ? t('opp.move.title', { stage: stageName(prompt.target, locale) }) : ''}
      okText={prompt?.move.needsLossReason ? t('opp.closeLost') : t('opp.move.confirm')}
      okButtonProps={{ danger: Boolean(prompt?.move.needsLossReason), id: 'reason-submit' }}
      cancelText={t('common.cancel')}
      onCancel={onCancel}
      onOk={() => void onOk()}
      confirmLoading={submitting}
      destroyOnHidden
      afterOpenChange={(visible) => {
        if (visible) {
          clearError();
          form.resetFields();
        }
      }}
    >
      {prompt ? (
        <>
          <Typography.Paragraph type="secondary">
            {prompt.from ? `${stageName(prompt.from, locale)} → ${stageName(prompt.target, locale)}` : stageName(prompt.target, locale)}
            {kindText ? ` · ${kindText}` : ''}
          </Typography.Paragraph>
          <FormErrorAlert error={formError} />
          <Form form={form} layout="vertical" name="transition-reason" requiredMark="optional">
            {prompt.move.needsLossReason ? (
              <Form.Item name="loss_reason" label={t('opp.lossReason')} rules={[{ required: true, whitespace: true, message: t('opp.lossReasonRequired') }]}>
                <AutoComplete
                  data-testid="loss-reason"
                  options={LOSS_REASONS.map((r) => ({ value: t(`opp.lossReason.${r}`) }))}
                  placeholder={t('opp.lossReasonPlaceholder')}
                  maxLength={500}
                />
              </Form.Item>
            ) : null}
            {prompt.move.needsReason ? (
              <Form.Item name="reason" label={t('opp.reason')} extra={t('opp.reasonHint')} rules={[{ required: true, whitespace: true, message: t('opp.reasonRequired') }]}>
                <Input.TextArea data-testid="move-reason" rows={3} maxLength={500} showCount />
              </Form.Item>
            ) : null}
          </Form>
        </>
      ) : null}
    </Modal>
  );
}

/**
 * Moves deals between stages: asks for a reason when the move needs one, posts the
 * transition, and keeps a refused move's unmet gates for the caller to show.
 */
export function useStageMover(options: { onMoved?: (deal: OpportunityDetail) => void } = {}) {
  const { t, locale } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const transition = useTransition();
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [pending, setPending] = useState<{ dealId: string; stageId: string } | null>(null);
  const { onMoved } = options;

  const post = useCallback(
    async (deal: MovableDeal, target: MoverStage, extra: { reason?: string; loss_reason?: string } = {}) => {
      setPending({ dealId: deal.id, stageId: target.id });
      setRefusal(null);
      try {
        const moved = await transition.mutateAsync({
          id: deal.id,
          body: {
            to_stage: target.code,
            version: deal.version,
            ...(extra.reason?.trim() ? { reason: extra.reason.trim() } : {}),
            ...(extra.loss_reason?.trim() ? { loss_reason: extra.loss_reason.trim() } : {}),
          },
        });
        setPrompt(null);
        message.success(t('opp.move.done', { stage: stageName(target, locale) }));
        onMoved?.(moved);
        return moved;
      } catch (error) {
        if (isApiError(error) && error.code === 'transition_refused') {
          const gates = parseRefusal(error.fields);
          const onlyReasonFields = gates.every((g) => g.field === 'reason' || g.field === 'loss_reason');
          // A reason the modal asked for is an input error there; anything else is a refusal.
          if (prompt && onlyReasonFields) throw error;
          setPrompt(null);
          setRefusal({ deal, target, message: error.message, gates });
          return null;
        }
        setPrompt(null);
        message.error(isApiError(error) ? error.message : String(error));
        // The deal may have changed under us (version conflict, closed meanwhile): reload it.
        void qc.invalidateQueries({ queryKey: oppKeys.all });
        return null;
      } finally {
        setPending(null);
      }
    },
    [transition, message, t, locale, onMoved, prompt, qc],
  );

  /** Starts moving `deal` to the stage `targetCode` of `stages` (its own process version). */
  const request = useCallback(
    (deal: MovableDeal, stages: readonly MoverStage[], targetCode: string) => {
      const from = stages.find((s) => s.code === deal.stage.code) ?? null;
      const target = stages.find((s) => s.code === targetCode);
      const move = classifyMove(stages, deal.stage.code, targetCode);
      if (!target || !move) return;
      // Without the permission a skip is refused anyway: let the server say why, no prompt.
      if (move.needsLossReason || (move.needsReason && can('opportunity.skip_stage'))) {
        setRefusal(null);
        setPrompt({ deal, target, from, move });
        return;
      }
      void post(deal, target);
    },
    [can, post],
  );

  const element = (
    <ReasonModal
      prompt={prompt}
      submitting={transition.isPending}
      onCancel={() => setPrompt(null)}
      onSubmit={(values) => (prompt ? post(prompt.deal, prompt.target, values) : Promise.resolve(null))}
    />
  );

  return { request, element, refusal, clearRefusal: () => setRefusal(null), pending };
}

/** The refusal as a dialog (used by the kanban, where the card has snapped back). */
export function RefusalModal({ refusal, onClose }: { refusal: Refusal | null; onClose: () => void }) {
  const { t, locale } = useI18n();
  return (
    <Modal
      open={refusal !== null}
      onCancel={onClose}
      title={
        refusal ? (
          <Flex gap={8} align="center">
            <ExclamationCircleOutlined style={{ color: '#d97706' }} />
            <span>{t('opp.refusal.title', { stage: stageName(refusal.target, locale) })}</span>
          </Flex>
        ) : null
      }
      footer={
        refusal ? (
          <Space>
            <Button onClick={onClose}>{t('opp.refusal.close')}</Button>
            <Link to={`/opportunities/${refusal.deal.id}?stage=${encodeURIComponent(refusal.target.code)}`}>
              <Button type="primary" data-testid="refusal-open-deal">
                {t('opp.refusal.openDeal')}
              </Button>
            </Link>
          </Space>
        ) : null
      }
      width={560}
    >
      {refusal ? (
        <div data-testid="transition-refusal">
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 8 }}
            message={refusal.message}
            description={t('opp.refusal.hint', { deal: refusal.deal.name, count: refusal.gates.length })}
          />
          <RefusalList refusal={refusal} />
        </div>
      ) : null}
    </Modal>
  );
}

