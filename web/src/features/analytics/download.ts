/**
 * XLSX downloads: every list and every analytics endpoint answers `?format=xlsx`. The file is
 * fetched with the session cookie (a plain link would lose the error message on a 403), then
 * saved from a blob under the server's file name.
 */
import { apiContext } from '@/api/client';
import { toApiError } from '@/api/errors';
import { type DrillValue, exportQuery } from './drill';

/** The file name in `Content-Disposition` (`attachment; filename="kpis-20261124-0930.xlsx"`), or `fallback`. */
export function filenameFrom(header: string | null | undefined, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() || fallback;
}

/** Downloads `path?…&format=xlsx` and saves it; resolves to the saved file's name, rejects with an ApiError. */
export async function downloadXlsx(path: string, query: Record<string, DrillValue>, fallbackName: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${path}?${exportQuery(query)}`, {
      credentials: 'same-origin',
      headers: { 'Accept-Language': apiContext.getLocale() },
    });
  } catch {
    throw toApiError(0, null, null, apiContext.fallbackMessage(0));
  }
  if (!response.ok) {
    if (response.status === 401) apiContext.onUnauthorized();
    const body: unknown = await response.json().catch(() => null);
    throw toApiError(response.status, body, response.headers, apiContext.fallbackMessage(response.status));
  }
  const name = filenameFrom(response.headers.get('Content-Disposition'), `${fallbackName}.xlsx`);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the blob goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
