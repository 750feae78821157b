import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage, PoolRule, PoolRulePut } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';

export const poolRuleKeys = {
  all: ['pool-rules'] as const,
  list: (q: string) => [...poolRuleKeys.all, 'list', q] as const,
};

export function fetchPoolRulesPage(q: string, req: PageRequest): Promise<CursorPage<PoolRule>> {
  return unwrap(
    api.GET('/api/v1/pool-rules', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(q ? { q } : {}),
        },
      },
    }),
  );
}

export function useSavePoolRule(subsidiaryId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PoolRulePut) =>
      unwrap(api.PUT('/api/v1/pool-rules/{subsidiary_id}', { params: { path: { subsidiary_id: subsidiaryId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: poolRuleKeys.all }),
  });
}

/** Reloads one subsidiary's rules (after a version conflict). */
export function fetchPoolRule(subsidiaryId: string): Promise<PoolRule> {
  return unwrap(api.GET('/api/v1/pool-rules/{subsidiary_id}', { params: { path: { subsidiary_id: subsidiaryId } } }));
}
