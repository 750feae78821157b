import { Alert } from 'antd';
import { useI18n } from '@/i18n';
import { ApprovalLink } from '../common';
import { formatDateTime, listSep } from '../format';
import type { QuoteApproval } from '../types';

/** Where the quote's approval stands, with the request to open. */
export function QuoteApprovalBanner({ approval, status }: { approval: QuoteApproval; status: string }) {
  const { t, td, locale } = useI18n();
  const step = (locale === 'en-US' ? approval.step_name_en : null) ?? approval.step_name ?? '';
  const approvers = approval.pending_approvers.map((a) => a.display_name ?? '').filter(Boolean).join(listSep(locale));
  const state = td(`ltc.approval.status.${approval.status}`, approval.status);
  let type: 'info' | 'success' | 'warning' | 'error' = 'info';
  let message = t('ltc.approval.banner', { status: state });
  let description: string | null = null;
  switch (approval.status) {
    case 'pending':
      description = [step && t('ltc.approval.step', { step }), approvers && t('ltc.approval.waitingFor', { names: approvers })].filter(Boolean).join(' · ');
      break;
    case 'approved':
      type = 'success';
      description = t('ltc.approval.approvedAt', { at: formatDateTime(approval.decided_at) });
      break;
    case 'rejected':
      type = 'error';
      description = t('ltc.quote.rejectedHint');
      break;
    case 'voided':
      // The quote was changed after submission: the request no longer describes it.
      type = 'warning';
      message = t('ltc.approval.voided');
      description = [approval.void_reason, status === 'draft' ? t('ltc.quote.voidedHint') : null].filter(Boolean).join(' · ');
      break;
    default:
      description = null;
  }
  return (
    <Alert
      type={type}
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="quote-approval"
      data-status={approval.status}
      message={message}
      description={description || undefined}
      action={<ApprovalLink id={approval.id} />}
    />
  );
}
