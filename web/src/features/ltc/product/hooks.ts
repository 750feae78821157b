import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';
import { unwrapDetailed } from '@/features/account/errorDetails';
import type { EntryPut, FxRate, FxRatePut, PriceBook, PriceBookCreate, PriceBookEntry, PriceBookUpdate, Product, ProductCreate, ProductUpdate } from '../types';

const pageQuery = (req: PageRequest) => ({
  limit: req.limit,
  ...(req.cursor ? { cursor: req.cursor } : {}),
  ...(req.includeTotal ? { include_total: true } : {}),
});

export const productKeys = {
  all: ['products'] as const,
  list: (f: object) => [...productKeys.all, 'list', f] as const,
  picker: (q: string) => [...productKeys.all, 'picker', q] as const,
};
export const bookKeys = {
  all: ['price-books'] as const,
  list: (f: object) => [...bookKeys.all, 'list', f] as const,
  detail: (id: string) => [...bookKeys.all, 'detail', id] as const,
  entries: (id: string, q: string) => [...bookKeys.all, id, 'entries', 'admin', q] as const,
};
export const fxKeys = {
  all: ['fx-rates'] as const,
  list: (f: object) => [...fxKeys.all, 'list', f] as const,
};

// --- products ----------------------------------------------------------------------------------

export interface ProductFilters {
  q: string;
  category: string | null;
  active: boolean | null;
}

export function fetchProductsPage(f: ProductFilters, req: PageRequest): Promise<CursorPage<Product>> {
  return unwrap(
    api.GET('/api/v1/products', {
      params: {
        query: {
          ...pageQuery(req),
          ...(f.q ? { q: f.q } : {}),
          ...(f.category ? { category: f.category } : {}),
          ...(f.active !== null ? { active: f.active } : {}),
          sort: 'code',
        },
      },
    }),
  );
}

export function useProductSearch(q: string, enabled = true) {
  return useQuery({
    queryKey: productKeys.picker(q),
    enabled,
    staleTime: 60_000,
    queryFn: () => fetchProductsPage({ q, category: null, active: true }, { cursor: null, limit: 30, includeTotal: false }),
  });
}

export function useSaveProduct(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductCreate | ProductUpdate) =>
      id
        ? unwrapDetailed(api.PATCH('/api/v1/products/{product_id}', { params: { path: { product_id: id } }, body: body as ProductUpdate }))
        : unwrapDetailed(api.POST('/api/v1/products', { body: body as ProductCreate })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: productKeys.all });
      void qc.invalidateQueries({ queryKey: bookKeys.all });
    },
  });
}

// --- price books -------------------------------------------------------------------------------

export interface BookFilters {
  kind: 'group' | 'subsidiary' | null;
  active: boolean | null;
  q: string;
}

export function fetchBooksPage(f: BookFilters, req: PageRequest): Promise<CursorPage<PriceBook>> {
  return unwrap(
    api.GET('/api/v1/price-books', {
      params: {
        query: {
          ...pageQuery(req),
          ...(f.kind ? { kind: f.kind } : {}),
          ...(f.active !== null ? { active: f.active } : {}),
          ...(f.q ? { q: f.q } : {}),
        },
      },
    }),
  );
}

export function usePriceBook(id: string | null) {
  return useQuery({
    queryKey: bookKeys.detail(id ?? ''),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/price-books/{book_id}', { params: { path: { book_id: id ?? '' } } })),
  });
}

export function useSaveBook(id: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PriceBookCreate | PriceBookUpdate) =>
      id
        ? unwrapDetailed(api.PATCH('/api/v1/price-books/{book_id}', { params: { path: { book_id: id } }, body: body as PriceBookUpdate }))
        : unwrapDetailed(api.POST('/api/v1/price-books', { body: body as PriceBookCreate })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: bookKeys.all }),
  });
}

export function fetchEntriesPage(bookId: string, q: string, req: PageRequest): Promise<CursorPage<PriceBookEntry>> {
  return unwrap(
    api.GET('/api/v1/price-books/{book_id}/entries', {
      params: { path: { book_id: bookId }, query: { ...pageQuery(req), ...(q ? { q } : {}) } },
    }),
  );
}

export function usePutEntry(bookId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ productId, body }: { productId: string; body: EntryPut }) =>
      unwrapDetailed(
        api.PUT('/api/v1/price-books/{book_id}/entries/{product_id}', { params: { path: { book_id: bookId, product_id: productId } }, body }),
      ),
    onSuccess: () => void qc.invalidateQueries({ queryKey: bookKeys.all }),
  });
}

export function useDeleteEntry(bookId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (productId: string) =>
      unwrapDetailed(api.DELETE('/api/v1/price-books/{book_id}/entries/{product_id}', { params: { path: { book_id: bookId, product_id: productId } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: bookKeys.all }),
  });
}

// --- FX rates ----------------------------------------------------------------------------------

export interface FxFilters {
  from: string | null;
  to: string | null;
  rateType: 'average' | 'period_end' | null;
  periodFrom: string | null;
  periodTo: string | null;
}

export function fetchRatesPage(f: FxFilters, req: PageRequest): Promise<CursorPage<FxRate>> {
  return unwrap(
    api.GET('/api/v1/fx-rates', {
      params: {
        query: {
          ...pageQuery(req),
          ...(f.from ? { from_currency: f.from } : {}),
          ...(f.to ? { to_currency: f.to } : {}),
          ...(f.rateType ? { rate_type: f.rateType } : {}),
          ...(f.periodFrom ? { period_from: f.periodFrom } : {}),
          ...(f.periodTo ? { period_to: f.periodTo } : {}),
        },
      },
    }),
  );
}

export function usePutRate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: FxRatePut) => unwrapDetailed(api.PUT('/api/v1/fx-rates', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: fxKeys.all }),
  });
}

export function useDeleteRate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrapDetailed(api.DELETE('/api/v1/fx-rates/{rate_id}', { params: { path: { rate_id: id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: fxKeys.all }),
  });
}
