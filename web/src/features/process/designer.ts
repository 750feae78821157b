/** Pure helpers of the process designer: stage form values ⇄ API bodies, and error placement. */
import type { ApiFieldError } from '@/api/errors';
import type { ProcessStage, ProcessStageIn, RequiredField } from '@/api/types';

export interface ChecklistForm {
  code?: string;
  label?: string;
  label_en?: string;
}

/** One stage as the designer's form holds it (order is the list order). */
export interface StageForm {
  code?: string;
  name?: string;
  name_en?: string;
  probability?: number | null;
  kind?: 'open' | 'won' | 'lost';
  max_days?: number | null;
  playbook?: string;
  required_fields?: RequiredField[];
  checklist?: ChecklistForm[];
  requires_approval?: boolean;
  locked?: boolean;
}

export function toStageForm(stage: ProcessStage): StageForm {
  return {
    code: stage.code,
    name: stage.name,
    name_en: stage.name_en ?? '',
    probability: stage.probability,
    kind: stage.kind,
    max_days: stage.max_days ?? null,
    playbook: stage.playbook ?? '',
    required_fields: stage.required_fields as RequiredField[],
    checklist: stage.checklist.map((c) => ({ code: c.code, label: c.label, label_en: c.label_en ?? '' })),
    requires_approval: stage.requires_approval,
    locked: stage.locked,
  };
}

const text = (v: string | undefined | null): string => (v ?? '').trim();
const orNull = (v: string | undefined | null): string | null => text(v) || null;

/** The API body of one stage; its position is its place in the list (1-based). */
export function toStageIn(form: StageForm, index: number): ProcessStageIn {
  return {
    code: text(form.code),
    name: text(form.name),
    name_en: orNull(form.name_en),
    position: index + 1,
    probability: form.probability ?? 0,
    kind: form.kind ?? 'open',
    max_days: form.max_days ?? null,
    playbook: orNull(form.playbook),
    required_fields: [...new Set(form.required_fields ?? [])],
    checklist: (form.checklist ?? []).map((c) => ({ code: text(c.code), label: text(c.label), label_en: orNull(c.label_en) })),
    requires_approval: Boolean(form.requires_approval),
    locked: Boolean(form.locked),
  };
}

/** A blank open stage with a code not yet used. */
export function newStage(existing: readonly StageForm[]): StageForm {
  const used = new Set(existing.map((s) => s.code));
  let n = existing.length + 1;
  while (used.has(`stage_${n}`)) n += 1;
  const lastOpen = [...existing].reverse().find((s) => (s.kind ?? 'open') === 'open');
  return {
    code: `stage_${n}`,
    name: '',
    name_en: '',
    probability: Math.min(95, (lastOpen?.probability ?? 0) + 10),
    kind: 'open',
    max_days: 30,
    playbook: '',
    required_fields: [],
    checklist: [],
    requires_approval: false,
    locked: false,
  };
}

/** `list` with the item at `from` moved to `to` (a new array; out-of-range moves change nothing). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** The stage indices the errors point at (`stages.3.probability` → 3), to open those panels. */
export function stageIndicesWithErrors(fields: readonly ApiFieldError[]): number[] {
  const out = new Set<number>();
  for (const f of fields) {
    const m = /^stages\.(\d+)(\.|$)/.exec(f.field);
    if (m) out.add(Number(m[1]));
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Whether an error belongs under an input of the stage form: `stages.<i>.<attr>` and deeper
 * (`stages.<i>.checklist.<j>.code`). `stages` alone, or `stages.<i>`, goes above the form.
 */
export function isStageInputError(field: string): boolean {
  return /^stages\.\d+\.[a-z_]+/.test(field);
}
