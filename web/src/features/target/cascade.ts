/**
 * The cascade view and the split dialog's arithmetic: which target belongs to which child,
 * sums and differences in exact cents (BigInt), and the equal split the server will make
 * (the remainder's cents go to the first children, so the parts add up to the whole).
 */
import { toCents } from '@/features/analytics/waterfall';

export interface ChildRef {
  kind: 'unit' | 'person';
  unitId: string;
  userId: string | null;
  name: string;
}

export interface TargetLike {
  id: string;
  unit: { id: string; name: string };
  assignee: { id: string; name: string | null } | null;
  value: string;
}

export interface CascadeRow<T> extends ChildRef {
  key: string;
  target: T | null;
}

/** `12345n` → `"123.45"`, `-5n` → `"-0.05"`. */
export function centsText(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Σ of decimal strings (blanks count as 0), exact. */
export function sumValues(values: readonly (string | null | undefined)[]): string {
  return centsText(values.reduce<bigint>((acc, v) => acc + toCents(v ?? '0'), 0n));
}

/** `a − b` of decimal strings, exact. */
export function subtract(a: string, b: string): string {
  return centsText(toCents(a) - toCents(b));
}

/**
 * `total` split into `n` parts as the server's `equal` method does: whole cents (or whole
 * units for count metrics), the remainder one by one to the first parts.
 */
export function equalSplit(total: string, n: number, wholeNumbers: boolean): string[] {
  if (n <= 0) return [];
  const step = wholeNumbers ? 100n : 1n;
  const units = toCents(total) / step;
  const base = units / BigInt(n);
  const remainder = units - base * BigInt(n);
  return Array.from({ length: n }, (_, i) => {
    const part = (base + (BigInt(i) < remainder ? 1n : 0n)) * step;
    return wholeNumbers ? String(part / 100n) : centsText(part);
  });
}

/**
 * The unit's own target and one row per child (child units, then persons placed in the unit),
 * each with its target if set. Targets of children no longer listed (a deactivated unit) are
 * kept as extra rows so nothing set is hidden.
 */
export function cascadeRows<T extends TargetLike>(
  unit: { id: string; name: string },
  children: readonly ChildRef[],
  targets: readonly T[],
): { parent: CascadeRow<T>; children: CascadeRow<T>[] } {
  const used = new Set<string>();
  const find = (unitId: string, userId: string | null) => {
    const t = targets.find((x) => x.unit.id === unitId && (x.assignee?.id ?? null) === userId) ?? null;
    if (t) used.add(t.id);
    return t;
  };
  const parent: CascadeRow<T> = { key: `unit-${unit.id}`, kind: 'unit', unitId: unit.id, userId: null, name: unit.name, target: find(unit.id, null) };
  const rows: CascadeRow<T>[] = children.map((c) => ({ ...c, key: `${c.kind}-${c.unitId}-${c.userId ?? ''}`, target: find(c.unitId, c.userId) }));
  for (const t of targets) {
    if (used.has(t.id)) continue;
    const person = t.assignee !== null;
    rows.push({
      key: `${person ? 'person' : 'unit'}-${t.unit.id}-${t.assignee?.id ?? ''}`,
      kind: person ? 'person' : 'unit',
      unitId: t.unit.id,
      userId: t.assignee?.id ?? null,
      name: person ? (t.assignee?.name ?? t.unit.name) : t.unit.name,
      target: t,
    });
  }
  return { parent, children: rows };
}

/** The split row an API field error names: `splits[2].value` or `splits.2.value` → 2. */
export function splitIndex(field: string): number | null {
  const found = /^(?:body\.)?splits(?:\[(\d+)\]|\.(\d+))/.exec(field);
  if (!found) return null;
  return Number(found[1] ?? found[2]);
}
