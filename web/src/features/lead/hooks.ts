import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage, Lead, LeadConvert, LeadCreate, LeadStatus, LeadUpdate } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';

export interface LeadFilters {
  q: string;
  status: LeadStatus | null;
  source: string;
  ownerId: string | null;
  sort: string | null;
}

export const DEFAULT_LEAD_SORT = '-created_at';

export const leadKeys = {
  all: ['leads'] as const,
  list: (f: LeadFilters) => [...leadKeys.all, 'list', f] as const,
  detail: (id: string) => [...leadKeys.all, 'detail', id] as const,
};

export function fetchLeadsPage(f: LeadFilters, req: PageRequest): Promise<CursorPage<Lead>> {
  return unwrap(
    api.GET('/api/v1/leads', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.q ? { q: f.q } : {}),
          ...(f.status ? { status: f.status } : {}),
          ...(f.source ? { source: f.source } : {}),
          ...(f.ownerId ? { owner_id: f.ownerId } : {}),
          ...(f.sort ? { sort: f.sort } : {}),
        },
      },
    }),
  );
}

export function useLead(id: string) {
  return useQuery({
    queryKey: leadKeys.detail(id),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/leads/{lead_id}', { params: { path: { lead_id: id } } })),
  });
}

export function useCreateLead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadCreate) => unwrap(api.POST('/api/v1/leads', { body })),
    onSuccess: (lead) => {
      qc.setQueryData(leadKeys.detail(lead.id), lead);
      void qc.invalidateQueries({ queryKey: [...leadKeys.all, 'list'] });
    },
  });
}

export function useUpdateLead(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadUpdate) => unwrap(api.PATCH('/api/v1/leads/{lead_id}', { params: { path: { lead_id: id } }, body })),
    onSuccess: (lead) => {
      qc.setQueryData(leadKeys.detail(id), lead);
      void qc.invalidateQueries({ queryKey: [...leadKeys.all, 'list'] });
    },
  });
}

export function useConvertLead(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadConvert) => unwrapDetailed(api.POST('/api/v1/leads/{lead_id}/convert', { params: { path: { lead_id: id } }, body })),
    onSuccess: (result) => {
      qc.setQueryData(leadKeys.detail(id), result.lead);
      for (const key of [leadKeys.all, ['accounts'], ['opportunities'], ['contacts']]) void qc.invalidateQueries({ queryKey: key });
    },
    onError: () => void qc.invalidateQueries({ queryKey: ['conflicts'] }),
  });
}
