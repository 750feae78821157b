import { api, unwrap } from '@/api/client';
import type { AuditEvent, CursorPage } from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';

export interface AuditFilters {
  entityType: string | null;
  entityId: string | null;
  actorId: string | null;
  since: string | null;
  until: string | null;
}

export const auditKeys = {
  all: ['audit-events'] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, 'list', filters] as const,
};

export function fetchAuditPage(f: AuditFilters, req: PageRequest): Promise<CursorPage<AuditEvent>> {
  return unwrap(
    api.GET('/api/v1/audit-events', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(f.entityType ? { entity_type: f.entityType } : {}),
          ...(f.entityId ? { entity_id: f.entityId } : {}),
          ...(f.actorId ? { actor_id: f.actorId } : {}),
          ...(f.since ? { since: f.since } : {}),
          ...(f.until ? { until: f.until } : {}),
        },
      },
    }),
  );
}
