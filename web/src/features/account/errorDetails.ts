/**
 * Some refusals carry more than `{code, message, fields}`: a 409 `duplicate_account` lists the
 * matching customers, a 409 `claim_conflict` names the protecting unit, a pool refusal says
 * until when. `unwrapDetailed` keeps those extra members of the error body on the ApiError.
 */
import { apiContext, unwrap } from '@/api/client';
import { ApiError, isApiError } from '@/api/errors';
import type { DuplicateMatch } from '@/api/types';

/** An ApiError that also carries the error body's extra members (everything but code, message, fields). */
export class DetailedApiError extends ApiError {
  readonly details: Readonly<Record<string, unknown>>;

  constructor(base: ApiError, details: Record<string, unknown>) {
    super({ status: base.status, code: base.code, message: base.message, fields: base.fields, retryAfter: base.retryAfter });
    this.details = details;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const STANDARD = new Set(['code', 'message', 'fields']);

/** The members of `{"error": {...}}` beyond code, message and fields; empty for any other body. */
export function extraMembers(body: unknown): Record<string, unknown> {
  if (!isRecord(body) || !isRecord(body.error)) return {};
  return Object.fromEntries(Object.entries(body.error).filter(([k]) => !STANDARD.has(k)));
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Like `unwrap`, but a failure rejects with a DetailedApiError holding the body's extras. */
export async function unwrapDetailed<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let body: unknown;
  const watched = call.then((result) => {
    if (!result.response.ok) body = result.error;
    return result;
  });
  try {
    return await unwrap(watched, apiContext);
  } catch (error) {
    if (isApiError(error) && !(error instanceof DetailedApiError)) throw new DetailedApiError(error, extraMembers(body));
    throw error;
  }
}

export function detailsOf(error: unknown): Readonly<Record<string, unknown>> {
  return error instanceof DetailedApiError ? error.details : {};
}

export interface DuplicateRefusal {
  matches: DuplicateMatch[];
  /** Whether this caller may create anyway (with a reason); never for a USCC match. */
  canForce: boolean;
}

function asMatch(raw: unknown): DuplicateMatch | null {
  if (!isRecord(raw) || typeof raw.visible !== 'boolean' || typeof raw.reason !== 'string') return null;
  return raw as unknown as DuplicateMatch;
}

/** The matches of a 409 `duplicate_account`, or null for any other error. */
export function duplicateRefusal(error: unknown): DuplicateRefusal | null {
  if (!isApiError(error) || error.code !== 'duplicate_account') return null;
  const details = detailsOf(error);
  const raw = Array.isArray(details.matches) ? details.matches : [];
  return {
    matches: raw.map(asMatch).filter((m): m is DuplicateMatch => m !== null),
    canForce: details.can_force === true,
  };
}

export interface ClaimConflictInfo {
  message: string;
  conflictId: string | null;
  protectingUnit: string | null;
  protectedUntil: string | null;
}

/** The facts of a 409 `claim_conflict` (撞单), or null for any other error. */
export function claimConflictInfo(error: unknown): ClaimConflictInfo | null {
  if (!isApiError(error) || error.code !== 'claim_conflict') return null;
  const d = detailsOf(error);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    message: error.message,
    conflictId: str(d.conflict_id),
    protectingUnit: str(d.protecting_unit),
    protectedUntil: str(d.protected_until),
  };
}
