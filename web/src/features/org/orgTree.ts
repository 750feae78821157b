/** Pure helpers over the flat org-unit list the API returns. */

export interface UnitLike {
  id: string;
  parent_id?: string | null;
  kind: string;
  code: string;
  name: string;
  name_en?: string | null;
}

export interface OrgNode<U extends UnitLike> {
  unit: U;
  children: OrgNode<U>[];
}

const KIND_ORDER: Record<string, number> = { group: 0, subsidiary: 1, department: 2, team: 3 };

function compareUnits(a: UnitLike, b: UnitLike): number {
  return (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.code.localeCompare(b.code);
}

/** Builds the forest; units whose parent is not visible to the caller become roots. */
export function buildOrgTree<U extends UnitLike>(units: readonly U[]): OrgNode<U>[] {
  const nodes = new Map<string, OrgNode<U>>();
  for (const u of units) nodes.set(u.id, { unit: u, children: [] });
  const roots: OrgNode<U>[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parent_id ? nodes.get(node.unit.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: OrgNode<U>[]) => {
    list.sort((a, b) => compareUnits(a.unit, b.unit));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The unit's id plus every id below it. */
export function subtreeIds(units: readonly UnitLike[], rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const u of units) {
    if (!u.parent_id) continue;
    const list = children.get(u.parent_id) ?? [];
    list.push(u.id);
    children.set(u.parent_id, list);
  }
  const out = new Set<string>([rootId]);
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    for (const c of children.get(id) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}

/** Ids of the unit's ancestors, root first (not including the unit). */
export function ancestorIds(byId: ReadonlyMap<string, UnitLike>, id: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let current = byId.get(id)?.parent_id ?? null;
  while (current && !seen.has(current) && byId.has(current)) {
    seen.add(current);
    out.unshift(current);
    current = byId.get(current)?.parent_id ?? null;
  }
  return out;
}

export function matchesUnit(u: UnitLike, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [u.name, u.code, u.name_en ?? ''].some((s) => s.toLowerCase().includes(q));
}

/**
 * Ids to keep when searching: matches plus their ancestors (so the path stays visible),
 * and the ancestors to expand. `null` means no filter.
 */
export function searchTree(units: readonly UnitLike[], query: string): { visible: Set<string>; expand: Set<string> } | null {
  if (!query.trim()) return null;
  const byId = new Map(units.map((u) => [u.id, u]));
  const visible = new Set<string>();
  const expand = new Set<string>();
  for (const u of units) {
    if (!matchesUnit(u, query)) continue;
    visible.add(u.id);
    for (const a of ancestorIds(byId, u.id)) {
      visible.add(a);
      expand.add(a);
    }
  }
  return { visible, expand };
}
