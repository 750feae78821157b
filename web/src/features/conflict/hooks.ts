import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { ClaimLookup, Conflict, ConflictResolve, ConflictStatus, CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';

export interface ConflictFilters {
  status: ConflictStatus | null;
  q: string;
  accountId?: string | null;
}

export const conflictKeys = {
  all: ['conflicts'] as const,
  list: (f: ConflictFilters) => [...conflictKeys.all, 'list', f] as const,
  openCount: () => [...conflictKeys.all, 'open-count'] as const,
};

export function fetchConflictsPage(f: ConflictFilters, req: PageRequest): Promise<CursorPage<Conflict>> {
  return unwrap(
    api.GET('/api/v1/conflicts', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.status ? { status: f.status } : {}),
          ...(f.q ? { q: f.q } : {}),
          ...(f.accountId ? { account_id: f.accountId } : {}),
        },
      },
    }),
  );
}

/** The newest open conflicts the caller sees, with their total (workbench). */
export function useOpenConflicts(limit = 5, enabled = true) {
  return useQuery({
    queryKey: [...conflictKeys.openCount(), limit],
    enabled,
    queryFn: () => fetchConflictsPage({ status: 'open', q: '' }, { cursor: null, limit, includeTotal: true }),
  });
}

export function useResolveConflict() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ConflictResolve }) =>
      unwrap(api.POST('/api/v1/conflicts/{conflict_id}/resolve', { params: { path: { conflict_id: id } }, body })),
    onSuccess: () => {
      for (const key of [conflictKeys.all, ['accounts'], ['audit-events']]) void qc.invalidateQueries({ queryKey: key });
    },
  });
}

/** Claim (报备) an account found group-wide by its USCC or name. */
export function useClaimByLookup() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ClaimLookup) => unwrapDetailed(api.POST('/api/v1/accounts/claims', { body })),
    onSuccess: () => {
      for (const key of [['accounts'], ['pool'], ['audit-events']]) void qc.invalidateQueries({ queryKey: key });
    },
    // A refused claim records a conflict (撞单) the lists should show.
    onError: () => void qc.invalidateQueries({ queryKey: conflictKeys.all }),
  });
}
