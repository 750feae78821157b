/**
 * Lead-to-cash states as the screens see them: tag colours, and which actions a record's
 * state offers (mirroring the server's state machines; the server still decides, and a
 * refusal is shown as it comes).
 */

export const QUOTE_STATUSES = [
  'draft',
  'pending_approval',
  'approved',
  'rejected',
  'sent',
  'accepted',
  'declined',
  'superseded',
  'expired',
] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

export const CONTRACT_STATUSES = ['draft', 'pending_approval', 'approved', 'signed', 'active', 'completed', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'voided'] as const;

const COLORS: Record<string, string> = {
  draft: 'default',
  pending_approval: 'processing',
  pending: 'processing',
  approved: 'green',
  rejected: 'red',
  sent: 'blue',
  accepted: 'success',
  declined: 'volcano',
  superseded: 'default',
  expired: 'orange',
  signed: 'cyan',
  active: 'geekblue',
  completed: 'success',
  terminated: 'default',
  withdrawn: 'default',
  voided: 'default',
  issued: 'blue',
  void: 'default',
  recorded: 'green',
  reversed: 'default',
  released: 'default',
};

export const statusColor = (status: string): string => COLORS[status] ?? 'default';

export type QuoteAction = 'edit' | 'submit' | 'send' | 'accept' | 'decline' | 'revise' | 'contract';

/** What a quote revision offers in its state (`is_current` false: nothing, it was superseded). */
export function quoteActions(status: string, isCurrent: boolean): QuoteAction[] {
  if (!isCurrent || status === 'superseded') return [];
  switch (status) {
    case 'draft':
      return ['edit', 'submit'];
    case 'pending_approval':
      // Still editable: a priced change voids the request and the quote goes back to draft.
      return ['edit', 'revise'];
    case 'approved':
      return ['edit', 'send', 'revise'];
    case 'sent':
      return ['accept', 'decline', 'revise'];
    case 'accepted':
      return ['contract', 'revise'];
    case 'rejected':
    case 'declined':
    case 'expired':
      return ['revise'];
    default:
      return [];
  }
}

/** Lines and header can be changed (the server answers 409 quote_locked otherwise). */
export const quoteEditable = (status: string, isCurrent: boolean): boolean => quoteActions(status, isCurrent).includes('edit');

export type ContractAction = 'edit' | 'submit' | 'sign' | 'activate' | 'complete' | 'terminate' | 'amend' | 'plan';

export function contractActions(status: string): ContractAction[] {
  switch (status) {
    case 'draft':
      return ['edit', 'plan', 'submit', 'sign', 'terminate'];
    case 'pending_approval':
      // Signing asks again: the server answers 409 approval_pending with the request.
      return ['edit', 'plan', 'sign', 'terminate'];
    case 'approved':
      return ['edit', 'plan', 'sign', 'terminate'];
    case 'signed':
      return ['activate', 'amend', 'plan', 'terminate'];
    case 'active':
      return ['complete', 'amend', 'plan', 'terminate'];
    default:
      return [];
  }
}

/** After signing, commercial fields change only through an amendment (变更). */
export const contractFrozen = (status: string): boolean => ['signed', 'active', 'completed', 'terminated'].includes(status);

/** Invoices and payments are recorded against signed, active (or completed) contracts. */
export const contractBillable = (status: string): boolean => ['signed', 'active', 'completed'].includes(status);
