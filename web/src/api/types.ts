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

// --- opportunities, activities, sales process, pool rules ---
export type Opportunity = ItemOf<Ok<'/api/v1/opportunities', 'get'>['items']>;
export type OpportunityDetail = Ok<'/api/v1/opportunities/{opportunity_id}', 'get'>;
export type OpportunityQuery = Query<'/api/v1/opportunities', 'get'>;
export type OpportunityCreate = Body<'/api/v1/opportunities', 'post'>;
export type OpportunityUpdate = Body<'/api/v1/opportunities/{opportunity_id}', 'patch'>;
export type TransitionRequest = Body<'/api/v1/opportunities/{opportunity_id}/transitions', 'post'>;
export type OpportunityMember = ItemOf<OpportunityDetail['members']>;
export type MemberRole = OpportunityMember['role'];
export type PathStage = ItemOf<OpportunityDetail['path']>;
export type StageRef = Opportunity['stage'];
export type StageHistoryEntry = ItemOf<Ok<'/api/v1/opportunities/{opportunity_id}/history', 'get'>>;
export type ForecastCategory = Opportunity['forecast_category'];

export type Activity = ItemOf<Ok<'/api/v1/activities', 'get'>['items']>;
export type ActivityCreate = Body<'/api/v1/activities', 'post'>;
export type ActivityKind = Activity['kind'];

export type ProcessTemplate = Ok<'/api/v1/process-templates/{template_id}', 'get'>;
export type ProcessTemplateCreate = Body<'/api/v1/process-templates', 'post'>;
export type ProcessTemplateUpdate = Body<'/api/v1/process-templates/{template_id}', 'patch'>;
export type ProcessVersion = Ok<'/api/v1/process-versions/{version_id}', 'get'>;
export type ProcessVersionSummary = ItemOf<Ok<'/api/v1/process-templates/{template_id}/versions', 'get'>>;
export type ProcessDraft = Ok<'/api/v1/process-templates/{template_id}/draft', 'get'>;
export type ProcessDraftUpdate = Body<'/api/v1/process-templates/{template_id}/draft', 'put'>;
export type ProcessStage = ItemOf<ProcessVersion['stages']>;
export type ProcessStageIn = ItemOf<ProcessDraftUpdate['stages']>;
export type RequiredField = ItemOf<NonNullable<ProcessStageIn['required_fields']>>;
export type EffectiveProcess = Ok<'/api/v1/process-templates/effective', 'get'>;

export type PoolRule = Ok<'/api/v1/pool-rules/{subsidiary_id}', 'get'>;
export type PoolRulePut = Body<'/api/v1/pool-rules/{subsidiary_id}', 'put'>;

// --- customers, contacts, claims and conflicts, public pool, leads ---
export type Account = Ok<'/api/v1/accounts/{account_id}', 'get'>;
export type AccountCreate = Body<'/api/v1/accounts', 'post'>;
export type AccountUpdate = Body<'/api/v1/accounts/{account_id}', 'patch'>;
export type AccountTransfer = Body<'/api/v1/accounts/{account_id}/transfer', 'post'>;
export type AccountQuery = Query<'/api/v1/accounts', 'get'>;
export type AccountTier = Account['tier'];
export type AccountValueClass = Account['value_class'];
export type AccountStatus = Account['status'];
export type AccountClaim = ItemOf<Ok<'/api/v1/accounts/{account_id}/claims', 'get'>>;
export type AccountClaimResult = Ok<'/api/v1/accounts/claims', 'post'>;
export type ClaimLookup = Body<'/api/v1/accounts/claims', 'post'>;
export type DuplicateCheck = Ok<'/api/v1/accounts/duplicates', 'get'>;
export type DuplicateMatch = ItemOf<DuplicateCheck['matches']>;

export type Contact = Ok<'/api/v1/contacts/{contact_id}', 'get'>;
export type ContactCreate = Body<'/api/v1/contacts', 'post'>;
export type ContactUpdate = Body<'/api/v1/contacts/{contact_id}', 'patch'>;

export type Conflict = Ok<'/api/v1/conflicts/{conflict_id}', 'get'>;
export type ConflictStatus = Conflict['status'];
export type ConflictResolve = Body<'/api/v1/conflicts/{conflict_id}/resolve', 'post'>;
export type ConflictResolution = ConflictResolve['resolution'];

export type PoolPage = Ok<'/api/v1/pool', 'get'>;
export type PoolAccount = ItemOf<PoolPage['items']>;
export type PoolQuota = ItemOf<PoolPage['quotas']>;
export type PoolClaimResult = Ok<'/api/v1/pool/{account_id}/claim', 'post'>;

export type Lead = Ok<'/api/v1/leads/{lead_id}', 'get'>;
export type LeadCreate = Body<'/api/v1/leads', 'post'>;
export type LeadUpdate = Body<'/api/v1/leads/{lead_id}', 'patch'>;
export type LeadStatus = Lead['status'];
export type LeadConvert = Body<'/api/v1/leads/{lead_id}/convert', 'post'>;
export type LeadConversion = Ok<'/api/v1/leads/{lead_id}/convert', 'post'>;
