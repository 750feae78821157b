import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/api/client';
import { isApiError } from '@/api/errors';
import type {
  CursorPage,
  ProcessDraftUpdate,
  ProcessTemplate,
  ProcessTemplateCreate,
  ProcessTemplateUpdate,
} from '@/api/types';
import type { PageRequest } from '@/components/CursorTable';

export const processKeys = {
  all: ['process'] as const,
  templates: (filters: TemplateFilters) => [...processKeys.all, 'templates', filters] as const,
  allTemplates: () => [...processKeys.all, 'templates', 'all'] as const,
  template: (id: string) => [...processKeys.all, 'template', id] as const,
  versions: (templateId: string) => [...processKeys.all, 'template', templateId, 'versions'] as const,
  draft: (templateId: string) => [...processKeys.all, 'template', templateId, 'draft'] as const,
  version: (id: string) => [...processKeys.all, 'version', id] as const,
  effective: (subsidiaryId: string) => [...processKeys.all, 'effective', subsidiaryId] as const,
};

export interface TemplateFilters {
  q: string;
  kind: 'group' | 'variant' | null;
  subsidiaryId: string | null;
  active: boolean | null;
}

export function fetchTemplatesPage(filters: TemplateFilters, req: PageRequest): Promise<CursorPage<ProcessTemplate>> {
  return unwrap(
    api.GET('/api/v1/process-templates', {
      params: {
        query: {
          limit: req.limit,
          ...(req.cursor ? { cursor: req.cursor } : {}),
          ...(req.includeTotal ? { include_total: true } : {}),
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.kind ? { kind: filters.kind } : {}),
          ...(filters.subsidiaryId ? { subsidiary_id: filters.subsidiaryId } : {}),
          ...(typeof filters.active === 'boolean' ? { is_active: filters.active } : {}),
        },
      },
    }),
  );
}

/** Active templates for pickers (a group runs one standard and a handful of variants). */
export function useActiveTemplates() {
  return useQuery({
    queryKey: processKeys.allTemplates(),
    queryFn: () => fetchTemplatesPage({ q: '', kind: null, subsidiaryId: null, active: true }, { cursor: null, limit: 200, includeTotal: false }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useTemplate(id: string | null) {
  return useQuery({
    queryKey: processKeys.template(id ?? ''),
    enabled: Boolean(id),
    queryFn: () => unwrap(api.GET('/api/v1/process-templates/{template_id}', { params: { path: { template_id: id ?? '' } } })),
  });
}

export function useTemplateVersions(templateId: string | null) {
  return useQuery({
    queryKey: processKeys.versions(templateId ?? ''),
    enabled: Boolean(templateId),
    queryFn: () => unwrap(api.GET('/api/v1/process-templates/{template_id}/versions', { params: { path: { template_id: templateId ?? '' } } })),
  });
}

/** The template's draft, or `null` when it has none (404 `no_draft`). */
export function useDraft(templateId: string) {
  return useQuery({
    queryKey: processKeys.draft(templateId),
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/v1/process-templates/{template_id}/draft', { params: { path: { template_id: templateId } } }));
      } catch (error) {
        if (isApiError(error) && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useProcessVersion(versionId: string | null) {
  return useQuery({
    queryKey: processKeys.version(versionId ?? ''),
    enabled: Boolean(versionId),
    queryFn: () => unwrap(api.GET('/api/v1/process-versions/{version_id}', { params: { path: { version_id: versionId ?? '' } } })),
    // Published versions never change.
    staleTime: 10 * 60_000,
  });
}

export function useEffectiveProcess(subsidiaryId: string | null) {
  return useQuery({
    queryKey: processKeys.effective(subsidiaryId ?? ''),
    enabled: Boolean(subsidiaryId),
    queryFn: () => unwrap(api.GET('/api/v1/process-templates/effective', { params: { query: { subsidiary_id: subsidiaryId ?? '' } } })),
    staleTime: 5 * 60_000,
  });
}

export function useCreateTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProcessTemplateCreate) => unwrap(api.POST('/api/v1/process-templates', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: processKeys.all }),
  });
}

export function useUpdateTemplate(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProcessTemplateUpdate) => unwrap(api.PATCH('/api/v1/process-templates/{template_id}', { params: { path: { template_id: id } }, body })),
    onSuccess: (template) => {
      qc.setQueryData(processKeys.template(id), template);
      void qc.invalidateQueries({ queryKey: processKeys.all });
    },
  });
}

export function useStartDraft(templateId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/process-templates/{template_id}/draft', { params: { path: { template_id: templateId } } })),
    onSuccess: (draft) => {
      qc.setQueryData(processKeys.draft(templateId), draft);
      void qc.invalidateQueries({ queryKey: processKeys.all });
    },
  });
}

export function useSaveDraft(templateId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProcessDraftUpdate) =>
      unwrap(api.PUT('/api/v1/process-templates/{template_id}/draft', { params: { path: { template_id: templateId } }, body })),
    onSuccess: (draft) => {
      qc.setQueryData(processKeys.draft(templateId), draft);
      void qc.invalidateQueries({ queryKey: processKeys.template(templateId) });
    },
  });
}

export function usePublishDraft(templateId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (version: number) =>
      unwrap(api.POST('/api/v1/process-templates/{template_id}/draft/publish', { params: { path: { template_id: templateId } }, body: { version } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: processKeys.all }),
  });
}
