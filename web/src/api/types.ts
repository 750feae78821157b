/** Names for the generated schema's shapes, taken from the paths so they survive schema renames. */
import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type OpOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];

export type Ok<P extends keyof paths, M extends keyof paths[P]> =
  OpOf<P, M> extends { responses: infer R }
    ? R extends { 200: infer A }
      ? Json<A>
      : R extends { 201: infer B }
        ? Json<B>
        : never
    : never;

export type Body<P extends keyof paths, M extends keyof paths[P]> =
  OpOf<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

export type Query<P extends keyof paths, M extends keyof paths[P]> =
  OpOf<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type ItemOf<T> = T extends ReadonlyArray<infer I> ? I : never;

export type LoginResponse = Ok<'/api/v1/auth/login', 'post'>;
export type Me = Ok<'/api/v1/me', 'get'>;
export type MeUser = Me['user'];
export type MePosition = ItemOf<Me['positions']>;
export type Grant = ItemOf<Me['grants']>;
export type DataScope = Grant['data_scope'];
export type UiLocale = MeUser['locale'];

export type OrgUnit = Ok<'/api/v1/org-units/{unit_id}', 'get'>;
export type OrgUnitKind = OrgUnit['kind'];
export type OrgUnitCreate = Body<'/api/v1/org-units', 'post'>;
export type OrgUnitUpdate = Body<'/api/v1/org-units/{unit_id}', 'patch'>;

export type User = Ok<'/api/v1/users/{user_id}', 'get'>;
export type UserCreate = Body<'/api/v1/users', 'post'>;
export type UserUpdate = Body<'/api/v1/users/{user_id}', 'patch'>;
export type UserQuery = Query<'/api/v1/users', 'get'>;
export type UserPosition = ItemOf<Ok<'/api/v1/users/{user_id}/positions', 'get'>>;
export type UserGrant = ItemOf<Ok<'/api/v1/users/{user_id}/grants', 'get'>>;
export type Role = ItemOf<Ok<'/api/v1/roles', 'get'>>;

export type AuditEvent = ItemOf<Ok<'/api/v1/audit-events', 'get'>['items']>;
export type AuditQuery = Query<'/api/v1/audit-events', 'get'>;

/** Every list endpoint answers with this cursor page. */
export interface CursorPage<T> {
  items: T[];
  next_cursor?: string | null;
  total?: number | null;
}
