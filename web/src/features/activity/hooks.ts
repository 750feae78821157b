import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { ActivityCreate } from '@/api/types';

export interface ActivityFilters {
  opportunityId?: string | null;
  accountId?: string | null;
}

export const activityKeys = {
  all: ['activities'] as const,
  list: (filters: ActivityFilters) => [...activityKeys.all, 'list', filters] as const,
};

const PAGE = 10;

/** Activities of an opportunity or account, newest first, a page at a time. */
export function useActivities(filters: ActivityFilters) {
  return useInfiniteQuery({
    queryKey: activityKeys.list(filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/activities', {
          params: {
            query: {
              limit: PAGE,
              ...(pageParam ? { cursor: pageParam } : { include_total: true }),
              ...(filters.opportunityId ? { opportunity_id: filters.opportunityId } : {}),
              ...(filters.accountId ? { account_id: filters.accountId } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function useLogActivity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ActivityCreate) => unwrap(api.POST('/api/v1/activities', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: activityKeys.all }),
  });
}

export function useCompleteActivity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      unwrap(api.POST('/api/v1/activities/{activity_id}/complete', { params: { path: { activity_id: id } }, body: { version } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: activityKeys.all }),
  });
}
