/** Masked contact data: never sent back, never mistaken for a change. */
import type { Contact, ContactUpdate } from '@/api/types';

/** Masked values (`138****5678`) come from the server for callers without `pii.read`. */
export const isMaskedValue = (value: string | null | undefined): boolean => Boolean(value && value.includes('*'));

/**
 * The PATCH body for an edited contact: only what changed, plus `version`. A masked phone or
 * e-mail is never sent back; an emptied one is cleared with `null`.
 */
export function contactChanges(
  before: Pick<Contact, 'name' | 'title' | 'phone' | 'email' | 'is_primary' | 'version'>,
  after: { name: string; title?: string | null; phone?: string | null; email?: string | null; is_primary?: boolean },
): ContactUpdate {
  const body: ContactUpdate = { version: before.version };
  const norm = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);
  if (norm(after.name) !== before.name) body.name = norm(after.name) ?? before.name;
  if (norm(after.title) !== (before.title ?? null)) body.title = norm(after.title);
  for (const key of ['phone', 'email'] as const) {
    const old = before[key] ?? null;
    const next = norm(after[key]);
    if (isMaskedValue(old)) {
      // The real value is hidden from this user: an empty input keeps it, a new value replaces it.
      if (next !== null && next !== old) body[key] = next;
    } else if (next !== old) body[key] = next;
  }
  if (typeof after.is_primary === 'boolean' && after.is_primary !== before.is_primary) body.is_primary = after.is_primary;
  return body;
}
