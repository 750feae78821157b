/** Display names for the opportunity codes (stages, forecast categories, team roles, gates). */
import type { I18n } from '@/i18n';
import { localName } from './stages';

type Td = I18n['td'];

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'omitted'] as const;
export const MEMBER_ROLES = ['AR', 'SR', 'FR'] as const;
export const CURRENCIES = ['CNY', 'HKD', 'SGD', 'USD', 'EUR', 'JPY', 'GBP'] as const;
export const REQUIRED_FIELDS = [
  'amount',
  'expected_close_date',
  'forecast_category',
  'source',
  'competitors',
  'contact',
  'members',
  'members.AR',
  'members.SR',
  'members.FR',
] as const;

export const stageName = (stage: { name: string; name_en?: string | null }, locale: string) => localName(stage.name, stage.name_en, locale);
export const forecastLabel = (td: Td, code: string) => td(`opp.forecast.${code}`, code);
export const statusLabel = (td: Td, code: string) => td(`opp.status.${code}`, code);
export const roleLabel = (td: Td, code: string) => td(`opp.role.${code}`, code);
export const requiredFieldLabel = (td: Td, field: string) => td(`opp.field.${field}`, field);
export const stageKindLabel = (td: Td, kind: string) => td(`process.kind.${kind}`, kind);

export const STATUS_COLORS: Record<string, string> = { open: 'processing', won: 'success', lost: 'default' };
export const FORECAST_COLORS: Record<string, string> = { pipeline: 'default', best_case: 'blue', commit: 'green', closed: 'gold', omitted: 'default' };
export const ROLE_COLORS: Record<string, string> = { AR: 'blue', SR: 'purple', FR: 'cyan' };
