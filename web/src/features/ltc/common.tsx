/** Small pieces shared by the lead-to-cash screens: status tags, money, refusals with links. */
import { Alert, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { detailsOf } from '@/features/account/errorDetails';
import { useI18n } from '@/i18n';
import { formatAmount } from './format';
import { statusColor } from './status';

export type StatusKind = 'quote' | 'contract' | 'approval' | 'invoice' | 'payment' | 'hold';

export function StatusTag({ kind, status, testId }: { kind: StatusKind; status: string; testId?: string }) {
  const { td } = useI18n();
  return (
    <Tag color={statusColor(status)} data-testid={testId} data-status={status}>
      {td(`ltc.${kind}.status.${status}`, status)}
    </Tag>
  );
}

/** Money from the API (a decimal string), exact to the cent, never wrapped. */
export function Money({ amount, currency, strong, type }: { amount: string | number | null | undefined; currency: string; strong?: boolean; type?: 'danger' | 'secondary' | 'success' | 'warning' }) {
  const { locale } = useI18n();
  return (
    <Typography.Text strong={strong} type={type} style={{ whiteSpace: 'nowrap' }}>
      {formatAmount(amount, currency, locale)}
    </Typography.Text>
  );
}

/** The approval request a 409 `approval_pending` names, or null for any other error. */
export function approvalPendingId(error: unknown): string | null {
  if (!isApiError(error) || error.code !== 'approval_pending') return null;
  const id = detailsOf(error).approval_request_id;
  return typeof id === 'string' && id ? id : null;
}

export function ApprovalLink({ id, children }: { id: string; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Link to={`/approvals/${id}`} data-testid="approval-link">
      {children ?? t('ltc.approval.open')}
    </Link>
  );
}

/**
 * A refused action above the page: the server's message, its field errors, and for a 409
 * `approval_pending` the request to follow (the action is possible once it is approved).
 */
export function ActionError({ error, onClose, testId = 'ltc-action-error' }: { error: unknown; onClose?: () => void; testId?: string }) {
  const { t } = useI18n();
  if (!error) return null;
  const pending = approvalPendingId(error);
  const api = isApiError(error) ? error : null;
  const message = api ? api.message : error instanceof Error ? error.message : String(error);
  const details = api?.fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)) ?? [];
  return (
    <Alert
      role="alert"
      type={pending ? 'warning' : 'error'}
      showIcon
      closable={Boolean(onClose)}
      onClose={onClose}
      style={{ marginBottom: 16 }}
      data-testid={testId}
      data-code={api?.code}
      message={message}
      description={
        pending || details.length ? (
          <>
            {details.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            ) : null}
            {pending ? (
              <span>
                {t('ltc.approval.pendingHint')} <ApprovalLink id={pending}>{t('ltc.approval.openRequest', { id: pending.slice(0, 8) })}</ApprovalLink>
              </span>
            ) : null}
          </>
        ) : undefined
      }
    />
  );
}

/** A small inline link button to a record page. */
export function RecordLink({ to, children, testId }: { to: string; children: ReactNode; testId?: string }) {
  return (
    <Link to={to} data-testid={testId} onClick={(e) => e.stopPropagation()}>
      {children}
    </Link>
  );
}

/** `data-testid` for props objects typed without it (modal buttons, table rows). */
export const tid = (id: string): Record<string, string> => ({ 'data-testid': id });
