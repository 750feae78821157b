import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';
import { moneyKeys } from '../contract/hooks';
import type { AgingQuery, CreditHold, CreditRule, CreditRulePut, Receivable } from '../types';

export interface AgingParams {
  groupBy: NonNullable<AgingQuery['group_by']>;
  asOf: string | null;
  currency: string | null;
}

export const receivableKeys = {
  aging: (p: AgingParams) => [...moneyKeys.receivables, 'aging', p] as const,
  list: (f: ReceivableFilters) => [...moneyKeys.receivables, 'list', f] as const,
  account: (id: string) => [...moneyKeys.receivables, 'account', id] as const,
  holds: (f: { status: string | null; subsidiaryId: string | null; accountId?: string | null }) => [...moneyKeys.credit, 'holds', f] as const,
  rules: [...moneyKeys.credit, 'rules'] as const,
  accountCredit: (id: string) => [...moneyKeys.credit, 'account', id] as const,
};

export function useAging(p: AgingParams) {
  return useQuery({
    queryKey: receivableKeys.aging(p),
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/receivables/aging', {
          params: {
            query: {
              group_by: p.groupBy,
              ...(p.asOf ? { as_of: p.asOf } : {}),
              ...(p.currency ? { currency: p.currency } : {}),
            },
          },
        }),
      ),
  });
}

/** One account's receivables aging (per subsidiary), for the customer 360° page. */
export function useAccountAging(accountId: string, enabled = true) {
  return useQuery({
    queryKey: receivableKeys.account(accountId),
    enabled: enabled && Boolean(accountId),
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{account_id}/receivables', { params: { path: { account_id: accountId } } })),
  });
}

export function useAccountCredit(accountId: string, enabled = true) {
  return useQuery({
    queryKey: receivableKeys.accountCredit(accountId),
    enabled: enabled && Boolean(accountId),
    queryFn: () => unwrap(api.GET('/api/v1/accounts/{account_id}/credit', { params: { path: { account_id: accountId } } })),
  });
}

export interface ReceivableFilters {
  accountId: string | null;
  subsidiaryId: string | null;
  contractId: string | null;
  overdueOnly: boolean;
  asOf: string | null;
  /** A unit's whole subtree (drill-down from the dashboard). */
  unitId?: string | null;
  /** Past due (true) or not yet due (false), as a dashboard figure counted them. */
  overdue?: boolean | null;
  /** A person's installments (a league-table row's drill-down). */
  ownerId?: string | null;
}

export function fetchReceivablesPage(f: ReceivableFilters, req: PageRequest): Promise<CursorPage<Receivable>> {
  return unwrap(
    api.GET('/api/v1/receivables', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.accountId ? { account_id: f.accountId } : {}),
          ...(f.subsidiaryId ? { subsidiary_id: f.subsidiaryId } : {}),
          ...(f.contractId ? { contract_id: f.contractId } : {}),
          ...(f.overdueOnly ? { overdue_only: true } : {}),
          ...(f.asOf ? { as_of: f.asOf } : {}),
          ...(f.unitId ? { unit_id: f.unitId } : {}),
          ...(typeof f.overdue === 'boolean' ? { overdue: f.overdue } : {}),
          ...(f.ownerId ? { owner_id: f.ownerId } : {}),
        },
      },
    }),
  );
}

export function fetchCreditHoldsPage(
  f: { status: 'active' | 'released' | null; subsidiaryId: string | null; accountId?: string | null },
  req: PageRequest,
): Promise<CursorPage<CreditHold>> {
  return unwrap(
    api.GET('/api/v1/credit-holds', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.status ? { status: f.status } : {}),
          ...(f.subsidiaryId ? { subsidiary_id: f.subsidiaryId } : {}),
          ...(f.accountId ? { account_id: f.accountId } : {}),
        },
      },
    }),
  );
}

export function fetchCreditRulesPage(req: PageRequest): Promise<CursorPage<CreditRule>> {
  return unwrap(
    api.GET('/api/v1/credit-rules', {
      params: { query: { limit: req.limit, ...(req.cursor ? { cursor: req.cursor } : {}), ...(req.includeTotal ? { include_total: true } : {}) } },
    }),
  );
}

export function usePutCreditRule(subsidiaryId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreditRulePut) =>
      unwrapDetailed(api.PUT('/api/v1/credit-rules/{subsidiary_id}', { params: { path: { subsidiary_id: subsidiaryId } }, body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: moneyKeys.credit }),
  });
}
