import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap } from '@/api/client';
import type { CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { useI18n } from '@/i18n';
import type {
  ApprovalActions,
  ApprovalQuery,
  ApprovalSummary,
  AuthorityLimitDef,
  Delegation,
  DelegationCreate,
  EvaluateRequest,
  GuardedAction,
  MatrixRowPut,
  Policy,
  PolicyCreate,
  PolicyQuery,
  PolicyUpdate,
} from './types';

export const approvalKeys = {
  all: ['approvals'] as const,
  list: (filters: ApprovalFilters) => [...approvalKeys.all, 'list', filters] as const,
  detail: (id: string) => [...approvalKeys.all, 'detail', id] as const,
  inboxCount: () => [...approvalKeys.all, 'inbox-top'] as const,
  delegations: (all: boolean) => ['approval-delegations', all] as const,
  actions: ['approval-actions'] as const,
  policies: ['approval-policies'] as const,
  policyList: (filters: PolicyFilters) => ['approval-policies', 'list', filters] as const,
  policy: (id: string) => ['approval-policies', 'detail', id] as const,
  matrix: (subsidiaryId: string) => ['authority-matrix', subsidiaryId] as const,
};

/** The lists of the approvals centre; which tab decides the fixed part. */
export interface ApprovalFilters {
  tab: 'inbox' | 'mine' | 'all';
  status: string | null;
  action: string | null;
}

export function approvalQuery(filters: ApprovalFilters): ApprovalQuery {
  const q: Record<string, unknown> = {};
  if (filters.tab === 'inbox') {
    q.assigned_to = 'me';
    q.status = 'pending';
  } else {
    if (filters.tab === 'mine') q.requested_by = 'me';
    if (filters.status) q.status = filters.status;
  }
  if (filters.action) q.action = filters.action;
  return q as ApprovalQuery;
}

export function fetchApprovalsPage(filters: ApprovalFilters, req: PageRequest): Promise<CursorPage<ApprovalSummary>> {
  return unwrap(
    api.GET('/api/v1/approvals', {
      params: {
        query: {
          ...approvalQuery(filters),
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
        },
      },
    }),
  );
}

/** The first few requests waiting for me, with the count (the workbench card). */
export function useInboxTop(enabled: boolean, size = 5) {
  return useQuery({
    queryKey: approvalKeys.inboxCount(),
    enabled,
    queryFn: () => fetchApprovalsPage({ tab: 'inbox', status: null, action: null }, { cursor: null, limit: size, includeTotal: true }),
    staleTime: 30_000,
  });
}

export function useApproval(id: string) {
  return useQuery({
    queryKey: approvalKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/approvals/{request_id}', { params: { path: { request_id: id } } })),
  });
}

type Decision = 'approve' | 'reject' | 'withdraw';

export function useDecide(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ decision, comment }: { decision: Decision; comment: string | null }) => {
      const params = { path: { request_id: id } };
      const body = { comment };
      if (decision === 'approve') return unwrap(api.POST('/api/v1/approvals/{request_id}/approve', { params, body }));
      if (decision === 'reject') return unwrap(api.POST('/api/v1/approvals/{request_id}/reject', { params, body }));
      return unwrap(api.POST('/api/v1/approvals/{request_id}/withdraw', { params, body }));
    },
    onSuccess: (detail) => {
      qc.setQueryData(approvalKeys.detail(id), detail);
      void qc.invalidateQueries({ queryKey: approvalKeys.all, predicate: (q) => !(q.queryKey[1] === 'detail' && q.queryKey[2] === id) });
    },
    onError: () => void qc.invalidateQueries({ queryKey: approvalKeys.detail(id) }),
  });
}

// --- delegations ----------------------------------------------------------------------------

export function fetchDelegationsPage(all: boolean, req: PageRequest): Promise<CursorPage<Delegation>> {
  return unwrap(
    api.GET('/api/v1/approval-delegations', {
      params: {
        query: {
          ...(all ? { all: true } : {}),
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
        },
      },
    }),
  );
}

export function useCreateDelegation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DelegationCreate) => unwrap(api.POST('/api/v1/approval-delegations', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['approval-delegations'] }),
  });
}

export function useRevokeDelegation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/approval-delegations/{delegation_id}/revoke', { params: { path: { delegation_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['approval-delegations'] }),
  });
}

// --- the registry ---------------------------------------------------------------------------

export function useApprovalActions(enabled = true) {
  return useQuery({
    queryKey: approvalKeys.actions,
    enabled,
    queryFn: () => unwrap(api.GET('/api/v1/approval-actions')),
    staleTime: 30 * 60_000,
  });
}

export interface ActionCatalog {
  actions: GuardedAction[];
  byCode: Map<string, GuardedAction>;
  limits: AuthorityLimitDef[];
  limitByName: Map<string, AuthorityLimitDef>;
  actionLabel: (code: string) => string;
  fieldLabel: (action: string | null | undefined, field: string) => string;
  limitLabel: (name: string) => string;
}

/** The registry with labels in the UI language; codes stand in for what is unknown. */
export function useActionCatalog(enabled = true): ActionCatalog & { isLoading: boolean; error: unknown } {
  const { locale } = useI18n();
  const query = useApprovalActions(enabled);
  const data: ApprovalActions | undefined = query.data;
  const catalog = useMemo<ActionCatalog>(() => {
    const en = locale === 'en-US';
    const actions = data?.actions ?? [];
    const byCode = new Map(actions.map((a) => [a.code, a]));
    const limits = data?.authority_limits ?? [];
    const limitByName = new Map(limits.map((l) => [l.name, l]));
    return {
      actions,
      byCode,
      limits,
      limitByName,
      actionLabel: (code) => {
        const a = byCode.get(code);
        return a ? (en ? a.name_en : a.name) : code;
      },
      fieldLabel: (action, field) => {
        const f = (action ? byCode.get(action)?.fields : actions.flatMap((a) => a.fields))?.find((x) => x.name === field);
        return f ? (en ? f.label_en : f.label) : field;
      },
      limitLabel: (name) => {
        const l = limitByName.get(name);
        return l ? (en ? l.label_en : l.label) : name;
      },
    };
  }, [data, locale]);
  return { ...catalog, isLoading: query.isLoading, error: query.error };
}

// --- policies -------------------------------------------------------------------------------

export interface PolicyFilters {
  action: string | null;
  subsidiaryId: string | null;
  groupWide: boolean | null;
  isActive: boolean | null;
}

export function fetchPoliciesPage(filters: PolicyFilters, req: PageRequest): Promise<CursorPage<Policy>> {
  const query = {
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.subsidiaryId ? { subsidiary_id: filters.subsidiaryId } : {}),
    ...(filters.groupWide !== null ? { group_wide: filters.groupWide } : {}),
    ...(filters.isActive !== null ? { is_active: filters.isActive } : {}),
    limit: req.limit,
    ...(req.cursor ? { cursor: req.cursor } : {}),
    ...(req.includeTotal ? { include_total: true } : {}),
  } satisfies PolicyQuery;
  return unwrap(api.GET('/api/v1/approval-policies', { params: { query } }));
}

export function usePolicy(id: string | null) {
  return useQuery({
    queryKey: approvalKeys.policy(id ?? ''),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/approval-policies/{policy_id}', { params: { path: { policy_id: id ?? '' } } })),
  });
}

export function useCreatePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyCreate) => unwrap(api.POST('/api/v1/approval-policies', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: approvalKeys.policies }),
  });
}

export function useUpdatePolicy(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyUpdate) =>
      unwrap(api.PATCH('/api/v1/approval-policies/{policy_id}', { params: { path: { policy_id: id } }, body })),
    onSuccess: (p) => {
      qc.setQueryData(approvalKeys.policy(id), p);
      void qc.invalidateQueries({ queryKey: approvalKeys.policies, predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}

export function useDeactivatePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version }: { id: string; version: number }) =>
      unwrap(api.POST('/api/v1/approval-policies/{policy_id}/deactivate', { params: { path: { policy_id: id } }, body: { version } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: approvalKeys.policies }),
  });
}

export function useEvaluatePolicy() {
  return useMutation({
    mutationFn: (body: EvaluateRequest) => unwrap(api.POST('/api/v1/approval-policies/evaluate', { body })),
  });
}

// --- the authority matrix -------------------------------------------------------------------

export function useAuthorityMatrix(subsidiaryId: string | null) {
  return useQuery({
    queryKey: approvalKeys.matrix(subsidiaryId ?? ''),
    enabled: Boolean(subsidiaryId),
    queryFn: () => unwrap(api.GET('/api/v1/authority-matrix', { params: { query: { subsidiary_id: subsidiaryId ?? '' } } })),
    placeholderData: keepPreviousData,
  });
}

export function useSaveMatrixRow(subsidiaryId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ roleCode, body }: { roleCode: string; body: MatrixRowPut }) =>
      unwrap(
        api.PUT('/api/v1/authority-matrix/{subsidiary_id}/{role_code}', {
          params: { path: { subsidiary_id: subsidiaryId, role_code: roleCode } },
          body,
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: approvalKeys.matrix(subsidiaryId) }),
  });
}

export function useDeleteMatrixRow(subsidiaryId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (roleCode: string) =>
      unwrap(
        api.DELETE('/api/v1/authority-matrix/{subsidiary_id}/{role_code}', {
          params: { path: { subsidiary_id: subsidiaryId, role_code: roleCode } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: approvalKeys.matrix(subsidiaryId) }),
  });
}
