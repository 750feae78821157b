import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { Contact, ContactCreate, ContactUpdate, CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';

export const contactKeys = {
  all: ['contacts'] as const,
  ofAccount: (accountId: string) => [...contactKeys.all, 'account', accountId] as const,
  options: (accountId: string) => [...contactKeys.all, 'account', accountId, 'options'] as const,
};

export function fetchAccountContacts(accountId: string, req: PageRequest): Promise<CursorPage<Contact>> {
  return unwrap(
    api.GET('/api/v1/accounts/{account_id}/contacts', {
      params: {
        path: { account_id: accountId },
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
        },
      },
    }),
  );
}

/** The first contacts of an account, for pickers (log an activity with a contact). */
export function useContactOptions(accountId: string, enabled = true) {
  return useQuery({
    queryKey: contactKeys.options(accountId),
    enabled,
    queryFn: () => fetchAccountContacts(accountId, { cursor: null, limit: 100, includeTotal: false }),
    staleTime: 60_000,
  });
}

function useInvalidateContacts() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: contactKeys.all });
    void qc.invalidateQueries({ queryKey: ['audit-events'] });
    // Creating a contact on a protected account of another subsidiary records a conflict.
    void qc.invalidateQueries({ queryKey: ['conflicts'] });
  };
}

export function useCreateContact() {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (body: ContactCreate) => unwrapDetailed(api.POST('/api/v1/contacts', { body })),
    onSettled: invalidate,
  });
}

export function useUpdateContact() {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ContactUpdate }) =>
      unwrapDetailed(api.PATCH('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id } }, body })),
    onSettled: invalidate,
  });
}

export function useDeleteContact() {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (id: string) => unwrapDetailed(api.DELETE('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id } } })),
    onSettled: invalidate,
  });
}

export { contactChanges, isMaskedValue } from './masking';
