import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';
import type { Quote, QuoteCreate, QuoteDetail, QuoteLinesPut, QuoteQuery, QuoteUpdate } from '../types';

export interface QuoteFilters {
  q: string;
  status: QuoteQuery['status'] | null;
  ownerId: string | null;
  opportunityId: string | null;
  accountId: string | null;
  sort: string | null;
}

export const quoteKeys = {
  all: ['quotes'] as const,
  list: (f: Partial<QuoteFilters>) => [...quoteKeys.all, 'list', f] as const,
  detail: (id: string) => [...quoteKeys.all, 'detail', id] as const,
  ofOpportunity: (id: string) => [...quoteKeys.all, 'opportunity', id] as const,
  books: (subsidiaryId: string) => ['price-books', 'for-subsidiary', subsidiaryId] as const,
  entries: (bookId: string, q: string) => ['price-books', bookId, 'entries', 'picker', q] as const,
};

export const DEFAULT_QUOTE_SORT = '-created_at';

export function fetchQuotesPage(f: Partial<QuoteFilters>, req: PageRequest): Promise<CursorPage<Quote>> {
  return unwrap(
    api.GET('/api/v1/quotes', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(f.q ? { q: f.q } : {}),
          ...(f.status ? { status: f.status } : {}),
          ...(f.ownerId ? { owner_id: f.ownerId } : {}),
          ...(f.opportunityId ? { opportunity_id: f.opportunityId } : {}),
          ...(f.accountId ? { account_id: f.accountId } : {}),
          ...(f.sort ? { sort: f.sort } : {}),
        },
      },
    }),
  );
}

export function useQuote(id: string) {
  return useQuery({
    queryKey: quoteKeys.detail(id),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/quotes/{quote_id}', { params: { path: { quote_id: id } } })),
  });
}

/** Every revision of every quote of a deal (for the opportunity page's 报价 panel). */
export function useOpportunityQuotes(opportunityId: string, enabled = true) {
  return useQuery({
    queryKey: quoteKeys.ofOpportunity(opportunityId),
    enabled: enabled && Boolean(opportunityId),
    queryFn: async () => {
      const page = await unwrap(
        api.GET('/api/v1/opportunities/{opportunity_id}/quotes', { params: { path: { opportunity_id: opportunityId }, query: { limit: 100 } } }),
      );
      return page.items;
    },
  });
}

/** The price books a quote in this subsidiary may use: active group books and the subsidiary's own. */
export function usePriceBooksFor(subsidiaryId: string | null, enabled = true) {
  return useQuery({
    queryKey: quoteKeys.books(subsidiaryId ?? ''),
    enabled: enabled && Boolean(subsidiaryId),
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const page = await unwrap(
        api.GET('/api/v1/price-books', { params: { query: { active: true, limit: 100 } } }),
      );
      // Visible books may include other subsidiaries' lists: keep the group's and this subsidiary's.
      return page.items.filter((b) => b.is_active && (b.subsidiary_id === null || b.subsidiary_id === subsidiaryId));
    },
  });
}

/** A price book's priced products for the line editor's picker (searched on the server). */
export function useBookEntries(bookId: string | null, q: string) {
  return useQuery({
    queryKey: quoteKeys.entries(bookId ?? '', q),
    enabled: Boolean(bookId),
    staleTime: 60_000,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/price-books/{book_id}/entries', {
          params: { path: { book_id: bookId ?? '' }, query: { limit: 50, ...(q ? { q } : {}) } },
        }),
      ),
  });
}

function useQuoteWrite<V>(fn: (v: V) => Promise<QuoteDetail>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (quote) => {
      qc.setQueryData(quoteKeys.detail(quote.id), quote);
      void qc.invalidateQueries({
        queryKey: quoteKeys.all,
        predicate: (q) => !(q.queryKey[1] === 'detail' && q.queryKey[2] === quote.id),
      });
      void qc.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
}

export function useCreateQuote() {
  return useQuoteWrite((body: QuoteCreate) => unwrapDetailed(api.POST('/api/v1/quotes', { body })));
}

export function useUpdateQuote(id: string) {
  return useQuoteWrite((body: QuoteUpdate) =>
    unwrapDetailed(api.PATCH('/api/v1/quotes/{quote_id}', { params: { path: { quote_id: id } }, body })),
  );
}

export function useReplaceLines(id: string) {
  return useQuoteWrite((body: QuoteLinesPut) =>
    unwrapDetailed(api.PUT('/api/v1/quotes/{quote_id}/lines', { params: { path: { quote_id: id } }, body })),
  );
}

export type QuoteTransition = 'submit' | 'send' | 'accept' | 'revise';

export function useQuoteTransition(id: string) {
  return useQuoteWrite(({ action, version }: { action: QuoteTransition; version: number }) => {
    const path = { params: { path: { quote_id: id } }, body: { version } };
    switch (action) {
      case 'submit':
        return unwrapDetailed(api.POST('/api/v1/quotes/{quote_id}/submit', path));
      case 'send':
        return unwrapDetailed(api.POST('/api/v1/quotes/{quote_id}/send', path));
      case 'accept':
        return unwrapDetailed(api.POST('/api/v1/quotes/{quote_id}/accept', path));
      case 'revise':
        return unwrapDetailed(api.POST('/api/v1/quotes/{quote_id}/revise', path));
    }
  });
}

export function useDeclineQuote(id: string) {
  return useQuoteWrite(({ reason, version }: { reason: string; version: number }) =>
    unwrapDetailed(api.POST('/api/v1/quotes/{quote_id}/decline', { params: { path: { quote_id: id } }, body: { reason, version } })),
  );
}
