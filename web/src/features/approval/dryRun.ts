/** The dry-run panel's form values as the facts of an evaluate request. */

/** Facts typed for the request: numbers stay decimal strings, yes/no become booleans, blanks are left out. */
export function factsFromForm(raw: Record<string, string | undefined> | undefined, fields: { name: string; type: string }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = raw?.[f.name];
    if (v === undefined || v === null || String(v).trim() === '') continue;
    if (f.type === 'bool') out[f.name] = v === 'true';
    else out[f.name] = String(v).trim();
  }
  return out;
}
