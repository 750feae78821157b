import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap } from '@/api/client';
import type { CursorPage, OrgUnit, OrgUnitCreate, OrgUnitUpdate } from '@/api/types';
import { buildOrgTree } from './orgTree';

export const orgKeys = {
  all: ['org-units'] as const,
  list: () => [...orgKeys.all, 'list'] as const,
};

const PAGE = 500;
const MAX_PAGES = 40;

/** Every org unit the caller may see (the tree is small: hundreds of units, not millions). */
export async function fetchAllOrgUnits(): Promise<OrgUnit[]> {
  const units: OrgUnit[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page: CursorPage<OrgUnit> = await unwrap(api.GET('/api/v1/org-units', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }));
    units.push(...page.items);
    cursor = page.next_cursor ?? null;
    if (!cursor) break;
  }
  return units;
}

export function useOrgUnits(options: { enabled?: boolean } = {}) {
  const query = useQuery({ queryKey: orgKeys.list(), queryFn: fetchAllOrgUnits, staleTime: 60_000, enabled: options.enabled ?? true });
  const units = query.data;
  const derived = useMemo(() => {
    const list = units ?? [];
    return { units: list, byId: new Map(list.map((u) => [u.id, u])), tree: buildOrgTree(list) };
  }, [units]);
  return { ...query, ...derived };
}

export function useCreateOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: OrgUnitCreate) => unwrap(api.POST('/api/v1/org-units', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgKeys.all }),
  });
}

export function useUpdateOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: OrgUnitUpdate }) =>
      unwrap(api.PATCH('/api/v1/org-units/{unit_id}', { params: { path: { unit_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgKeys.all }),
  });
}

export function useMoveOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, newParentId, version }: { id: string; newParentId: string; version: number }) =>
      unwrap(api.POST('/api/v1/org-units/{unit_id}/move', { params: { path: { unit_id: id } }, body: { new_parent_id: newParentId, version } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgKeys.all }),
  });
}

export function useDeleteOrgUnit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/org-units/{unit_id}', { params: { path: { unit_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: orgKeys.all }),
  });
}
