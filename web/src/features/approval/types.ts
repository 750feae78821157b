/** Named shapes of the approval APIs, taken from the generated schema by path. */
import type { Body, Ok, Query } from '@/api/types';

type ItemOf<T> = T extends ReadonlyArray<infer I> ? I : never;

export type ApprovalSummary = ItemOf<Ok<'/api/v1/approvals', 'get'>['items']>;
export type ApprovalQuery = Query<'/api/v1/approvals', 'get'>;
export type ApprovalDetail = Ok<'/api/v1/approvals/{request_id}', 'get'>;
export type ApprovalStep = ItemOf<ApprovalDetail['steps']>;
export type ApprovalTask = ItemOf<ApprovalStep['tasks']>;

export type Delegation = ItemOf<Ok<'/api/v1/approval-delegations', 'get'>['items']>;
export type DelegationCreate = Body<'/api/v1/approval-delegations', 'post'>;

export type ApprovalActions = Ok<'/api/v1/approval-actions', 'get'>;
export type GuardedAction = ItemOf<ApprovalActions['actions']>;
export type ActionField = ItemOf<GuardedAction['fields']>;
export type AuthorityLimitDef = ItemOf<ApprovalActions['authority_limits']>;

export type Policy = Ok<'/api/v1/approval-policies/{policy_id}', 'get'>;
export type PolicyQuery = Query<'/api/v1/approval-policies', 'get'>;
export type PolicyCreate = Body<'/api/v1/approval-policies', 'post'>;
export type PolicyUpdate = Body<'/api/v1/approval-policies/{policy_id}', 'patch'>;
export type EvaluateRequest = Body<'/api/v1/approval-policies/evaluate', 'post'>;
export type EvaluateResult = Ok<'/api/v1/approval-policies/evaluate', 'post'>;

export type AuthorityMatrix = Ok<'/api/v1/authority-matrix', 'get'>;
export type MatrixRow = ItemOf<AuthorityMatrix['rows']>;
export type MatrixRowPut = Body<'/api/v1/authority-matrix/{subsidiary_id}/{role_code}', 'put'>;
