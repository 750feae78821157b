import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Body, Ok, Query } from '@/api/types';

type ItemOf<T> = T extends ReadonlyArray<infer I> ? I : never;

export type TargetList = Ok<'/api/v1/targets', 'get'>;
export type Target = ItemOf<TargetList['items']>;
export type TargetMetric = Target['metric'];
export type TargetQuery = Query<'/api/v1/targets', 'get'>;
export type TargetCreate = Body<'/api/v1/targets', 'post'>;
export type TargetUpdate = Body<'/api/v1/targets/{target_id}', 'put'>;
export type CascadeRequest = Body<'/api/v1/targets/cascade', 'post'>;
export type CascadeMethod = NonNullable<CascadeRequest['method']>;
export type Consistency = Ok<'/api/v1/targets/consistency', 'get'>;
export type ConsistencyIssue = ItemOf<Consistency['issues']>;

export const TARGET_METRICS = ['contract_amount', 'payment_collected', 'won_deals', 'new_customers', 'activities'] as const satisfies readonly TargetMetric[];

export const targetKeys = {
  all: ['targets'] as const,
  fiscalYear: ['targets', 'fiscal-year'] as const,
  cascade: (q: TargetQuery) => [...targetKeys.all, 'cascade', q] as const,
  consistency: (q: { period: string; metric: string | null }) => [...targetKeys.all, 'consistency', q] as const,
};

/** The fiscal year's first month (a group setting; January when unset). Everyone signed in may read it. */
export function useFiscalYear() {
  return useQuery({
    queryKey: targetKeys.fiscalYear,
    staleTime: 10 * 60_000,
    queryFn: () => unwrap(api.GET('/api/v1/targets/fiscal-year')),
  });
}

export function useSetFiscalYear() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (startMonth: number) => unwrap(api.PUT('/api/v1/targets/fiscal-year', { body: { start_month: startMonth } })),
    onSuccess: (data) => {
      qc.setQueryData(targetKeys.fiscalYear, data);
      void qc.invalidateQueries({ queryKey: targetKeys.all });
      void qc.invalidateQueries({ queryKey: ['analytics'] });
    },
  });
}

/** The unit's target and its direct children's (child units and persons placed in it). */
export function useCascade(q: TargetQuery, enabled = true) {
  return useQuery({
    queryKey: targetKeys.cascade(q),
    enabled,
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET('/api/v1/targets', { params: { query: q } })),
  });
}

export function useConsistency(period: string, metric: string | null, enabled = true) {
  return useQuery({
    queryKey: targetKeys.consistency({ period, metric }),
    enabled,
    queryFn: () =>
      unwrap(api.GET('/api/v1/targets/consistency', { params: { query: { period, ...(metric ? { metric: metric as TargetMetric } : {}) } } })),
  });
}

function useTargetWrite<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: targetKeys.all });
      void qc.invalidateQueries({ queryKey: ['analytics'] });
    },
  });
}

export const useCreateTarget = () => useTargetWrite((body: TargetCreate) => unwrap(api.POST('/api/v1/targets', { body })));

export const useUpdateTarget = () =>
  useTargetWrite(({ id, body }: { id: string; body: TargetUpdate }) => unwrap(api.PUT('/api/v1/targets/{target_id}', { params: { path: { target_id: id } }, body })));

export const useDeleteTarget = () =>
  useTargetWrite((id: string) => unwrap(api.DELETE('/api/v1/targets/{target_id}', { params: { path: { target_id: id } } })));

export const useCascadeTarget = () => useTargetWrite((body: CascadeRequest) => unwrap(api.POST('/api/v1/targets/cascade', { body })));
