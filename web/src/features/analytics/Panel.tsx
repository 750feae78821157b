import { Card, Grid, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { QueryError } from '@/components/QueryError';
import type { DrillValue } from './drill';
import { ExportButton } from './ExportButton';

interface Props {
  title: ReactNode;
  /** Controls next to the title (a metric switch, a date picker). */
  extra?: ReactNode;
  /** The endpoint whose `?format=xlsx` the export button downloads, with the panel's query. */
  exportPath?: string;
  exportQuery?: Record<string, DrillValue>;
  exportName?: string;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  testId: string;
  children: ReactNode;
}

/** One dashboard panel: a card with its title, its own controls and export, loading and error states. */
export function Panel({ title, extra, exportPath, exportQuery, exportName, loading, error, onRetry, testId, children }: Props) {
  const screens = Grid.useBreakpoint();
  const phone = !screens.sm;
  return (
    <Card
      size="small"
      className="analytics-panel"
      data-testid={testId}
      title={title}
      extra={
        <span className="analytics-panel-extra">
          {extra}
          {exportPath && exportQuery ? (
            <ExportButton path={exportPath} query={exportQuery} name={exportName ?? testId} compact={phone} testId={`${testId}-export`} />
          ) : null}
        </span>
      }
    >
      {error ? <QueryError error={error} onRetry={onRetry} /> : loading ? <Skeleton active paragraph={{ rows: 5 }} /> : children}
    </Card>
  );
}
