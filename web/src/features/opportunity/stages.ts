/**
 * Pure helpers for the sales process as the opportunity screens see it: stage order, how a
 * move relates to the path (mirrors the backend's `opportunity/gates.py`), the unmet gates of
 * a refused transition, money and playbook text.
 */
import type { ApiFieldError } from '@/api/errors';

export type StageKind = 'open' | 'won' | 'lost';

export interface StageLike {
  code: string;
  position: number;
  kind: StageKind;
}

export interface ChecklistItemLike {
  code: string;
  label: string;
  label_en?: string | null;
}

/** Stages in path order: position, then code (the server's order). */
export function sortStages<S extends StageLike>(stages: readonly S[]): S[] {
  return [...stages].sort((a, b) => a.position - b.position || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

export interface Move {
  /** Forward past at least one open stage (or to won from before the last open stage). */
  isSkip: boolean;
  /** To an earlier stage, or out of a closed outcome (reopening). */
  isBackward: boolean;
  /** The target's entry gates apply. */
  checksGates: boolean;
  /** Skips and moves back need the `opportunity.skip_stage` permission and a reason. */
  needsReason: boolean;
  /** Closing as lost needs a loss reason. */
  needsLossReason: boolean;
}

/** How a move from `fromCode` to `toCode` relates to the path; null for an unknown or same stage. */
export function classifyMove(stages: readonly StageLike[], fromCode: string, toCode: string): Move | null {
  if (fromCode === toCode) return null;
  const current = stages.find((s) => s.code === fromCode);
  const target = stages.find((s) => s.code === toCode);
  if (!current || !target) return null;
  const openPath = sortStages(stages)
    .filter((s) => s.kind === 'open')
    .map((s) => s.code);
  const make = (isSkip: boolean, isBackward: boolean, checksGates: boolean): Move => ({
    isSkip,
    isBackward,
    checksGates,
    needsReason: isSkip || isBackward,
    needsLossReason: target.kind === 'lost',
  });
  if (current.kind !== 'open') return make(false, true, target.kind === 'won');
  const here = openPath.indexOf(current.code);
  if (target.kind === 'lost') return make(false, false, false);
  if (target.kind === 'won') return make(here !== openPath.length - 1, false, true);
  const there = openPath.indexOf(target.code);
  if (there < here) return make(false, true, false);
  return make(there > here + 1, false, true);
}

/** The stage one step forward: the next open stage, or the won stage after the last one. */
export function nextStage<S extends StageLike>(stages: readonly S[], currentCode: string): S | null {
  const ordered = sortStages(stages);
  const current = ordered.find((s) => s.code === currentCode);
  if (!current || current.kind !== 'open') return null;
  const open = ordered.filter((s) => s.kind === 'open');
  const index = open.findIndex((s) => s.code === currentCode);
  return open[index + 1] ?? ordered.find((s) => s.kind === 'won') ?? null;
}

export type GateKind =
  | 'required_field'
  | 'checklist'
  | 'approval'
  | 'skip_not_allowed'
  | 'reason_required'
  | 'loss_reason_required'
  | 'other';

export interface UnmetGate {
  kind: GateKind;
  /** The API's field: `amount`, `members.SR`, `checklist.budget_confirmed`, `approval`, … */
  field: string;
  /** For `required_field`: the field name; for `checklist`: the item code. */
  subject: string;
  /** The server's (localized) message. */
  message: string;
}

const GATE_CODES: Record<string, GateKind> = {
  gate_required_field: 'required_field',
  gate_checklist: 'checklist',
  gate_approval: 'approval',
  skip_not_allowed: 'skip_not_allowed',
  reason_required: 'reason_required',
  loss_reason_required: 'loss_reason_required',
};

/** Turns the `fields` of a 422 `transition_refused` into one entry per unmet gate. */
export function parseRefusal(fields: readonly ApiFieldError[]): UnmetGate[] {
  return fields.map((f) => {
    const kind = GATE_CODES[f.code] ?? 'other';
    const subject = kind === 'checklist' && f.field.startsWith('checklist.') ? f.field.slice('checklist.'.length) : f.field;
    return { kind, field: f.field, subject, message: f.message };
  });
}

/** Whether the refusal can be fixed by asking for a reason (the user may skip but gave none). */
export function onlyReasonsMissing(gates: readonly UnmetGate[]): boolean {
  return gates.length > 0 && gates.every((g) => g.kind === 'reason_required' || g.kind === 'loss_reason_required');
}

export interface DealFacts {
  amount: string | number | null | undefined;
  expected_close_date?: string | null;
  forecast_category?: string | null;
  source?: string | null;
  competitors?: readonly string[] | null;
  members?: readonly { role: string }[];
  /** Whether the deal's account has a contact; `null` when unknown. */
  hasContact?: boolean | null;
}

/** Whether one required field of a stage is met by the deal, as the server checks it; null if unknown. */
export function requiredFieldMet(field: string, deal: DealFacts): boolean | null {
  switch (field) {
    case 'amount':
      return Number(deal.amount ?? 0) > 0;
    case 'expected_close_date':
      return Boolean(deal.expected_close_date);
    case 'forecast_category':
      return Boolean(deal.forecast_category);
    case 'source':
      return Boolean(deal.source?.trim());
    case 'competitors':
      return (deal.competitors?.length ?? 0) > 0;
    case 'contact':
      return deal.hasContact ?? null;
    case 'members':
      return (deal.members?.length ?? 0) > 0;
    case 'members.AR':
    case 'members.SR':
    case 'members.FR':
      return (deal.members ?? []).some((m) => m.role === field.slice('members.'.length));
    default:
      return null;
  }
}

/** Where on the detail page a gate is fixed. */
export function fixSection(gate: Pick<UnmetGate, 'kind' | 'subject'>): 'fields' | 'team' | 'checklist' | 'contacts' | null {
  if (gate.kind === 'checklist') return 'checklist';
  if (gate.kind !== 'required_field') return null;
  if (gate.subject.startsWith('members')) return 'team';
  if (gate.subject === 'contact') return 'contacts';
  return 'fields';
}

/**
 * Playbooks are written Chinese first, then `---`, then English. Returns the part for the
 * UI language (the whole text when it has no separator).
 */
export function playbookFor(text: string | null | undefined, locale: string): string {
  if (!text) return '';
  const parts = text.split(/\r?\n-{3,}\r?\n/);
  if (parts.length < 2) return text.trim();
  return (locale === 'en-US' ? parts[1] : parts[0])?.trim() ?? '';
}

/** A stage's or checklist item's name in the UI language. */
export function localName(zh: string, en: string | null | undefined, locale: string): string {
  return locale === 'en-US' && en ? en : zh;
}

/** `97000.00` + `CNY` → `¥97,000.00`; compact → `¥9.7万` / `CN¥97K`. */
export function formatMoney(amount: string | number | null | undefined, currency: string, locale: string, compact = false): string {
  const value = Number(amount ?? 0);
  if (!Number.isFinite(value)) return `${currency} ${String(amount)}`;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      ...(compact ? { notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 } : { maximumFractionDigits: 2, minimumFractionDigits: value % 1 === 0 ? 0 : 2 }),
    }).format(value);
  } catch {
    return `${currency} ${value.toLocaleString(locale)}`;
  }
}
