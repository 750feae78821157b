import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { type Drill, drillRoute } from './drill';

/**
 * A dashboard figure that opens the list behind it (its drill descriptor → the list page with
 * the same filters in the URL). Without a descriptor the figure is plain text.
 */
export function Figure({ drill, children, figure, testId = 'figure-link' }: { drill: Drill | null | undefined; children: ReactNode; figure?: string; testId?: string }) {
  const to = drillRoute(drill);
  if (!to) return <span data-figure={figure}>{children}</span>;
  return (
    <Link to={to} className="analytics-figure" data-testid={testId} data-figure={figure} onClick={(e) => e.stopPropagation()}>
      {children}
    </Link>
  );
}
