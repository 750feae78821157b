import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { PoolPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';

export interface PoolFilters {
  q: string;
  tier: string | null;
  subsidiaryId: string | null;
  industry: string;
  region: string;
  sort: string | null;
}

export const DEFAULT_POOL_SORT = '-pool_entered_at';

export const poolKeys = {
  all: ['pool'] as const,
  list: (f: PoolFilters) => [...poolKeys.all, 'list', f] as const,
  summary: () => [...poolKeys.all, 'summary'] as const,
  rules: () => [...poolKeys.all, 'rules'] as const,
};

export function fetchPoolPage(f: Partial<PoolFilters>, req: PageRequest): Promise<PoolPage> {
  return unwrap(
    api.GET('/api/v1/pool', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.q ? { q: f.q } : {}),
          ...(f.tier ? { tier: f.tier } : {}),
          ...(f.subsidiaryId ? { subsidiary_id: f.subsidiaryId } : {}),
          ...(f.industry ? { industry: f.industry } : {}),
          ...(f.region ? { region: f.region } : {}),
          ...(f.sort ? { sort: f.sort } : {}),
        },
      },
    }),
  );
}

/** The pool's size and the caller's quotas, without listing it (workbench, quota bar). */
export function usePoolSummary(enabled = true) {
  return useQuery({
    queryKey: poolKeys.summary(),
    enabled,
    queryFn: () => fetchPoolPage({}, { cursor: null, limit: 1, includeTotal: true }),
    placeholderData: keepPreviousData,
  });
}

/** Pool rules of every subsidiary the caller may read (protection, reclaim, quota, cool-down). */
export function usePoolRules(enabled = true) {
  return useQuery({
    queryKey: poolKeys.rules(),
    enabled,
    staleTime: 5 * 60_000,
    queryFn: () => unwrap(api.GET('/api/v1/pool-rules', { params: { query: { limit: 200 } } })),
    select: (page) => new Map(page.items.map((r) => [r.subsidiary_id, r])),
  });
}

export function useClaimFromPool() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (accountId: string) => unwrapDetailed(api.POST('/api/v1/pool/{account_id}/claim', { params: { path: { account_id: accountId } } })),
    onSettled: () => {
      // A lost race (not_in_pool) also means the page is stale.
      for (const key of [poolKeys.all, ['accounts'], ['audit-events']]) void qc.invalidateQueries({ queryKey: key });
    },
  });
}
