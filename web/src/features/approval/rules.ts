/**
 * The approval rule language on the client: a structured model for the condition builder,
 * conversions to and from the stored JSON, a readable rendering, and where the server's
 * field errors (`condition.any[1].field`) belong in the builder.
 *
 * JSON grammar (see the backend's approval_policy/rules.py): `{"always": true}`,
 * `{"all": [..]}`, `{"any": [..]}`, `{"not": c}`, `{"field", "op", "value"}` where the value is
 * a literal, a list (in/not_in), `{"field": name}` or `{"authority": {"role", "limit"}}`.
 */

export type FactType = 'number' | 'integer' | 'money' | 'string' | 'bool';
export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'] as const;
export type Operator = (typeof OPERATORS)[number];
const LIST_OPS: readonly string[] = ['in', 'not_in'];

export const NUMERIC_TYPES: readonly FactType[] = ['number', 'integer', 'money'];

/** The operators a fact of `type` allows (mirrors the server's checks). */
export function operatorsFor(type: FactType | undefined): Operator[] {
  if (type === 'bool') return ['eq', 'ne'];
  if (type === 'string') return ['eq', 'ne', 'in', 'not_in'];
  return [...OPERATORS];
}

/** Money only with money; number and integer with each other; otherwise the same type. */
export function compatibleTypes(a: FactType, b: FactType): boolean {
  if (a === b) return true;
  const pair = new Set([a, b]);
  return pair.size === 2 && pair.has('number') && pair.has('integer');
}

export const isListOperator = (op: string): boolean => LIST_OPS.includes(op);

// --------------------------------------------------------------------------- the model

export type Operand =
  | { kind: 'literal'; value: string }
  | { kind: 'list'; values: string[] }
  | { kind: 'field'; field: string }
  | { kind: 'authority'; role: string; limit: string };

export type CondNode =
  | { type: 'always' }
  | { type: 'group'; op: 'all' | 'any'; children: CondNode[] }
  | { type: 'not'; child: CondNode }
  | { type: 'compare'; field: string; op: string; operand: Operand };

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const keysOf = (v: Record<string, unknown>) => Object.keys(v).sort().join(',');

function literalText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return null;
}

/**
 * The builder model of a stored rule, or null when the rule is not something the builder can
 * show (then the editor stays on the raw JSON view). Parsing is structural only; the server
 * decides what is valid.
 */
export function parseCondition(raw: unknown, depth = 0): CondNode | null {
  if (depth > 16 || !isRecord(raw)) return null;
  const keys = keysOf(raw);
  if (keys === 'always') return raw.always === true ? { type: 'always' } : null;
  if (keys === 'all' || keys === 'any') {
    const list = raw[keys];
    if (!Array.isArray(list)) return null;
    const children = list.map((c) => parseCondition(c, depth + 1));
    if (children.some((c) => c === null)) return null;
    return { type: 'group', op: keys, children: children as CondNode[] };
  }
  if (keys === 'not') {
    const child = parseCondition(raw.not, depth + 1);
    return child ? { type: 'not', child } : null;
  }
  if (keys === 'field,op,value' || keys === 'field,op') {
    if (typeof raw.field !== 'string' || typeof raw.op !== 'string') return null;
    const operand = parseOperand(raw.value, raw.op, 'value' in raw);
    return operand ? { type: 'compare', field: raw.field, op: raw.op, operand } : null;
  }
  return null;
}

function parseOperand(value: unknown, op: string, present: boolean): Operand | null {
  if (!present || value === null) return isListOperator(op) ? { kind: 'list', values: [] } : { kind: 'literal', value: '' };
  if (Array.isArray(value)) {
    const values = value.map(literalText);
    return values.some((v) => v === null) ? null : { kind: 'list', values: values as string[] };
  }
  if (isRecord(value)) {
    const keys = keysOf(value);
    if (keys === 'field' && typeof value.field === 'string') return { kind: 'field', field: value.field };
    if (keys === 'authority' && isRecord(value.authority)) {
      const a = value.authority;
      if (keysOf(a) === 'limit,role' && typeof a.role === 'string' && typeof a.limit === 'string') {
        return { kind: 'authority', role: a.role, limit: a.limit };
      }
    }
    return null;
  }
  const text = literalText(value);
  return text === null ? null : { kind: 'literal', value: text };
}

function literalJson(text: string, type: FactType | undefined): Json {
  if (type === 'bool') return text === 'true' ? true : text === 'false' ? false : text;
  // Numbers travel as decimal strings: exact, and what the server parses into Decimal.
  return NUMERIC_TYPES.includes(type as FactType) ? text.trim() : text;
}

/**
 * The JSON the server stores. An empty value is left out (the server answers “required” on
 * that very node), so mistakes are reported where they are made.
 */
export function toConditionJson(node: CondNode, typeOf: (field: string) => FactType | undefined): Json {
  switch (node.type) {
    case 'always':
      return { always: true };
    case 'group':
      return { [node.op]: node.children.map((c) => toConditionJson(c, typeOf)) };
    case 'not':
      return { not: toConditionJson(node.child, typeOf) };
    case 'compare': {
      const type = typeOf(node.field);
      const base: { [key: string]: Json } = { field: node.field, op: node.op };
      const o = node.operand;
      if (o.kind === 'literal') {
        if (o.value.trim() === '') return base;
        return { ...base, value: literalJson(o.value, type) };
      }
      if (o.kind === 'list') return { ...base, value: o.values.map((v) => literalJson(v, type)) };
      if (o.kind === 'field') return { ...base, value: { field: o.field } };
      return { ...base, value: { authority: { role: o.role, limit: o.limit } } };
    }
  }
}

/** A fresh comparison on `field`, with an operand fitting its type. */
export function newComparison(field: string, type: FactType | undefined): CondNode {
  const op = type === 'bool' || type === 'string' ? 'eq' : 'gt';
  return { type: 'compare', field, op, operand: { kind: 'literal', value: type === 'bool' ? 'true' : '' } };
}

/** The operand after the operator changed: lists for in/not_in, a single value otherwise. */
export function operandForOperator(operand: Operand, op: string): Operand {
  if (isListOperator(op)) {
    if (operand.kind === 'list') return operand;
    if (operand.kind === 'literal' && operand.value.trim()) return { kind: 'list', values: [operand.value] };
    return { kind: 'list', values: [] };
  }
  if (operand.kind === 'list') return { kind: 'literal', value: operand.values[0] ?? '' };
  return operand;
}

// --------------------------------------------------------------------------- paths and errors

/** The path the server uses for a node: the root is `condition`, children `condition.any[1]`. */
export const childPath = (parent: string, node: CondNode, index: number): string =>
  node.type === 'group' ? `${parent}.${node.op}[${index}]` : `${parent}.not`;

export interface PathError {
  field: string;
  message: string;
}

/**
 * Which node each condition error belongs to: errors are keyed by the node's path; errors on
 * a comparison's `field`/`op`/`value` parts go to the comparison (with the part name), a
 * group's empty list to the group. Errors naming no node of the tree are returned apart.
 */
export function assignConditionErrors(
  root: CondNode | null,
  errors: readonly PathError[],
): { byNode: Map<string, { part: string | null; message: string }[]>; unmatched: PathError[] } {
  const nodes = new Map<string, CondNode>();
  const walk = (node: CondNode, path: string) => {
    nodes.set(path, node);
    if (node.type === 'group') node.children.forEach((c, i) => walk(c, `${path}.${node.op}[${i}]`));
    if (node.type === 'not') walk(node.child, `${path}.not`);
  };
  if (root) walk(root, 'condition');
  const byNode = new Map<string, { part: string | null; message: string }[]>();
  const unmatched: PathError[] = [];
  const add = (path: string, part: string | null, message: string) => {
    const list = byNode.get(path) ?? [];
    if (!list.some((e) => e.part === part && e.message === message)) list.push({ part, message });
    byNode.set(path, list);
  };
  for (const e of errors) {
    if (nodes.has(e.field)) {
      add(e.field, null, e.message);
      continue;
    }
    // Longest node path that prefixes the error path.
    let best: string | null = null;
    for (const path of nodes.keys()) {
      if (e.field.startsWith(`${path}.`) && (best === null || path.length > best.length)) best = path;
    }
    if (best === null) {
      unmatched.push(e);
      continue;
    }
    const rest = e.field.slice(best.length + 1);
    if (/^(all|any)\[\d+\]|^not\./.test(rest)) {
      // A child the tree no longer has (edited since): shown apart, with its path.
      unmatched.push(e);
      continue;
    }
    const part = /^(field|op|value|always|all|any|not)\b/.exec(rest)?.[1] ?? null;
    add(best, part, e.message);
  }
  return { byNode, unmatched };
}

/** Splits `steps[0].approvers[1].levels` into `['steps', 0, 'approvers', 1, 'levels']`. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const piece of path.split('.')) {
    const re = /([^[\]]+)|\[(\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(piece)) !== null) {
      if (m[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
      else out.push(Number(m[2]));
    }
  }
  return out;
}

/** Words used to describe paths and rules, in the UI language. */
export interface RuleWords {
  always: string;
  and: string;
  or: string;
  not: string;
  /** “{role} 授权上限 {limit}” */
  authority: (role: string, limit: string) => string;
  op: (op: string) => string;
  yes: string;
  no: string;
  empty: string;
}

export interface RuleVocabulary {
  words: RuleWords;
  fieldLabel: (field: string) => string;
  fieldType: (field: string) => FactType | undefined;
  limitLabel: (limit: string) => string;
  roleLabel: (role: string) => string;
  /** A choice's label (`strategic` → 战略客户); the value itself when unknown. */
  choiceLabel: (field: string, value: string) => string;
}

function describeLiteral(v: unknown, field: string, vocab: RuleVocabulary): string {
  if (typeof v === 'boolean') return v ? vocab.words.yes : vocab.words.no;
  if (v === null || v === undefined || v === '') return vocab.words.empty;
  const type = vocab.fieldType(field);
  if (type === 'string') return vocab.choiceLabel(field, String(v));
  if (type === 'bool' && (v === 'true' || v === 'false')) return v === 'true' ? vocab.words.yes : vocab.words.no;
  return String(v);
}

/**
 * A rule as one readable line: `整单折扣(%) > 销售代表 授权上限 折扣上限(%) 或 低于底价 = 是`.
 * Unknown shapes are shown as compact JSON rather than hidden.
 */
export function describeCondition(raw: unknown, vocab: RuleVocabulary, nested = false): string {
  const w = vocab.words;
  if (!isRecord(raw)) return JSON.stringify(raw);
  if (raw.always === true) return w.always;
  for (const key of ['all', 'any'] as const) {
    const list = raw[key];
    if (Array.isArray(list)) {
      const parts = list.map((c) => describeCondition(c, vocab, true));
      const text = parts.join(key === 'all' ? ` ${w.and} ` : ` ${w.or} `);
      return nested && parts.length > 1 ? `(${text})` : text;
    }
  }
  if ('not' in raw) return `${w.not} ${describeCondition(raw.not, vocab, true)}`;
  if (typeof raw.field === 'string' && typeof raw.op === 'string') {
    const field = raw.field;
    const left = vocab.fieldLabel(field);
    const v = raw.value;
    let right: string;
    if (Array.isArray(v)) right = `{${v.map((x) => describeLiteral(x, field, vocab)).join(', ')}}`;
    else if (isRecord(v) && typeof v.field === 'string') right = vocab.fieldLabel(v.field);
    else if (isRecord(v) && isRecord(v.authority)) {
      right = w.authority(vocab.roleLabel(String(v.authority.role)), vocab.limitLabel(String(v.authority.limit)));
    } else right = describeLiteral(v, field, vocab);
    return `${left} ${w.op(raw.op)} ${right}`;
  }
  return JSON.stringify(raw);
}

/** Names for the segments of an error path, in the UI language. */
export interface PathWords {
  segment: (name: string) => string | null;
  item: (n: number) => string;
  step: (n: number) => string;
}

/** `steps[1].approvers[0].levels` → “审批步骤 › 第 2 步 › 审批人 › 第 1 项 › 向上层数”. */
export function pathText(path: string, words: PathWords): string {
  const parts = splitPath(path);
  const out: string[] = [];
  parts.forEach((p, i) => {
    if (typeof p === 'number') {
      out.push(parts[i - 1] === 'steps' ? words.step(p + 1) : words.item(p + 1));
      return;
    }
    out.push(words.segment(p) ?? p);
  });
  return out.join(' › ');
}
