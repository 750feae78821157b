import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useCallback, useMemo } from 'react';
import { api, rememberCsrfToken, unwrap } from '@/api/client';
import { isApiError } from '@/api/errors';
import type { Me } from '@/api/types';
import { type Locale, useI18n } from '@/i18n';

export const meKey = ['me'] as const;

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET('/api/v1/me'));
}

export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: fetchMe,
    staleTime: 5 * 60_000,
    retry: (count, error) => !(isApiError(error) && error.status < 500) && count < 2,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; password: string }) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (data) => {
      rememberCsrfToken(data.csrf_token);
      qc.clear();
      qc.setQueryData(meKey, data.user);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      rememberCsrfToken(null);
      qc.clear();
    },
  });
}

/** Switches the UI language; when signed in, also saves it as the user's preference. */
export function useChangeLocale() {
  const { setLocale, t } = useI18n();
  const qc = useQueryClient();
  const { message } = App.useApp();
  return useCallback(
    async (next: Locale) => {
      setLocale(next);
      const me = qc.getQueryData<Me>(meKey);
      if (!me || me.user.locale === next) return;
      qc.setQueryData<Me>(meKey, { ...me, user: { ...me.user, locale: next } });
      try {
        const updated = await unwrap(api.PATCH('/api/v1/me/preferences', { body: { locale: next } }));
        qc.setQueryData(meKey, updated);
      } catch (error) {
        message.error(isApiError(error) ? error.message : t('common.loadFailed'));
      }
    },
    [message, qc, setLocale, t],
  );
}

export interface Access {
  permissions: ReadonlySet<string>;
  can: (permission: string) => boolean;
}

export function accessOf(me: Me | undefined): Access {
  const permissions = new Set(me?.permissions ?? []);
  return { permissions, can: (p) => permissions.has(p) };
}

/** The signed-in user's permissions. Pages inside the shell always have `me` loaded. */
export function useAccess(): Access {
  const { data } = useMe();
  return useMemo(() => accessOf(data), [data]);
}

export function primaryPosition(me: Me) {
  return me.positions.find((p) => p.is_primary) ?? me.positions[0] ?? null;
}

/** A role's name in the UI language (roles carry an optional English name). */
export function roleLabel(role: { role_name: string; role_name_en?: string | null }, locale: string): string {
  return locale === 'en-US' && role.role_name_en ? role.role_name_en : role.role_name;
}

export function roleNames(me: Me, locale: string): string[] {
  return [...new Set(me.grants.map((g) => roleLabel(g, locale)))];
}

/** The server's permission catalogue (code → localized names); labels fall back to our dictionary. */
export function usePermissionCatalog() {
  return useQuery({
    queryKey: ['permissions'],
    queryFn: () => unwrap(api.GET('/api/v1/permissions')),
    staleTime: 30 * 60_000,
    select: (list) => new Map(list.map((p) => [p.code, p])),
  });
}
