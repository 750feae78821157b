import { Alert, Button } from 'antd';
import { isApiError } from '@/api/errors';
import { useI18n } from '@/i18n';

/** A failed load: the server's message and a retry button. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const message = isApiError(error) || error instanceof Error ? error.message : t('common.loadFailed');
  return (
    <Alert
      type="error"
      showIcon
      message={t('common.loadFailed')}
      description={message}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}
