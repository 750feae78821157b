import { Select } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '@/i18n';
import { useActiveTemplates, useProcessVersion, useTemplateVersions } from './hooks';

interface Props {
  value: string | null;
  onChange: (versionId: string) => void;
  style?: React.CSSProperties;
}

/**
 * Picks a published process version: the latest of every active template, and every published
 * version of the template currently shown (deals keep the version they started on).
 */
export function ProcessVersionPicker({ value, onChange, style }: Props) {
  const { t, locale } = useI18n();
  const templates = useActiveTemplates();
  const current = useProcessVersion(value);
  const currentTemplateId = current.data?.template_id ?? null;
  const versions = useTemplateVersions(currentTemplateId);

  const options = useMemo(() => {
    const name = (tpl: { name: string; name_en?: string | null }) => (locale === 'en-US' && tpl.name_en ? tpl.name_en : tpl.name);
    const out: { value: string; label: string }[] = [];
    for (const tpl of templates.data ?? []) {
      if (tpl.id === currentTemplateId && versions.data) {
        for (const v of versions.data.filter((x) => x.status === 'published').sort((a, b) => b.number - a.number)) {
          const latest = v.id === tpl.latest_published_version_id;
          out.push({ value: v.id, label: `${name(tpl)} · v${v.number}${latest ? '' : ` (${t('process.olderVersion')})`}` });
        }
      } else if (tpl.latest_published_version_id) {
        out.push({ value: tpl.latest_published_version_id, label: `${name(tpl)} · v${tpl.latest_published_number ?? ''}` });
      }
    }
    if (value && !out.some((o) => o.value === value)) out.push({ value, label: current.data ? `v${current.data.number}` : '…' });
    return out;
  }, [templates.data, versions.data, currentTemplateId, value, current.data, locale, t]);

  return (
    <Select
      value={value ?? undefined}
      onChange={onChange}
      options={options}
      loading={templates.isLoading || current.isLoading}
      style={{ minWidth: 240, ...style }}
      popupMatchSelectWidth={false}
      aria-label={t('process.version')}
      data-testid="process-version-picker"
    />
  );
}
