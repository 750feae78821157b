import { Button, Result, Spin } from 'antd';
import { type ReactNode, useEffect } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { isApiError } from '@/api/errors';
import { isLocale, useI18n } from '@/i18n';
import { useMe } from './hooks';

/** Renders its children only for a signed-in user; adopts the user's saved language. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const { locale, setLocale, t } = useI18n();
  const serverLocale = me.data?.user.locale;

  useEffect(() => {
    if (isLocale(serverLocale) && serverLocale !== locale) setLocale(serverLocale);
    // Only a change of the saved preference moves the UI; local switches update it first.
  }, [serverLocale]);

  if (me.isPending) {
    return (
      <div className="fullscreen-center">
        <Spin size="large" />
      </div>
    );
  }
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      const next = encodeURIComponent(location.pathname + location.search);
      return <Navigate to={`/login?next=${next}`} replace />;
    }
    return (
      <Result
        status="error"
        title={t('common.loadFailed')}
        subTitle={me.error instanceof Error ? me.error.message : undefined}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  return <>{children}</>;
}
