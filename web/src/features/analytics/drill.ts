/**
 * Drill-down: every figure on the dashboard carries a descriptor `{resource, query}` naming the
 * list behind it and that list endpoint's query parameters. These helpers turn a descriptor into
 * the route of the list page (its filters in the URL, so the page shows exactly those rows), and
 * read the same filters back from a list page's URL.
 */

export const DRILL_RESOURCES = ['opportunities', 'contracts', 'payments', 'accounts', 'activities', 'receivables', 'pipeline-snapshot-rows'] as const;
export type DrillResource = (typeof DRILL_RESOURCES)[number];

export type DrillValue = string | number | boolean | null | undefined;

export interface Drill {
  resource: string;
  /** The list endpoint's query parameters (strings, numbers and booleans; anything else is ignored). */
  query: Record<string, unknown>;
}

interface RouteSpec {
  path: string;
  /** Parameters the page needs to show the right tab. */
  fixed?: Record<string, string>;
  /** Drill filters this list page reads from its URL and sends to its endpoint (besides its own filters). */
  ranges: readonly (readonly [string, string])[];
  extra: readonly string[];
  /** Every parameter the page applies; a descriptor with any other would open a list of different rows. */
  applies: readonly string[];
}

const ROUTES: Record<DrillResource, RouteSpec> = {
  opportunities: {
    path: '/opportunities/list',
    ranges: [
      ['closed_from', 'closed_to'],
      ['expected_close_from', 'expected_close_to'],
      ['created_from', 'created_to'],
      ['entered_from', 'entered_to'],
      ['exited_from', 'exited_to'],
    ],
    extra: ['stage_code', 'stage_id', 'forecast_category', 'entered_stage_code', 'funnel_outcome', 'exited_stage_code'],
    applies: ['unit_id', 'owner_id', 'subsidiary_id', 'status', 'stalled', 'q'],
  },
  contracts: {
    path: '/contracts',
    ranges: [['signed_from', 'signed_to']],
    extra: ['unit_id'],
    applies: ['owner_id', 'status', 'account_id', 'opportunity_id', 'q'],
  },
  payments: {
    path: '/receivables',
    fixed: { tab: 'payments' },
    ranges: [['received_from', 'received_to']],
    extra: ['unit_id', 'status'],
    applies: [],
  },
  accounts: {
    path: '/accounts',
    ranges: [['created_from', 'created_to']],
    extra: ['unit_id'],
    applies: ['owner_id', 'subsidiary_id', 'status', 'tier', 'value_class', 'q'],
  },
  activities: {
    path: '/activities',
    ranges: [['occurred_from', 'occurred_to']],
    extra: ['unit_id', 'owner_id'],
    applies: ['kind'],
  },
  // The installments tab's own "overdue only" switch is turned off: the descriptor's `overdue`
  // (true: past due, false: not yet due, absent: all) decides.
  receivables: {
    path: '/receivables',
    fixed: { tab: 'list', overdue_only: '0' },
    ranges: [],
    extra: ['unit_id', 'overdue', 'owner_id'],
    applies: ['as_of', 'account_id', 'subsidiary_id', 'contract_id'],
  },
  'pipeline-snapshot-rows': { path: '/analytics/pipeline-rows', ranges: [], extra: [], applies: ['*'] },
};

/** Whether the list page of `resource` applies every filter of the descriptor. */
function appliesAll(spec: RouteSpec, query: Record<string, unknown>): boolean {
  if (spec.applies.includes('*')) return true;
  const known = new Set([...spec.ranges.flat(), ...spec.extra, ...spec.applies]);
  return Object.entries(query).every(([key, value]) => text(value) === null || known.has(key));
}

export const isDrillResource = (value: string): value is DrillResource => (DRILL_RESOURCES as readonly string[]).includes(value);

const text = (v: unknown): string | null => {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v !== '' ? v : null;
};

/**
 * The route of the list behind a figure, e.g. won deals →
 * `/opportunities/list?unit_id=U&status=won&closed_from=2026-10-01&closed_to=2026-12-31`.
 * Every query parameter is kept (in the descriptor's order) so the page filters exactly as the
 * figure was counted. Unknown resources, and descriptors with a filter the list page cannot apply
 * (it would show other rows than the figure counts), give null: the figure is shown unlinked.
 */
export function drillRoute(drill: Drill | null | undefined): string | null {
  if (!drill || !isDrillResource(drill.resource)) return null;
  const spec = ROUTES[drill.resource];
  if (!appliesAll(spec, drill.query ?? {})) return null;
  const params = new URLSearchParams(spec.fixed ?? {});
  for (const [key, value] of Object.entries(drill.query ?? {})) {
    const v = text(value);
    if (v !== null) params.set(key, v);
  }
  const query = params.toString();
  return query ? `${spec.path}?${query}` : spec.path;
}

/** The drill filters of `resource` present in a list page's URL, as its endpoint's query parameters. */
export function drillFilters(resource: DrillResource, params: URLSearchParams): Record<string, string> {
  const spec = ROUTES[resource];
  const out: Record<string, string> = {};
  for (const key of [...spec.ranges.flat(), ...spec.extra]) {
    const v = params.get(key);
    if (v && (!/_(from|to)$/.test(key) || /^\d{4}-\d{2}-\d{2}$/.test(v))) out[key] = v;
  }
  return out;
}

export interface RangeChip {
  /** The `_from` parameter's name without its suffix: `closed`, `signed`… */
  field: string;
  from: string | null;
  to: string | null;
  keys: [string, string];
}

/** The date-range filters of `resource` in the URL, one chip per range. */
export function rangeChips(resource: DrillResource, params: URLSearchParams): RangeChip[] {
  return ROUTES[resource].ranges
    .map(([fromKey, toKey]) => ({
      field: fromKey.replace(/_from$/, ''),
      from: params.get(fromKey),
      to: params.get(toKey),
      keys: [fromKey, toKey] as [string, string],
    }))
    .filter((c) => c.from || c.to);
}

/** The query of a list export: the page's filters plus `format=xlsx`, as a URL query string. */
export function exportQuery(query: Record<string, DrillValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const v = text(value);
    if (v !== null && key !== 'cursor' && key !== 'limit' && key !== 'include_total') params.set(key, v);
  }
  params.set('format', 'xlsx');
  return params.toString();
}
