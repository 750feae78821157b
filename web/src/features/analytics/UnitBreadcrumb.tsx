import { ApartmentOutlined } from '@ant-design/icons';
import { Fragment } from 'react';
import { Link } from 'react-router-dom';
import { useOrgUnits } from '@/features/org/hooks';
import { ancestorIds } from '@/features/org/orgTree';
import { useI18n } from '@/i18n';
import { kindLabel } from '@/i18n/labels';

/**
 * The path from the caller's top visible unit down to the dashboard's unit; each step re-opens
 * the dashboard there (drilling back up). Units above the caller's scope are not shown.
 */
export function UnitBreadcrumb({ unit, linkTo }: { unit: { id: string; name: string; name_en?: string | null; kind: string }; linkTo: (unitId: string) => string }) {
  const { td, locale } = useI18n();
  const nameOf = (u: { name: string; name_en?: string | null }) => (locale === 'zh-CN' ? u.name : u.name_en || u.name);
  const { byId } = useOrgUnits();
  const above = ancestorIds(byId, unit.id).flatMap((id) => {
    const u = byId.get(id);
    return u ? [u] : [];
  });
  return (
    <nav className="analytics-breadcrumb" aria-label="breadcrumb" data-testid="unit-breadcrumb">
      {above.map((u) => (
        <Fragment key={u.id}>
          <Link to={linkTo(u.id)} data-testid="breadcrumb-link" data-unit-id={u.id}>
            {nameOf(u)}
          </Link>
          <span className="analytics-breadcrumb-sep">/</span>
        </Fragment>
      ))}
      <span data-testid="breadcrumb-current" data-unit-id={unit.id}>
        <ApartmentOutlined /> {nameOf(unit)} · {kindLabel(td, unit.kind)}
      </span>
    </nav>
  );
}
