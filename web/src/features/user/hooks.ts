import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import type { CursorPage, User, UserCreate, UserUpdate } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';

export const userKeys = {
  all: ['users'] as const,
  list: (filters: UserFilters) => [...userKeys.all, 'list', filters] as const,
  detail: (id: string) => [...userKeys.all, 'detail', id] as const,
  positions: (id: string) => [...userKeys.all, 'detail', id, 'positions'] as const,
  grants: (id: string) => [...userKeys.all, 'detail', id, 'grants'] as const,
};

export interface UserFilters {
  q: string;
  unitId: string | null;
  /** `null` lists active and inactive users alike. */
  active?: boolean | null;
}

export function fetchUsersPage(filters: UserFilters, req: PageRequest): Promise<CursorPage<User>> {
  return unwrap(
    api.GET('/api/v1/users', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.unitId ? { unit_id: filters.unitId } : {}),
          ...(typeof filters.active === 'boolean' ? { is_active: filters.active } : {}),
        },
      },
    }),
  );
}

export function useUser(id: string | null) {
  return useQuery({
    queryKey: userKeys.detail(id ?? ''),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: id ?? '' } } })),
  });
}

export function useUserPositions(id: string) {
  return useQuery({
    queryKey: userKeys.positions(id),
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}/positions', { params: { path: { user_id: id } } })),
  });
}

export function useUserGrants(id: string) {
  return useQuery({
    queryKey: userKeys.grants(id),
    queryFn: () => unwrap(api.GET('/api/v1/users/{user_id}/grants', { params: { path: { user_id: id } } })),
  });
}

export function useRoles() {
  return useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/v1/roles')), staleTime: 5 * 60_000 });
}

/** Users matching a search, for pickers (actor filter). */
export function useUserSearch(q: string) {
  return useQuery({
    queryKey: [...userKeys.all, 'search', q],
    queryFn: () => fetchUsersPage({ q, unitId: null }, { cursor: null, limit: 20, includeTotal: false }),
    staleTime: 60_000,
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST('/api/v1/users', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UserUpdate) => unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: id } }, body })),
    onSuccess: (user) => {
      qc.setQueryData(userKeys.detail(id), user);
      void qc.invalidateQueries({ queryKey: [...userKeys.all, 'list'] });
    },
  });
}

export function useSetPassword(id: string) {
  return useMutation({
    mutationFn: (password: string) =>
      unwrap(api.PUT('/api/v1/users/{user_id}/password', { params: { path: { user_id: id } }, body: { password } })),
  });
}

export function useAddPosition(userId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { unit_id: string; title?: string | null; is_primary: boolean }) =>
      unwrap(api.POST('/api/v1/users/{user_id}/positions', { params: { path: { user_id: userId } }, body })),
    // A new primary position changes the user's primary unit too.
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useRemovePosition(userId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (positionId: string) =>
      unwrap(api.DELETE('/api/v1/users/{user_id}/positions/{position_id}', { params: { path: { user_id: userId, position_id: positionId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useAddGrant(userId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { role_id: string; unit_id: string }) =>
      unwrap(api.POST('/api/v1/users/{user_id}/grants', { params: { path: { user_id: userId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.detail(userId) }),
  });
}

export function useRemoveGrant(userId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (grantId: string) =>
      unwrap(api.DELETE('/api/v1/users/{user_id}/grants/{grant_id}', { params: { path: { user_id: userId, grant_id: grantId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.detail(userId) }),
  });
}

/** Masked values (`138****5678`) must never be sent back as if they were real. */
export const isMasked = (value: string | null | undefined): boolean => Boolean(value && value.includes('*'));
