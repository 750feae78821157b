/** Request bodies built from the lead forms (pure, unit-tested). */
import type { Dayjs } from 'dayjs';
import type { Lead, LeadConvert, LeadUpdate } from '@/api/types';
import { isMaskedValue } from '@/features/contact/masking';

export const LEAD_TEXT_FIELDS = ['company_name', 'contact_name', 'title', 'phone', 'email', 'source', 'industry', 'region', 'notes'] as const;
type TextField = (typeof LEAD_TEXT_FIELDS)[number];
export type LeadValues = Partial<Record<TextField, string | null>>;

/** The PATCH body for an edited lead: changed fields plus `version`; masked values are never sent back. */
export function leadChanges(before: Lead, values: LeadValues): LeadUpdate {
  const body: LeadUpdate = { version: before.version };
  for (const key of LEAD_TEXT_FIELDS) {
    const raw = values[key];
    const next = typeof raw === 'string' && raw.trim() ? raw.trim() : null;
    const old = before[key] ?? null;
    if ((key === 'phone' || key === 'email') && isMaskedValue(old) && next === null) continue;
    if (key === 'company_name' && next === null) continue;
    if (next !== old) Object.assign(body, { [key]: next });
  }
  return body;
}

export type AccountMode = 'new' | 'existing';

export interface ConvertValues {
  account?: { name?: string; name_en?: string; uscc?: string; industry?: string; region?: string; tier?: 'strategic' | 'key_account' | 'smb'; value_class?: 'A' | 'B' | 'C' };
  existing_account_id?: string;
  with_contact?: boolean;
  contact?: { name?: string; title?: string; phone?: string; email?: string };
  with_opportunity?: boolean;
  opportunity?: { name?: string; amount?: number | null; currency?: string; expected_close_date?: Dayjs | null };
  force_reason?: string;
}

const clean = (v: string | null | undefined) => (v && v.trim() ? v.trim() : undefined);

/** Builds the conversion request from the form (pure, tested). */
export function conversionBody(mode: AccountMode, v: ConvertValues, force: boolean): LeadConvert {
  // Linking takes the id alone: the API refuses any new-account field next to it, so the
  // defaults the schema marks as required (tier, value class) must not be sent.
  const account = (
    mode === 'existing'
      ? { existing_account_id: v.existing_account_id }
      : Object.fromEntries(
          Object.entries({
            name: clean(v.account?.name),
            name_en: clean(v.account?.name_en),
            uscc: clean(v.account?.uscc),
            industry: clean(v.account?.industry),
            region: clean(v.account?.region),
            tier: v.account?.tier ?? 'smb',
            value_class: v.account?.value_class ?? 'C',
          }).filter(([, value]) => value !== undefined),
        )
  ) as LeadConvert['account'];
  const body: LeadConvert = { account };
  if (v.with_contact && clean(v.contact?.name)) {
    body.contact = { name: clean(v.contact?.name) ?? '', is_primary: true };
    const { title, phone, email } = v.contact ?? {};
    if (clean(title)) body.contact.title = clean(title);
    if (clean(phone) && !isMaskedValue(phone)) body.contact.phone = clean(phone);
    if (clean(email) && !isMaskedValue(email)) body.contact.email = clean(email);
  }
  if (v.with_opportunity && clean(v.opportunity?.name)) {
    body.opportunity = { name: clean(v.opportunity?.name) ?? '', amount: String(v.opportunity?.amount ?? 0) };
    if (clean(v.opportunity?.currency)) body.opportunity.currency = clean(v.opportunity?.currency)?.toUpperCase();
    if (v.opportunity?.expected_close_date) body.opportunity.expected_close_date = v.opportunity.expected_close_date.format('YYYY-MM-DD');
  }
  if (force && clean(v.force_reason)) body.force_reason = clean(v.force_reason);
  return body;
}

