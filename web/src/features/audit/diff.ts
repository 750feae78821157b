/** Turns an audit event's `changes` into display rows. */

export interface DiffRow {
  field: string;
  before: string | null;
  after: string | null;
}

export function formatValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function diffRows(changes: unknown): DiffRow[] {
  if (typeof changes !== 'object' || changes === null) return [];
  return Object.entries(changes as Record<string, unknown>)
    .map(([field, change]) => {
      const c = (typeof change === 'object' && change !== null ? change : {}) as { before?: unknown; after?: unknown };
      return { field, before: formatValue(c.before), after: formatValue(c.after) };
    })
    .sort((a, b) => a.field.localeCompare(b.field));
}
