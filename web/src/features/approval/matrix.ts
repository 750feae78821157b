/**
 * One row of a subsidiary's authority matrix as the inline editor holds it. A limit absent from
 * the row means “no authority”, `null` means “unlimited”, a decimal string the ceiling.
 */

export interface LimitCell {
  text: string;
  unlimited: boolean;
}

export type LimitCells = Record<string, LimitCell>;
export type LimitsJson = Record<string, string | number | null>;

export function limitsToCells(limits: Record<string, unknown> | null | undefined, names: readonly string[]): LimitCells {
  const cells: LimitCells = {};
  for (const name of names) {
    const has = !!limits && Object.prototype.hasOwnProperty.call(limits, name);
    const v = has ? limits[name] : undefined;
    cells[name] = v === null && has ? { text: '', unlimited: true } : { text: v === undefined || v === null ? '' : String(v), unlimited: false };
  }
  return cells;
}

/** The `limits` body of a PUT: unlimited → null, empty → left out, integers as numbers. */
export function cellsToLimits(cells: LimitCells, types: Readonly<Record<string, string>>): LimitsJson {
  const out: LimitsJson = {};
  for (const [name, cell] of Object.entries(cells)) {
    if (cell.unlimited) {
      out[name] = null;
      continue;
    }
    const text = cell.text.trim();
    if (!text) continue;
    out[name] = types[name] === 'integer' && /^\d{1,9}$/.test(text) ? Number(text) : text;
  }
  return out;
}

/** Whether the row is empty: no limit at all (no authority for anything). */
export const isEmptyRow = (cells: LimitCells): boolean => Object.values(cells).every((c) => !c.unlimited && !c.text.trim());

/** Same limits, comparing numbers by value as text (`"10"` equals `"10.00"`). */
export function sameCells(a: LimitCells, b: LimitCells): boolean {
  const norm = (c: LimitCell | undefined) => {
    if (!c) return '';
    if (c.unlimited) return '∞';
    const t = c.text.trim();
    const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
    if (!m) return t;
    const int = (m[1] ?? '').replace(/^0+(?=\d)/, '');
    const frac = (m[2] ?? '').replace(/0+$/, '');
    return frac ? `${int}.${frac}` : int;
  };
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((n) => norm(a[n]) === norm(b[n]));
}

export type CellProblem = 'not_a_number' | 'negative' | 'too_precise' | 'not_integer' | null;

/** A quick check before saving (the server checks again): non-negative, ≤ 2 decimals, integers for days. */
export function cellProblem(cell: LimitCell, type: string | undefined): CellProblem {
  if (cell.unlimited) return null;
  const t = cell.text.trim();
  if (!t) return null;
  if (/^-/.test(t) && /^-\d+(\.\d+)?$/.test(t)) return 'negative';
  if (!/^\d+(\.\d+)?$/.test(t)) return 'not_a_number';
  if (type === 'integer' && t.includes('.') && !/\.0+$/.test(t)) return 'not_integer';
  if (/\.\d{3,}$/.test(t)) return 'too_precise';
  return null;
}
