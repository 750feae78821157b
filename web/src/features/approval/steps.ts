/**
 * Approval steps on the client: the editor's form values, the JSON the server stores, a
 * readable line per approver rule, and where the server's `steps[0].approvers[1].levels`
 * errors go in the form.
 */
import { splitPath } from './rules';

export const RESOLUTION_TYPES = ['user', 'line_manager', 'role', 'authority'] as const;
export type ResolutionType = (typeof RESOLUTION_TYPES)[number];
export const STEP_MODES = ['any', 'all'] as const;
export const ROLE_LEVELS = ['subsidiary', 'group'] as const;

/** Which fact each authority limit covers (mirrors the backend's `LIMIT_FACTS`). */
export const LIMIT_FACTS: Record<string, string> = {
  discount_pct: 'discount_pct',
  amount_base: 'amount_base',
  payment_days: 'payment_days',
  credit_override_base: 'amount_base',
};

/** One approver rule as the form holds it (every type's inputs; only the chosen type's are sent). */
export interface ResolutionForm {
  type?: ResolutionType | null;
  user_id?: string | null;
  levels?: number | null;
  role?: string | null;
  at?: string | null;
  ladder?: string[] | null;
  limits?: string[] | null;
}

export interface StepForm {
  name?: string | null;
  name_en?: string | null;
  mode?: string | null;
  approvers?: ResolutionForm[] | null;
}

type Obj = Record<string, unknown>;
const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stored steps → form values (unknown members are dropped; the raw view shows them). */
export function toStepForms(raw: unknown): StepForm[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((s) => ({
    name: typeof s.name === 'string' ? s.name : '',
    name_en: typeof s.name_en === 'string' ? s.name_en : '',
    mode: typeof s.mode === 'string' ? s.mode : 'any',
    approvers: Array.isArray(s.approvers)
      ? s.approvers.filter(isRecord).map((r) => ({
          type: (typeof r.type === 'string' ? r.type : null) as ResolutionType | null,
          user_id: typeof r.user_id === 'string' ? r.user_id : null,
          levels: typeof r.levels === 'number' ? r.levels : null,
          role: typeof r.role === 'string' ? r.role : null,
          at: typeof r.at === 'string' ? r.at : null,
          ladder: Array.isArray(r.ladder) ? r.ladder.filter((x): x is string => typeof x === 'string') : [],
          limits: Array.isArray(r.limits) ? r.limits.filter((x): x is string => typeof x === 'string') : [],
        }))
      : [],
  }));
}

const present = (v: unknown) => v !== null && v !== undefined && v !== '';

/** One approver rule as stored: only the members its type uses; empty ones left out (the server says what is missing). */
export function cleanResolution(r: ResolutionForm): Obj {
  const out: Obj = { type: r.type ?? null };
  switch (r.type) {
    case 'user':
      if (present(r.user_id)) out.user_id = r.user_id;
      break;
    case 'line_manager':
      if (present(r.levels)) out.levels = r.levels;
      break;
    case 'role':
      if (present(r.role)) out.role = r.role;
      if (present(r.at)) out.at = r.at;
      break;
    case 'authority':
      out.ladder = r.ladder ?? [];
      out.limits = r.limits ?? [];
      break;
    default:
      break;
  }
  return out;
}

/** Form values → the steps JSON the server validates and stores. */
export function toStepsJson(steps: readonly StepForm[] | null | undefined): Obj[] {
  return (steps ?? []).map((s) => {
    const out: Obj = { name: (s.name ?? '').trim(), mode: s.mode ?? 'any', approvers: (s.approvers ?? []).map(cleanResolution) };
    const en = (s.name_en ?? '').trim();
    if (en) out.name_en = en;
    return out;
  });
}

export function newStep(index: number, words: { name: (n: number) => string }): StepForm {
  return { name: words.name(index + 1), name_en: '', mode: 'any', approvers: [{ type: 'line_manager', levels: 1, ladder: [], limits: [] }] };
}

export interface StepWords {
  user: (name: string) => string;
  lineManager: (levels: number) => string;
  role: (role: string, at: string) => string;
  authority: (ladder: string, limits: string) => string;
  atLabel: (at: string) => string;
  listSeparator: string;
}

/** One approver rule as a line: `授权阶梯 销售经理 → 销售总监（按 折扣上限(%)、金额上限）`. */
export function describeResolution(
  raw: unknown,
  words: StepWords,
  labels: { user: (id: string) => string; role: (code: string) => string; limit: (name: string) => string },
): string {
  if (!isRecord(raw)) return JSON.stringify(raw);
  switch (raw.type) {
    case 'user':
      return words.user(labels.user(String(raw.user_id ?? '')));
    case 'line_manager':
      return words.lineManager(Number(raw.levels ?? 1));
    case 'role':
      return words.role(labels.role(String(raw.role ?? '')), words.atLabel(String(raw.at ?? '')));
    case 'authority': {
      const ladder = Array.isArray(raw.ladder) ? raw.ladder.map((r) => labels.role(String(r))).join(' → ') : '';
      const limits = Array.isArray(raw.limits) ? raw.limits.map((l) => labels.limit(String(l))).join(words.listSeparator) : '';
      return words.authority(ladder, limits);
    }
    default:
      return JSON.stringify(raw);
  }
}

const STEP_KEYS = new Set(['name', 'name_en', 'mode', 'approvers']);
const RESOLUTION_KEYS = new Set(['type', 'user_id', 'levels', 'role', 'at', 'ladder', 'limits']);

export type NamePath = (string | number)[];

/**
 * Where a `steps…` error goes in the form: the input's name path (`ladder[2]` → the ladder
 * select), the list itself for `steps` / `steps[0].approvers` (counts), or null when no input
 * matches (shown above the form with the path spelled out).
 */
export function stepErrorTarget(field: string, steps: readonly StepForm[] | null | undefined): NamePath | null {
  const p = splitPath(field);
  if (p[0] !== 'steps') return null;
  if (p.length === 1) return ['steps'];
  const i = p[1];
  if (typeof i !== 'number' || !steps || i >= steps.length) return null;
  if (p.length === 2) return null;
  const key = p[2];
  if (typeof key !== 'string' || !STEP_KEYS.has(key)) return null;
  if (key !== 'approvers' || p.length === 3) return ['steps', i, key];
  const j = p[3];
  const approvers = steps[i]?.approvers ?? [];
  if (typeof j !== 'number' || j >= approvers.length) return null;
  if (p.length === 4) return ['steps', i, 'approvers', j, 'type'];
  const leaf = p[4];
  if (typeof leaf !== 'string' || !RESOLUTION_KEYS.has(leaf)) return null;
  return ['steps', i, 'approvers', j, leaf];
}
