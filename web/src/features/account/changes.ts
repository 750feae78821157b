/** The PATCH body of an edited customer. */
import type { Account, AccountUpdate } from '@/api/types';

type EditableKey = 'name' | 'name_en' | 'uscc' | 'industry' | 'region' | 'tier' | 'value_class';
export type EditValues = Partial<Record<EditableKey, string | null>> & { force_reason?: string };
const EDITABLE: readonly EditableKey[] = ['name', 'name_en', 'uscc', 'industry', 'region', 'tier', 'value_class'];

/** Only what changed, plus `version`; an emptied optional field is cleared with `null`. */
export function accountChanges(before: Account, values: EditValues): AccountUpdate {
  const body: AccountUpdate = { version: before.version };
  for (const key of EDITABLE) {
    const raw = values[key];
    const next = typeof raw === 'string' && raw.trim() ? raw.trim() : null;
    const old = before[key] ?? null;
    if (next === old) continue;
    if ((key === 'name' || key === 'tier' || key === 'value_class') && next === null) continue;
    Object.assign(body, { [key]: next });
  }
  return body;
}
