/** Display names for the backend's codes (org kinds, data scopes, permissions, audit actions). */
import type { I18n } from './index';

type Td = I18n['td'];

export const ORG_KINDS = ['group', 'subsidiary', 'department', 'team'] as const;
export const DATA_SCOPES = ['own', 'unit', 'unit_and_below', 'subsidiary', 'group'] as const;

export const kindLabel = (td: Td, kind: string) => td(`kind.${kind}`, kind);
export const scopeLabel = (td: Td, scope: string) => td(`scope.${scope}`, scope);
export const scopeDescription = (td: Td, scope: string) => td(`scope.${scope}.desc`, '');
export const permissionLabel = (td: Td, code: string) => td(`perm.${code}`, code);
export const moduleLabel = (td: Td, module: string) => td(`perm.module.${module}`, module);
export const entityTypeLabel = (td: Td, type: string | null | undefined) => (type ? td(`entity.${type}`, type) : '');

/** `org_unit.update` → “修改 组织单元”; `auth.login` → “登录”; unknown codes are shown as they are. */
export function actionLabel(td: Td, action: string): string {
  const dot = action.lastIndexOf('.');
  const verb = dot >= 0 ? action.slice(dot + 1) : action;
  const entity = dot >= 0 ? action.slice(0, dot) : '';
  const verbText = td(`action.${verb}`, '');
  if (!verbText) return action;
  if (!entity || entity === 'auth') return verbText;
  const entityText = td(`entity.${entity}`, entity);
  return `${verbText} · ${entityText}`;
}

/** How far each data scope reaches, narrowest first. */
export const SCOPE_RANK: Record<string, number> = { own: 0, unit: 1, unit_and_below: 2, subsidiary: 3, group: 4 };

export function widestScope(scopes: readonly string[]): string | null {
  let best: string | null = null;
  for (const s of scopes) if (best === null || (SCOPE_RANK[s] ?? -1) > (SCOPE_RANK[best] ?? -1)) best = s;
  return best;
}

/** Which kinds may be created directly under a unit of `parentKind` (mirrors the backend rule). */
export const CHILD_KINDS: Record<string, readonly string[]> = {
  group: ['subsidiary'],
  subsidiary: ['department', 'subsidiary'],
  department: ['department', 'team'],
  team: ['team'],
};

export const PERMISSION_MODULES = [
  'account', 'lead', 'opportunity', 'activity', 'quote', 'contract', 'payment', 'approval',
  'target', 'analytics', 'process', 'pool', 'fx', 'export', 'audit', 'org', 'user', 'role', 'pii',
] as const;

/** Groups permission codes by module (`account.read` → `account`), keeping the catalogue's order. */
export function groupPermissions(permissions: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const m of PERMISSION_MODULES) groups.set(m, []);
  for (const code of [...permissions].sort()) {
    const module = code.includes('.') ? code.slice(0, code.indexOf('.')) : code;
    const list = groups.get(module) ?? [];
    list.push(code);
    groups.set(module, list);
  }
  return groups;
}
