import type { FormInstance } from 'antd';
import { type ApiFieldError, isApiError } from '@/api/errors';

export type NamePath = (string | number)[];

export interface FieldData {
  name: NamePath;
  errors: string[];
}

/** `contacts.0.phone` → `['contacts', 0, 'phone']`, the name path Ant Design forms use. */
export function fieldPath(field: string): NamePath {
  return field
    .split('.')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Splits API field errors into those that belong to a field of the form (grouped per field,
 * in the order they came) and those that do not (shown above the form instead).
 */
export function splitFieldErrors(
  fields: readonly ApiFieldError[],
  isFormField: (path: NamePath) => boolean,
): { fieldData: FieldData[]; unmatched: ApiFieldError[] } {
  const byField = new Map<string, FieldData>();
  const unmatched: ApiFieldError[] = [];
  for (const f of fields) {
    const path = fieldPath(f.field);
    if (path.length === 0 || !isFormField(path)) {
      unmatched.push(f);
      continue;
    }
    const key = path.join('\u0000');
    const entry = byField.get(key) ?? { name: path, errors: [] };
    if (!entry.errors.includes(f.message)) entry.errors.push(f.message);
    byField.set(key, entry);
  }
  return { fieldData: [...byField.values()], unmatched };
}

export interface FormErrorState {
  /** The error's overall message (already localized by the server). */
  message: string;
  /** Field errors the form has no input for, as “field: message”. */
  details: string[];
  code: string;
  status: number;
  /** How many inputs now show an error of their own. */
  placedOnFields: number;
}

/** The names the form has inputs for: top-level keys of its registered fields. */
function registeredTopLevelNames(form: FormInstance): Set<string> {
  return new Set(Object.keys((form.getFieldsValue() as Record<string, unknown> | undefined) ?? {}));
}

/**
 * Puts an API error's `fields` onto the form's inputs by name and returns what is left to show
 * above the form. Non-API errors (bugs) are reported with their own message.
 */
export function applyApiError(form: FormInstance, error: unknown, extraFieldNames: readonly string[] = []): FormErrorState {
  if (!isApiError(error)) {
    return { message: error instanceof Error ? error.message : String(error), details: [], code: 'client_error', status: 0, placedOnFields: 0 };
  }
  const names = registeredTopLevelNames(form);
  for (const n of extraFieldNames) names.add(n);
  const { fieldData, unmatched } = splitFieldErrors(error.fields, (path) => names.has(String(path[0])));
  if (fieldData.length) form.setFields(fieldData);
  return {
    message: error.message,
    details: unmatched.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)),
    code: error.code,
    status: error.status,
    placedOnFields: fieldData.length,
  };
}
