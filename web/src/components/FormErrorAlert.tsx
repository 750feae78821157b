import { Alert, Button } from 'antd';
import { useCallback, useState } from 'react';
import type { FormInstance } from 'antd';
import { useI18n } from '@/i18n';
import { applyApiError, type FormErrorState } from './formErrors';

/** Keeps the last API error of a form: field errors go onto inputs, the rest into the alert. */
export function useFormError(form: FormInstance) {
  const [formError, setFormError] = useState<FormErrorState | null>(null);
  const handleError = useCallback((error: unknown) => setFormError(applyApiError(form, error)), [form]);
  const clearError = useCallback(() => setFormError(null), []);
  return { formError, handleError, clearError };
}

export function FormErrorAlert({ error, onReload }: { error: FormErrorState | null; onReload?: () => void }) {
  const { t } = useI18n();
  // When every problem is shown under its own input, a banner would only repeat it.
  if (!error || (error.placedOnFields > 0 && error.details.length === 0)) return null;
  const conflict = error.code === 'version_conflict';
  return (
    <Alert
      role="alert"
      data-testid="form-error"
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      message={error.message}
      description={
        error.details.length ? (
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>
            {error.details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        ) : undefined
      }
      action={
        conflict && onReload ? (
          <Button size="small" onClick={onReload}>
            {t('common.reload')}
          </Button>
        ) : undefined
      }
    />
  );
}
