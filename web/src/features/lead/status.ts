/** Lead statuses and the moves the API allows (mirrors `flotilla.lead.service.TRANSITIONS`). */
import type { LeadStatus } from '@/api/types';

/** The statuses a user may set by hand (`converted` comes only from a conversion). */
export type SettableLeadStatus = Exclude<LeadStatus, 'converted'>;

export const LEAD_STATUSES: readonly LeadStatus[] = ['new', 'working', 'qualified', 'converted', 'disqualified'];
export const OPEN_LEAD_STATUSES: readonly LeadStatus[] = ['new', 'working', 'qualified'];

const TRANSITIONS: Record<LeadStatus, readonly SettableLeadStatus[]> = {
  new: ['working', 'disqualified'],
  working: ['qualified', 'disqualified'],
  qualified: ['working', 'disqualified'],
  disqualified: ['working'],
  converted: [],
};

export function nextStatuses(status: LeadStatus): readonly SettableLeadStatus[] {
  return TRANSITIONS[status] ?? [];
}

export function isOpenLead(status: LeadStatus): boolean {
  return OPEN_LEAD_STATUSES.includes(status);
}

/** The one step forward a rep usually takes next (the primary button), if any. */
export function forwardStatus(status: LeadStatus): SettableLeadStatus | null {
  if (status === 'new') return 'working';
  if (status === 'working') return 'qualified';
  if (status === 'disqualified') return 'working';
  return null;
}

export const LEAD_STATUS_COLORS: Record<LeadStatus, string> = {
  new: 'blue',
  working: 'processing',
  qualified: 'green',
  converted: 'purple',
  disqualified: 'default',
};
