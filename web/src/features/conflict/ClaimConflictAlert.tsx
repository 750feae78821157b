import { Alert, Button } from 'antd';
import dayjs from 'dayjs';
import { Link } from 'react-router-dom';
import { useAccess } from '@/features/auth/hooks';
import { claimConflictInfo } from '@/features/account/errorDetails';
import { useI18n } from '@/i18n';

/**
 * Shows a 409 `claim_conflict` (撞单): the server's message names the protecting unit; we add
 * until when it is protected and that the conflict is now on record for the protecting side.
 * Renders nothing for any other error.
 */
export function ClaimConflictAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useI18n();
  const { can } = useAccess();
  const info = claimConflictInfo(error);
  if (!info) return null;
  const lines = [
    info.protectingUnit ? t('conflict.protectingUnit', { unit: info.protectingUnit }) : null,
    info.protectedUntil ? t('conflict.protectedUntil', { date: dayjs(info.protectedUntil).format('YYYY-MM-DD') }) : null,
    t('conflict.recordedHint'),
  ].filter((l): l is string => l !== null);
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      data-testid="claim-conflict"
      style={{ marginBottom: 16 }}
      message={info.message}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      }
      closable={Boolean(onClose)}
      onClose={onClose}
      action={
        can('account.read') ? (
          <Link to="/conflicts?status=open">
            <Button size="small">{t('conflict.viewList')}</Button>
          </Link>
        ) : undefined
      }
    />
  );
}
