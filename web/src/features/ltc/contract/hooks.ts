import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';
import type {
  AmendmentCreate,
  Contract,
  ContractCreate,
  ContractDetail,
  ContractQuery,
  ContractUpdate,
  Invoice,
  InvoiceCreate,
  Payment,
  PaymentCreate,
  PaymentPlanPut,
} from '../types';

export interface ContractFilters {
  q: string;
  status: ContractQuery['status'] | null;
  ownerId: string | null;
  accountId: string | null;
  opportunityId: string | null;
  signedFrom: string | null;
  signedTo: string | null;
  /** A unit's whole subtree (drill-down from the dashboard). */
  unitId?: string | null;
  sort: string | null;
}

export const contractKeys = {
  all: ['contracts'] as const,
  list: (f: Partial<ContractFilters>) => [...contractKeys.all, 'list', f] as const,
  detail: (id: string) => [...contractKeys.all, 'detail', id] as const,
};

/** Invoices, payments and receivables change with every contract money movement. */
export const moneyKeys = {
  invoices: ['invoices'] as const,
  payments: ['payments'] as const,
  receivables: ['receivables'] as const,
  credit: ['credit'] as const,
};

export const DEFAULT_CONTRACT_SORT = '-created_at';

/** The list endpoint's filters (also what an export sends). */
export function contractQuery(f: Partial<ContractFilters>): ContractQuery {
  return {
    ...(f.q ? { q: f.q } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.ownerId ? { owner_id: f.ownerId } : {}),
    ...(f.accountId ? { account_id: f.accountId } : {}),
    ...(f.opportunityId ? { opportunity_id: f.opportunityId } : {}),
    ...(f.unitId ? { unit_id: f.unitId } : {}),
    ...(f.signedFrom ? { signed_from: f.signedFrom } : {}),
    ...(f.signedTo ? { signed_to: f.signedTo } : {}),
    ...(f.sort ? { sort: f.sort } : {}),
  };
}

export function fetchContractsPage(f: Partial<ContractFilters>, req: PageRequest): Promise<CursorPage<Contract>> {
  return unwrap(
    api.GET('/api/v1/contracts', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...contractQuery(f),
        },
      },
    }),
  );
}

/** The live (not terminated) contract made from a quote, if any: a quote backs at most one. */
export function useContractOfQuote(quote: { id: string; opportunity_id: string } | null, enabled: boolean) {
  return useQuery({
    queryKey: [...contractKeys.all, 'of-quote', quote?.id ?? ''],
    enabled: enabled && Boolean(quote),
    queryFn: async () => {
      const page = await fetchContractsPage({ opportunityId: quote?.opportunity_id ?? '' }, { cursor: null, limit: 100, includeTotal: false });
      return page.items.find((c) => c.quote_id === quote?.id && c.status !== 'terminated') ?? null;
    },
  });
}

export function useContract(id: string) {
  return useQuery({
    queryKey: contractKeys.detail(id),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/contracts/{contract_id}', { params: { path: { contract_id: id } } })),
  });
}

function invalidateMoney(qc: ReturnType<typeof useQueryClient>) {
  for (const key of Object.values(moneyKeys)) void qc.invalidateQueries({ queryKey: key });
}

function useContractWrite<V>(fn: (v: V) => Promise<ContractDetail>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (c) => {
      qc.setQueryData(contractKeys.detail(c.id), c);
      void qc.invalidateQueries({ queryKey: contractKeys.all, predicate: (q) => !(q.queryKey[1] === 'detail' && q.queryKey[2] === c.id) });
      void qc.invalidateQueries({ queryKey: ['approvals'] });
      void qc.invalidateQueries({ queryKey: ['quotes'] });
      invalidateMoney(qc);
    },
    // A refusal may still have raised an approval request, or the contract moved meanwhile.
    onError: () => void qc.invalidateQueries({ queryKey: contractKeys.all }),
  });
}

export function useCreateContract() {
  return useContractWrite((body: ContractCreate) => unwrapDetailed(api.POST('/api/v1/contracts', { body })));
}

export function useUpdateContract(id: string) {
  return useContractWrite((body: ContractUpdate) =>
    unwrapDetailed(api.PATCH('/api/v1/contracts/{contract_id}', { params: { path: { contract_id: id } }, body })),
  );
}

export type ContractTransition = 'submit' | 'activate' | 'complete';

export function useContractTransition(id: string) {
  return useContractWrite(({ action, version }: { action: ContractTransition; version: number }) => {
    const init = { params: { path: { contract_id: id } }, body: { version } };
    switch (action) {
      case 'submit':
        return unwrapDetailed(api.POST('/api/v1/contracts/{contract_id}/submit', init));
      case 'activate':
        return unwrapDetailed(api.POST('/api/v1/contracts/{contract_id}/activate', init));
      case 'complete':
        return unwrapDetailed(api.POST('/api/v1/contracts/{contract_id}/complete', init));
    }
  });
}

export function useSignContract(id: string) {
  return useContractWrite((body: { signing_date: string; version: number }) =>
    unwrapDetailed(api.POST('/api/v1/contracts/{contract_id}/sign', { params: { path: { contract_id: id } }, body })),
  );
}

export function useTerminateContract(id: string) {
  return useContractWrite((body: { reason: string; version: number }) =>
    unwrapDetailed(api.POST('/api/v1/contracts/{contract_id}/terminate', { params: { path: { contract_id: id } }, body })),
  );
}

/** Replaces the plan; the answer is the plan, so the contract is reloaded. */
export function useSavePaymentPlan(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PaymentPlanPut) =>
      unwrapDetailed(api.PUT('/api/v1/contracts/{contract_id}/payment-plan', { params: { path: { contract_id: id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: contractKeys.all });
      invalidateMoney(qc);
    },
  });
}

export function useCreateAmendment(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AmendmentCreate) =>
      unwrapDetailed(api.POST('/api/v1/contracts/{contract_id}/amendments', { params: { path: { contract_id: id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: contractKeys.all });
      invalidateMoney(qc);
    },
  });
}

// --- invoices and payments of a contract ------------------------------------------------------

export function fetchInvoicesPage(f: { contractId?: string; accountId?: string; status?: string | null }, req: PageRequest): Promise<CursorPage<Invoice>> {
  return unwrap(
    api.GET('/api/v1/invoices', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.contractId ? { contract_id: f.contractId } : {}),
          ...(f.accountId ? { account_id: f.accountId } : {}),
        },
      },
    }),
  );
}

export function fetchPaymentsPage(f: { contractId?: string; accountId?: string }, req: PageRequest): Promise<CursorPage<Payment>> {
  return unwrap(
    api.GET('/api/v1/payments', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.contractId ? { contract_id: f.contractId } : {}),
          ...(f.accountId ? { account_id: f.accountId } : {}),
        },
      },
    }),
  );
}

function useMoneyWrite<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      invalidateMoney(qc);
      void qc.invalidateQueries({ queryKey: contractKeys.all });
    },
  });
}

export function useIssueInvoice() {
  return useMoneyWrite((body: InvoiceCreate) => unwrapDetailed(api.POST('/api/v1/invoices', { body })));
}

export function useVoidInvoice() {
  return useMoneyWrite(({ id, reason }: { id: string; reason: string }) =>
    unwrapDetailed(api.POST('/api/v1/invoices/{invoice_id}/void', { params: { path: { invoice_id: id } }, body: { reason } })),
  );
}

export function useRecordPayment() {
  return useMoneyWrite((body: PaymentCreate) => unwrapDetailed(api.POST('/api/v1/payments', { body })));
}

/** Allocates a payment's unapplied remainder (automatically, or per installment). */
export function useAllocatePayment() {
  return useMoneyWrite(({ id, body }: { id: string; body: { allocations?: { installment_id: string; amount: string }[]; auto_allocate: boolean } }) =>
    unwrapDetailed(api.POST('/api/v1/payments/{payment_id}/allocations', { params: { path: { payment_id: id } }, body })),
  );
}

export function useReversePayment() {
  return useMoneyWrite(({ id, reason }: { id: string; reason: string }) =>
    unwrapDetailed(api.POST('/api/v1/payments/{payment_id}/reverse', { params: { path: { payment_id: id } }, body: { reason } })),
  );
}
