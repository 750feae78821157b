import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type {
  Account,
  AccountCreate,
  AccountQuery,
  AccountTransfer,
  AccountUpdate,
  Activity,
  ActivityCreate,
  AuditEvent,
  CursorPage,
  Opportunity,
  OpportunityCreate,
} from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from './errorDetails';

export interface AccountFilters {
  q: string;
  tier: AccountQuery['tier'] | null;
  valueClass: AccountQuery['value_class'] | null;
  subsidiaryId: string | null;
  ownerId: string | null;
  status: AccountQuery['status'] | null;
  sort: string | null;
}

export const accountKeys = {
  all: ['accounts'] as const,
  list: (filters: Partial<AccountFilters>) => [...accountKeys.all, 'list', filters] as const,
  detail: (id: string) => [...accountKeys.all, 'detail', id] as const,
  claims: (id: string) => [...accountKeys.all, 'detail', id, 'claims'] as const,
  duplicates: (probe: DuplicateProbe) => [...accountKeys.all, 'duplicates', probe] as const,
  picker: (q: string) => [...accountKeys.all, 'picker', q] as const,
};

/** Keys of other features' lists that an account change shows up in. */
export const relatedKeys = {
  pool: ['pool'] as const,
  activities: ['activities'] as const,
  opportunities: ['opportunities'] as const,
  audit: ['audit-events'] as const,
  conflicts: ['conflicts'] as const,
};

export const DEFAULT_ACCOUNT_SORT = 'name';

/** The list endpoint's filters (also what an export sends). */
export function accountQuery(f: Partial<AccountFilters>): AccountQuery {
  return {
    ...(f.q ? { q: f.q } : {}),
    ...(f.tier ? { tier: f.tier } : {}),
    ...(f.valueClass ? { value_class: f.valueClass } : {}),
    ...(f.subsidiaryId ? { subsidiary_id: f.subsidiaryId } : {}),
    ...(f.ownerId ? { owner_id: f.ownerId } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.sort ? { sort: f.sort } : {}),
  };
}

/** `extra`: further endpoint filters (the unit and creation dates a dashboard figure drills with). */
export function fetchAccountsPage(f: Partial<AccountFilters>, req: PageRequest, extra: AccountQuery = {}): Promise<CursorPage<Account>> {
  return unwrap(
    api.GET('/api/v1/accounts', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...accountQuery(f),
          ...extra,
        },
      },
    }),
  );
}

export function useAccount(id: string) {
  return useQuery({
    queryKey: accountKeys.detail(id),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{account_id}', { params: { path: { account_id: id } } })),
  });
}

export function useAccountClaims(id: string) {
  return useQuery({
    queryKey: accountKeys.claims(id),
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{account_id}/claims', { params: { path: { account_id: id } } })),
  });
}

/** Accounts matching a search, for pickers (lead conversion links an existing customer). */
export function useAccountSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: accountKeys.picker(q),
    enabled,
    queryFn: () => fetchAccountsPage({ q }, { cursor: null, limit: 20, includeTotal: false }),
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

export interface DuplicateProbe {
  name: string;
  nameEn: string;
  uscc: string;
}

/** Whether a probe has enough to check: two characters of a name, or a full 18-character USCC. */
export function probeIsUseful(p: DuplicateProbe): boolean {
  return p.name.trim().length >= 2 || p.nameEn.trim().length >= 3 || p.uscc.trim().length === 18;
}

/** Live duplicate check while a customer is typed in (the caller debounces the probe). */
export function useDuplicates(probe: DuplicateProbe, enabled = true) {
  const name = probe.name.trim();
  const nameEn = probe.nameEn.trim();
  const uscc = probe.uscc.trim();
  return useQuery({
    queryKey: accountKeys.duplicates({ name, nameEn, uscc }),
    enabled: enabled && probeIsUseful(probe),
    staleTime: 15_000,
    retry: false,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/accounts/duplicates', {
          params: {
            query: {
              ...(name.length >= 2 ? { name } : {}),
              ...(nameEn.length >= 3 ? { name_en: nameEn } : {}),
              ...(uscc.length === 18 ? { uscc } : {}),
            },
          },
        }),
      ),
  });
}

export function useCreateAccount() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AccountCreate) => unwrapDetailed(api.POST('/api/v1/accounts', { body })),
    onSuccess: (account) => {
      qc.setQueryData(accountKeys.detail(account.id), account);
      void qc.invalidateQueries({ queryKey: [...accountKeys.all, 'list'] });
    },
  });
}

export function useUpdateAccount(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AccountUpdate) =>
      unwrapDetailed(api.PATCH('/api/v1/accounts/{account_id}', { params: { path: { account_id: id } }, body })),
    onSuccess: (account) => {
      qc.setQueryData(accountKeys.detail(id), account);
      void qc.invalidateQueries({ queryKey: [...accountKeys.all, 'list'] });
      void qc.invalidateQueries({ queryKey: relatedKeys.audit });
    },
  });
}

function invalidateAccountEverywhere(qc: ReturnType<typeof useQueryClient>) {
  for (const key of [accountKeys.all, relatedKeys.pool, relatedKeys.audit, relatedKeys.conflicts]) {
    void qc.invalidateQueries({ queryKey: key });
  }
}

export function useTransferAccount(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AccountTransfer) =>
      unwrap(api.POST('/api/v1/accounts/{account_id}/transfer', { params: { path: { account_id: id } }, body })),
    onSuccess: () => invalidateAccountEverywhere(qc),
  });
}

/** Claim (报备) a visible account for the caller. */
export function useClaimAccount(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrapDetailed(api.POST('/api/v1/accounts/{account_id}/claims', { params: { path: { account_id: id } } })),
    onSuccess: () => invalidateAccountEverywhere(qc),
    onError: () => void qc.invalidateQueries({ queryKey: relatedKeys.conflicts }),
  });
}

/** Give an owned account back to the public pool (公海). */
export function useReleaseAccount(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(api.POST('/api/v1/pool/{account_id}/release', { params: { path: { account_id: id } }, body: { reason } })),
    onSuccess: () => invalidateAccountEverywhere(qc),
  });
}

// --- the 360° view's related lists ----------------------------------------------------------

export function fetchAccountOpportunities(accountId: string, req: PageRequest): Promise<CursorPage<Opportunity>> {
  return unwrap(
    api.GET('/api/v1/opportunities', {
      params: {
        query: {
          account_id: accountId,
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
        },
      },
    }),
  );
}

export function useCreateOpportunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: OpportunityCreate) => unwrapDetailed(api.POST('/api/v1/opportunities', { body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: relatedKeys.opportunities });
      void qc.invalidateQueries({ queryKey: accountKeys.all });
    },
    onError: () => void qc.invalidateQueries({ queryKey: relatedKeys.conflicts }),
  });
}

export interface ActivityFilters {
  accountId: string;
  kind: Activity['kind'] | null;
}

export const activityKeys = {
  all: relatedKeys.activities,
  ofAccount: (f: ActivityFilters) => [...relatedKeys.activities, 'account', f] as const,
};

export function fetchActivitiesPage(f: ActivityFilters, cursor: string | null, limit = 20): Promise<CursorPage<Activity>> {
  return unwrap(
    api.GET('/api/v1/activities', {
      params: {
        query: {
          account_id: f.accountId,
          limit,
          sort: '-occurred_at',
          ...(f.kind ? { kind: f.kind } : {}),
          ...(cursor ? { cursor } : { include_total: true }),
        },
      },
    }),
  );
}

export function useLogActivity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ActivityCreate) => unwrap(api.POST('/api/v1/activities', { body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: relatedKeys.activities });
      // A logged follow-up moves the account's last follow-up (and its pool clock).
      void qc.invalidateQueries({ queryKey: accountKeys.all });
    },
  });
}

export function useCompleteActivity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (activity: Pick<Activity, 'id' | 'version'>) =>
      unwrap(
        api.POST('/api/v1/activities/{activity_id}/complete', {
          params: { path: { activity_id: activity.id } },
          body: { version: activity.version },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: relatedKeys.activities });
      void qc.invalidateQueries({ queryKey: accountKeys.all });
    },
  });
}

export function fetchAccountAudit(accountId: string, req: PageRequest): Promise<CursorPage<AuditEvent>> {
  return unwrap(
    api.GET('/api/v1/audit-events', {
      params: {
        query: {
          entity_type: 'account',
          entity_id: accountId,
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
        },
      },
    }),
  );
}
