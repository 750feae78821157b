import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Tooltip } from 'antd';
import { useState } from 'react';
import { isApiError } from '@/api/errors';
import { useAccess } from '@/features/auth/hooks';
import { useI18n } from '@/i18n';
import type { DrillValue } from './drill';
import { downloadXlsx } from './download';

interface Props {
  /** The endpoint, e.g. `/api/v1/analytics/kpis` or `/api/v1/opportunities`. */
  path: string;
  /** The same query the screen's JSON request used (paging parameters are dropped). */
  query: Record<string, DrillValue>;
  /** File name when the server sends none. */
  name: string;
  size?: 'small' | 'middle';
  /** Icon only (panel headers on phones). */
  compact?: boolean;
  testId?: string;
}

/** Downloads the endpoint's `?format=xlsx`: the rows on screen, all pages, as an Excel file (needs export.run). */
export function ExportButton({ path, query, name, size = 'small', compact, testId = 'export-button' }: Props) {
  const { t } = useI18n();
  const { can } = useAccess();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  if (!can('export.run')) return null;
  const onClick = async () => {
    setBusy(true);
    try {
      const saved = await downloadXlsx(path, query, name);
      message.success(t('analytics.export.saved', { name: saved }));
    } catch (error) {
      message.error(isApiError(error) ? error.message : t('analytics.export.failed'));
    } finally {
      setBusy(false);
    }
  };
  const button = (
    <Button size={size} icon={<DownloadOutlined />} loading={busy} onClick={() => void onClick()} data-testid={testId} aria-label={t('analytics.export.button')}>
      {compact ? null : t('analytics.export.button')}
    </Button>
  );
  return compact ? <Tooltip title={t('analytics.export.hint')}>{button}</Tooltip> : button;
}
