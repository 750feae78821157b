"""The approval engine: reading requests, deciding them, withdrawing them, delegating.

Invariants:
- Only a user with a ``pending`` task on the request's current step decides it — or that
  approver's delegate while the delegation is in effect (``decided_by_id`` is then the
  delegate). The requester and the record's owner never decide (403 ``self_approval``),
  whatever their scope and whoever delegated to them.
- ``any`` step: the first approval passes it (the other tasks are ``skipped``); ``all``:
  every task must approve. A passed step opens the next step's tasks; the last one
  approves the request. One rejection rejects the request and cancels the open tasks.
- Every decision updates the request row under its optimistic version, so two concurrent
  deciders can never both complete a step: the second fails (409) and writes nothing.
- A final state (approved, rejected, withdrawn, voided) is dispatched to the guarding
  feature's outcome handler in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from flotilla.approval import gate, registry, repository
from flotilla.approval.repository import DelegationFilters, RequestFilters
from flotilla.approval.schemas import (
    ApprovalDetailOut,
    ApprovalOut,
    DelegationCreate,
    DelegationOut,
    PolicySnapshotOut,
    StepOut,
    TaskOut,
)
from flotilla.core import audit, clock, lookup
from flotilla.core.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from flotilla.core.i18n import DEFAULT_LOCALE, Locale, translate
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope
from flotilla.models.approval import ApprovalDelegation, ApprovalRequest, ApprovalTask

READ = "approval.read"
ADMIN = "approval.admin"


# --- presentation ------------------------------------------------------------------------


def _step_spec(request: ApprovalRequest, index: int) -> dict[str, Any]:
    steps = request.policy_snapshot.get("steps") or []
    if 0 <= index < len(steps) and isinstance(steps[index], dict):
        return dict(steps[index])
    return {}


def _summary(request: ApprovalRequest, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    spec = registry.ACTIONS.get(request.action)
    snapshot = request.policy_snapshot
    step = _step_spec(request, request.current_step)
    return {
        "id": request.id,
        "action": request.action,
        "action_name": spec.name if spec else request.action,
        "action_name_en": spec.name_en if spec else request.action,
        "record_type": request.record_type,
        "record_id": request.record_id,
        "record_label": request.record_label,
        "status": request.status,
        "policy_name": str(snapshot.get("name") or gate.DEFAULT_POLICY_NAME),
        "policy_name_en": snapshot.get("name_en"),
        "current_step": request.current_step,
        "current_step_name": step.get("name"),
        "current_step_name_en": step.get("name_en"),
        "step_count": len(snapshot.get("steps") or []),
        "requester_id": request.owner_id,
        "requester_name": names.get(request.owner_id) if request.owner_id else None,
        "record_owner_id": request.record_owner_id,
        "record_owner_name": (
            names.get(request.record_owner_id) if request.record_owner_id else None
        ),
        "amount_base": request.amount_base,
        "base_currency": request.base_currency,
        "submitted_at": request.submitted_at,
        "decided_at": request.decided_at,
        "consumed_at": request.consumed_at,
        "subsidiary_id": request.subsidiary_id,
        "unit_id": request.unit_id,
        "version": request.version,
    }


def present(session: Session, requests: Sequence[ApprovalRequest]) -> list[ApprovalOut]:
    """A page of requests: one query for every person's name, whatever the page size."""
    names = lookup.user_names(
        session,
        [r.owner_id for r in requests] + [r.record_owner_id for r in requests],
    )
    return [ApprovalOut(**_summary(r, names)) for r in requests]


def _step_status(request: ApprovalRequest, tasks: Sequence[ApprovalTask]) -> str:
    statuses = {t.status for t in tasks}
    if "rejected" in statuses:
        return "rejected"
    if "pending" in statuses:
        return "pending"
    if "approved" in statuses and statuses <= {"approved", "skipped"}:
        return "approved"
    if statuses and statuses <= {"cancelled", "skipped"}:
        return "cancelled"
    return "waiting"


def _void_message(reason: str | None, locale: Locale) -> str | None:
    if not reason:
        return None
    if reason == gate.VOID_NOT_REQUIRED:
        return translate("approval_void_not_required", locale)
    if reason.startswith(gate.VOID_FACTS_CHANGED):
        fields = reason[len(gate.VOID_FACTS_CHANGED) :].replace(",", ", ")
        return translate("approval_void_facts_changed", locale, fields=fields)
    return reason


def present_detail(
    session: Session,
    scope: Scope,
    request: ApprovalRequest,
    locale: Locale = DEFAULT_LOCALE,
) -> ApprovalDetailOut:
    """One request with its snapshot, policy, steps and tasks, and what the caller may do."""
    tasks = repository.tasks_of(session, [request.id])
    names = lookup.user_names(
        session,
        [request.owner_id, request.record_owner_id]
        + [t.approver_id for t in tasks]
        + [t.decided_by_id for t in tasks],
    )
    snapshot = request.policy_snapshot
    resolved = snapshot.get("resolved") or []
    steps: list[StepOut] = []
    for index, spec in enumerate(snapshot.get("steps") or []):
        step_tasks = [t for t in tasks if t.step_index == index]
        found = (
            resolved[index] if index < len(resolved) and isinstance(resolved[index], dict) else {}
        )
        steps.append(
            StepOut(
                index=index,
                name=str(spec.get("name") or f"#{index + 1}"),
                name_en=spec.get("name_en"),
                mode="all" if spec.get("mode") == "all" else "any",
                status=_step_status(request, step_tasks),
                is_current=request.status == "pending" and index == request.current_step,
                escalated=bool(found.get("escalated")),
                roles=[str(r) for r in found.get("roles") or []],
                tasks=[
                    TaskOut(
                        id=t.id,
                        approver_id=t.approver_id,
                        approver_name=names.get(t.approver_id),
                        status=t.status,
                        decided_by_id=t.decided_by_id,
                        decided_by_name=names.get(t.decided_by_id) if t.decided_by_id else None,
                        by_delegate=t.decided_by_id is not None
                        and t.decided_by_id != t.approver_id,
                        comment=t.comment,
                        decided_at=t.decided_at,
                        created_at=t.created_at,
                    )
                    for t in step_tasks
                ],
            )
        )
    return ApprovalDetailOut(
        **_summary(request, names),
        facts=dict(request.facts),
        read_fields=[str(f) for f in request.read_fields],
        policy=PolicySnapshotOut(
            id=request.policy_id,
            code=snapshot.get("code"),
            name=str(snapshot.get("name") or gate.DEFAULT_POLICY_NAME),
            name_en=snapshot.get("name_en"),
            condition=dict(snapshot.get("condition") or {}),
            steps=[dict(s) for s in snapshot.get("steps") or []],
        ),
        steps=steps,
        comment=request.comment,
        void_reason=request.void_reason,
        void_message=_void_message(request.void_reason, locale),
        can_decide=_can_decide(session, scope, request, tasks),
        can_withdraw=request.status == "pending" and request.owner_id == scope.user_id,
    )


# --- reads --------------------------------------------------------------------------------


def list_requests(
    session: Session, scope: Scope, page: PageRequest, filters: RequestFilters
) -> RowPage[ApprovalRequest]:
    return repository.list_requests(session, scope, READ, page, filters, clock.now())


def get_request(session: Session, scope: Scope, request_id: uuid.UUID) -> ApprovalRequest:
    """A request the caller sees (``approval.read`` reach, or they requested it, own the
    record, approve it or act for an approver): otherwise 404."""
    found = repository.visible_request(session, scope, READ, request_id)
    if found is None:
        raise NotFound()
    return found


# --- decisions ----------------------------------------------------------------------------


def not_pending(request: ApprovalRequest) -> Conflict:
    """409 ``approval_not_pending``; the body names the request's status."""
    return Conflict("approval_not_pending", extra={"request_status": request.status})


def _is_party(scope: Scope, request: ApprovalRequest) -> bool:
    return scope.user_id in (request.owner_id, request.record_owner_id)


def _acting_task(
    session: Session,
    scope: Scope,
    request: ApprovalRequest,
    tasks: Sequence[ApprovalTask],
    now: datetime,
) -> ApprovalTask | None:
    """The caller's pending task on the current step — their own first, else one of an
    approver who delegated to them and whose delegation is in effect now."""
    open_tasks = [
        t for t in tasks if t.step_index == request.current_step and t.status == "pending"
    ]
    for task in open_tasks:
        if task.approver_id == scope.user_id:
            return task
    if not open_tasks:
        return None
    delegators = repository.delegator_ids(session, scope.user_id, now)
    return next((t for t in open_tasks if t.approver_id in delegators), None)


def _can_decide(
    session: Session, scope: Scope, request: ApprovalRequest, tasks: Sequence[ApprovalTask]
) -> bool:
    if request.status != "pending" or _is_party(scope, request):
        return False
    return _acting_task(session, scope, request, tasks, clock.now()) is not None


def _decidable(
    session: Session, scope: Scope, request_id: uuid.UUID
) -> tuple[ApprovalRequest, ApprovalTask, list[ApprovalTask]]:
    request = get_request(session, scope, request_id)
    if _is_party(scope, request):
        raise Forbidden("self_approval")
    if request.status != "pending":
        raise not_pending(request)
    tasks = repository.tasks_of(session, [request.id])
    task = _acting_task(session, scope, request, tasks, clock.now())
    if task is None:
        raise Forbidden("approval_not_assigned")
    return request, task, tasks


def _touch(request: ApprovalRequest, now: datetime) -> None:
    """Write the request row even when only a task changed, so its version moves and a
    concurrent decision on the same request fails instead of both passing a step."""
    request.updated_at = now
    flag_modified(request, "updated_at")


def _audit_decision(
    session: Session,
    request: ApprovalRequest,
    task: ApprovalTask,
    decision: str,
) -> None:
    audit.record(
        session,
        f"approval.{decision}",
        entity_type="approval_request",
        entity_id=request.id,
        entity_label=request.audit_label(),
        unit_id=request.unit_id,
        subsidiary_id=request.subsidiary_id,
        changes={
            "decision": decision,
            "task_id": task.id,
            "step": task.step_index,
            "step_name": task.step_name,
            "approver_id": task.approver_id,
            "decided_by_id": task.decided_by_id,
            "by_delegate": task.decided_by_id != task.approver_id,
            "comment": task.comment,
            "request_status": request.status,
        },
    )


def approve(
    session: Session, scope: Scope, request_id: uuid.UUID, comment: str | None
) -> ApprovalRequest:
    """Approve the caller's task on the current step (see the module invariants)."""
    request, task, tasks = _decidable(session, scope, request_id)
    now = clock.now()
    task.status = "approved"
    task.decided_by_id = scope.user_id
    task.decided_at = now
    task.comment = comment or None
    step = [t for t in tasks if t.step_index == request.current_step]
    if task.mode == "all":
        passed = all(t.status == "approved" for t in step)
    else:
        passed = True
        for other in step:
            if other.status == "pending":
                other.status = "skipped"
    final = False
    if passed:
        later = sorted({t.step_index for t in tasks if t.step_index > request.current_step})
        if later:
            request.current_step = later[0]
            for waiting in tasks:
                if waiting.step_index == later[0] and waiting.status == "waiting":
                    waiting.status = "pending"
        else:
            request.status = "approved"
            request.decided_at = now
            request.comment = comment or None
            final = True
    _touch(request, now)
    session.flush()
    _audit_decision(session, request, task, "approve")
    if final:
        gate.dispatch_outcome(session, request, "approved")
    return request


def reject(
    session: Session, scope: Scope, request_id: uuid.UUID, comment: str | None
) -> ApprovalRequest:
    """Reject: the whole request is rejected and every open task cancelled. A rejection
    must say why."""
    if not (comment or "").strip():
        raise Invalid(fields=[field_error("comment", "approval_comment_required")])
    request, task, _tasks = _decidable(session, scope, request_id)
    now = clock.now()
    task.status = "rejected"
    task.decided_by_id = scope.user_id
    task.decided_at = now
    task.comment = comment
    request.status = "rejected"
    request.decided_at = now
    request.comment = comment
    gate.close_open_tasks(session, request)
    _touch(request, now)
    session.flush()
    _audit_decision(session, request, task, "reject")
    gate.dispatch_outcome(session, request, "rejected")
    return request


def withdraw(
    session: Session, scope: Scope, request_id: uuid.UUID, comment: str | None
) -> ApprovalRequest:
    """The requester takes back a pending request; its open tasks are cancelled."""
    request = get_request(session, scope, request_id)
    if request.owner_id != scope.user_id:
        raise Forbidden("approval_not_requester")
    if request.status != "pending":
        raise not_pending(request)
    now = clock.now()
    request.status = "withdrawn"
    request.decided_at = now
    request.comment = comment or None
    gate.close_open_tasks(session, request)
    _touch(request, now)
    session.flush()
    gate.dispatch_outcome(session, request, "withdrawn")
    return request


# --- delegation ---------------------------------------------------------------------------


def present_delegations(
    session: Session, delegations: Sequence[ApprovalDelegation]
) -> list[DelegationOut]:
    now = clock.now()
    names = lookup.user_names(
        session, [d.user_id for d in delegations] + [d.delegate_id for d in delegations]
    )
    return [
        DelegationOut(
            id=d.id,
            user_id=d.user_id,
            user_name=names.get(d.user_id),
            delegate_id=d.delegate_id,
            delegate_name=names.get(d.delegate_id),
            starts_at=d.starts_at,
            ends_at=d.ends_at,
            reason=d.reason,
            is_active=d.is_active,
            in_effect=d.is_active and d.starts_at <= now < d.ends_at,
            created_at=d.created_at,
            version=d.version,
        )
        for d in delegations
    ]


def list_delegations(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    all_users: bool,
    user_id: uuid.UUID | None,
    delegate_id: uuid.UUID | None,
    is_active: bool | None,
    in_effect: bool | None,
) -> RowPage[ApprovalDelegation]:
    """The caller's delegations (given or received); with ``all_users``, an admin's view of
    every delegation anchored in the units their ``approval.admin`` reaches."""
    scope.require(READ)
    admin_units = None
    involving: uuid.UUID | None = scope.user_id
    if all_users:
        scope.require(ADMIN)
        involving = None
        if not scope.reach(ADMIN).everything:
            admin_units = scope.visible_unit_ids(ADMIN)
    filters = DelegationFilters(
        user_id=user_id,
        delegate_id=delegate_id,
        involving=involving,
        admin_units=admin_units,
        is_active=is_active,
        in_effect=in_effect,
        now=clock.now(),
    )
    return repository.list_delegations(session, page, filters)


def create_delegation(session: Session, scope: Scope, data: DelegationCreate) -> ApprovalDelegation:
    """Let another active user decide the caller's tasks during [starts_at, ends_at).

    A caller's active delegations never overlap in time (409), so at any moment at most one
    person acts for them."""
    scope.require(READ)
    now = clock.now()
    problems = []
    if data.delegate_id == scope.user_id:
        problems.append(field_error("delegate_id", "delegation_to_self"))
    elif not repository.active_user_ids(session, [data.delegate_id]):
        problems.append(field_error("delegate_id", "unknown_reference"))
    if data.ends_at <= data.starts_at:
        problems.append(field_error("ends_at", "delegation_ends_before_start"))
    elif data.ends_at <= now:
        problems.append(field_error("ends_at", "delegation_ended"))
    if problems:
        raise Invalid(fields=problems)
    if repository.overlapping_delegations(session, scope.user_id, data.starts_at, data.ends_at):
        raise Conflict("delegation_overlap")
    me = repository.user_by_id(session, scope.user_id)
    assert me is not None
    delegation = ApprovalDelegation(
        user_id=scope.user_id,
        delegate_id=data.delegate_id,
        subsidiary_id=me.subsidiary_id,
        unit_id=me.primary_unit_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        reason=data.reason or None,
        is_active=True,
    )
    session.add(delegation)
    session.flush()
    return delegation


def revoke_delegation(
    session: Session, scope: Scope, delegation_id: uuid.UUID
) -> ApprovalDelegation:
    """End a delegation now: by the person who gave it, or an admin reaching its unit. The
    delegate sees it but cannot revoke it (403); anyone else gets 404."""
    scope.require(READ)
    delegation = repository.delegation_by_id(session, delegation_id)
    if delegation is None:
        raise NotFound()
    mine = delegation.user_id == scope.user_id
    admin = scope.has(ADMIN) and scope.reaches_unit(session, ADMIN, delegation.unit_id)
    if not (mine or admin):
        if delegation.delegate_id == scope.user_id:
            raise Forbidden()
        raise NotFound()
    if not delegation.is_active:
        raise Conflict("delegation_revoked")
    delegation.is_active = False
    session.flush()
    return delegation
