import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type {
  CursorPage,
  MemberRole,
  Opportunity,
  OpportunityCreate,
  OpportunityDetail,
  OpportunityQuery,
  OpportunityUpdate,
  TransitionRequest,
} from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';

export const oppKeys = {
  all: ['opportunities'] as const,
  list: (filters: OpportunityFilters) => [...oppKeys.all, 'list', filters] as const,
  column: (stageId: string, filters: OpportunityFilters) => [...oppKeys.all, 'column', stageId, filters] as const,
  detail: (id: string) => [...oppKeys.all, 'detail', id] as const,
  history: (id: string) => [...oppKeys.all, 'detail', id, 'history'] as const,
};

/** Server-side filters shared by the kanban and the list (kept in the URL). */
export interface OpportunityFilters {
  q: string;
  ownerId: string | null;
  unitId: string | null;
  subsidiaryId: string | null;
  stalled: boolean | null;
  status?: 'open' | 'won' | 'lost' | null;
  sort?: string | null;
}

export const SORTS = ['-updated_at', '-amount', 'amount', 'expected_close_date', '-expected_close_date', '-created_at'] as const;

/** The list endpoint's query for the filters (also what an export sends). */
export function filterQuery(filters: OpportunityFilters): OpportunityQuery {
  return {
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.ownerId ? { owner_id: filters.ownerId } : {}),
    ...(filters.unitId ? { unit_id: filters.unitId } : {}),
    ...(filters.subsidiaryId ? { subsidiary_id: filters.subsidiaryId } : {}),
    ...(typeof filters.stalled === 'boolean' ? { stalled: filters.stalled } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.sort ? { sort: filters.sort } : {}),
  };
}

export function fetchOpportunitiesPage(filters: OpportunityFilters, req: PageRequest, extra: OpportunityQuery = {}): Promise<CursorPage<Opportunity>> {
  return unwrap(
    api.GET('/api/v1/opportunities', {
      params: {
        query: {
          ...filterQuery(filters),
          ...extra,
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
        },
      },
    }),
  );
}

const COLUMN_PAGE = 20;

/** One kanban column: the deals in a stage, newest activity first, a page at a time. */
export function useStageColumn(stageId: string, filters: OpportunityFilters) {
  return useInfiniteQuery({
    queryKey: oppKeys.column(stageId, filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      fetchOpportunitiesPage({ ...filters, sort: '-updated_at' }, { cursor: pageParam, limit: COLUMN_PAGE, includeTotal: pageParam === null }, { stage_id: stageId }),
    getNextPageParam: (last) => last.next_cursor ?? null,
    placeholderData: keepPreviousData,
  });
}

export function useOpportunity(id: string) {
  return useQuery({
    queryKey: oppKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: id } } })),
  });
}

export function useOpportunityHistory(id: string) {
  return useQuery({
    queryKey: oppKeys.history(id),
    queryFn: () => unwrap(api.GET('/api/v1/opportunities/{opportunity_id}/history', { params: { path: { opportunity_id: id } } })),
  });
}

/** Whether the deal's account has a contact (the `contact` gate); null when it cannot be read. */
export function useAccountHasContact(accountId: string | null) {
  return useQuery({
    queryKey: ['accounts', accountId ?? '', 'contacts', 'any'],
    enabled: Boolean(accountId),
    queryFn: async () => {
      try {
        const page = await unwrap(
          api.GET('/api/v1/accounts/{account_id}/contacts', { params: { path: { account_id: accountId ?? '' }, query: { limit: 1 } } }),
        );
        return page.items.length > 0;
      } catch {
        return null;
      }
    },
    staleTime: 60_000,
  });
}

export function useAccountSearch(q: string) {
  return useQuery({
    queryKey: ['accounts', 'search', q],
    queryFn: () => unwrap(api.GET('/api/v1/accounts', { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
    select: (page) => page.items,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

function useDealWrite<V>(fn: (v: V) => Promise<OpportunityDetail>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (deal) => {
      qc.setQueryData(oppKeys.detail(deal.id), deal);
      void qc.invalidateQueries({ queryKey: oppKeys.all, predicate: (q) => !(q.queryKey[1] === 'detail' && q.queryKey[2] === deal.id && q.queryKey.length === 3) });
    },
  });
}

export function useCreateOpportunity() {
  return useDealWrite((body: OpportunityCreate) => unwrap(api.POST('/api/v1/opportunities', { body })));
}

export function useUpdateOpportunity(id: string) {
  return useDealWrite((body: OpportunityUpdate) =>
    unwrap(api.PATCH('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: id } }, body })),
  );
}

export function useTransition() {
  return useDealWrite(({ id, body }: { id: string; body: TransitionRequest }) =>
    unwrap(api.POST('/api/v1/opportunities/{opportunity_id}/transitions', { params: { path: { opportunity_id: id } }, body })),
  );
}

export function useSetChecklist(id: string) {
  return useDealWrite((body: { stage_code: string; items: string[]; version?: number | null }) =>
    unwrap(api.PUT('/api/v1/opportunities/{opportunity_id}/checklist', { params: { path: { opportunity_id: id } }, body })),
  );
}

export function useAddMember(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { user_id: string; role: MemberRole }) =>
      unwrap(api.POST('/api/v1/opportunities/{opportunity_id}/members', { params: { path: { opportunity_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: oppKeys.detail(id) }),
  });
}

export function useRemoveMember(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/api/v1/opportunities/{opportunity_id}/members/{user_id}', { params: { path: { opportunity_id: id, user_id: userId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: oppKeys.detail(id) }),
  });
}
