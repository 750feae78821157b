"""All approval-engine queries.

Reads of ``approval_request`` on behalf of a caller start from ``Scope.restrict``. The gate
and the approver resolution read requests, users, grants and org units with
``system_access``: they are system work done for a guarded action (the requester may not
see the approvers, and the engine must find every open request of a record whatever the
caller sees), and nothing they read is returned to the caller beyond what they may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, inspect, not_, or_, select
from sqlalchemy.orm import Session

from flotilla.core import lookup
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.approval import (
    ApprovalDelegation,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalTask,
)
from flotilla.models.customer import Account
from flotilla.models.identity import Role, RoleGrant, User
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity

# --- requests seen by the gate (system work) ---------------------------------------------


def lock_record(session: Session, record: Any) -> None:
    """Lock a guarded record's row for the rest of the transaction (PostgreSQL; SQLite has
    one writer anyway), so two attempts on one record never both raise a request. A plain
    keyed SELECT ... FOR UPDATE: the record's loaded state is left as the caller has it."""
    mapper = inspect(record).mapper
    key = mapper.primary_key[0]
    stmt = select(key).where(key == record.id).with_for_update()
    session.execute(system_access(stmt))


def open_requests(session: Session, action: str, record_id: uuid.UUID) -> list[ApprovalRequest]:
    """Pending, and approved-but-unconsumed, requests of one (action, record), oldest first."""
    stmt = (
        select(ApprovalRequest)
        .where(
            ApprovalRequest.action == action,
            ApprovalRequest.record_id == record_id,
            or_(
                ApprovalRequest.status == "pending",
                and_(
                    ApprovalRequest.status == "approved",
                    ApprovalRequest.consumed_at.is_(None),
                ),
            ),
        )
        .order_by(ApprovalRequest.submitted_at, ApprovalRequest.id)
    )
    return list(session.execute(system_access(stmt)).scalars())


def has_active_policy(session: Session, action: str, subsidiary_id: uuid.UUID) -> bool:
    """Whether any active policy serves ``action`` in the subsidiary (its own or group-wide);
    policies are system configuration, read whoever asks."""
    stmt = (
        select(ApprovalPolicy.id)
        .where(
            ApprovalPolicy.action == action,
            ApprovalPolicy.is_active.is_(True),
            or_(
                ApprovalPolicy.subsidiary_id.is_(None),
                ApprovalPolicy.subsidiary_id == subsidiary_id,
            ),
        )
        .limit(1)
    )
    return session.execute(stmt).first() is not None


def latest_request(session: Session, action: str, record_id: uuid.UUID) -> ApprovalRequest | None:
    stmt = (
        select(ApprovalRequest)
        .where(ApprovalRequest.action == action, ApprovalRequest.record_id == record_id)
        .order_by(ApprovalRequest.submitted_at.desc(), ApprovalRequest.id.desc())
        .limit(1)
    )
    return session.execute(system_access(stmt)).scalar_one_or_none()


def tasks_of(session: Session, request_ids: Iterable[uuid.UUID]) -> list[ApprovalTask]:
    """Tasks of the given requests in step order (approver order within a step)."""
    ids = sorted(set(request_ids))
    if not ids:
        return []
    stmt = (
        select(ApprovalTask)
        .where(ApprovalTask.request_id.in_(ids))
        .order_by(ApprovalTask.request_id, ApprovalTask.step_index, ApprovalTask.id)
    )
    return list(session.execute(stmt).scalars())


# --- people and places for approver resolution (system work) -----------------------------


def user_by_id(session: Session, user_id: uuid.UUID) -> User | None:
    stmt = select(User).where(User.id == user_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def active_user_ids(session: Session, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    stmt = select(User.id).where(User.id.in_(ids), User.is_active.is_(True))
    return set(session.execute(system_access(stmt)).scalars())


def units_on_path(session: Session, path: str) -> list[OrgUnit]:
    """The units of a materialized path (``/<hex>/<hex>/``), root first."""
    ids = [uuid.UUID(hex=part) for part in path.strip("/").split("/") if part]
    if not ids:
        return []
    found = lookup.units_by_id(session, ids)
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class RoleHolder:
    user_id: uuid.UUID
    unit_id: uuid.UUID


def role_holders(
    session: Session, role_code: str, *, subsidiary_id: uuid.UUID | None, at_group: bool
) -> list[RoleHolder]:
    """Active users holding ``role_code`` on an active unit inside ``subsidiary_id``
    (``at_group``: on the group root instead), one row per grant."""
    stmt = (
        select(RoleGrant.user_id, RoleGrant.unit_id)
        .join(Role, Role.id == RoleGrant.role_id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(Role.code == role_code, User.is_active.is_(True), OrgUnit.is_active.is_(True))
        .order_by(RoleGrant.user_id, RoleGrant.unit_id)
    )
    if at_group:
        stmt = stmt.where(OrgUnit.kind == "group")
    else:
        stmt = stmt.where(or_(OrgUnit.subsidiary_id == subsidiary_id, OrgUnit.id == subsidiary_id))
    return [RoleHolder(row.user_id, row.unit_id) for row in session.execute(system_access(stmt))]


def role_scopes(session: Session, role_codes: Iterable[str]) -> dict[str, str]:
    """Role code → data scope (which decides whether an authority role sits at the group)."""
    codes = sorted(set(role_codes))
    if not codes:
        return {}
    stmt = select(Role.code, Role.data_scope).where(Role.code.in_(codes))
    return {row.code: row.data_scope for row in session.execute(stmt)}


# --- facts guarded actions supply (system work: labels of a record already in hand) --------


def account_classes(session: Session, account_id: uuid.UUID) -> tuple[str, str] | None:
    """(tier, value_class) of an account."""
    stmt = select(Account.tier, Account.value_class).where(Account.id == account_id)
    row = session.execute(system_access(stmt)).first()
    return (row.tier, row.value_class) if row is not None else None


def open_deal_amounts(session: Session, account_id: uuid.UUID) -> list[tuple[Decimal, str]]:
    """(amount, currency) of every open opportunity of an account."""
    stmt = select(Opportunity.amount, Opportunity.currency).where(
        Opportunity.account_id == account_id, Opportunity.status == "open"
    )
    return [(row.amount, row.currency) for row in session.execute(system_access(stmt))]


# --- delegations ---------------------------------------------------------------------------


def delegators_now(session: Session, delegate_id: uuid.UUID, now: datetime) -> Select[Any]:
    """Subquery: the users who let ``delegate_id`` act for them at ``now``."""
    return select(ApprovalDelegation.user_id).where(
        ApprovalDelegation.delegate_id == delegate_id,
        ApprovalDelegation.is_active.is_(True),
        ApprovalDelegation.starts_at <= now,
        ApprovalDelegation.ends_at > now,
    )


def delegator_ids(session: Session, delegate_id: uuid.UUID, now: datetime) -> set[uuid.UUID]:
    return set(session.execute(delegators_now(session, delegate_id, now)).scalars())


def overlapping_delegations(
    session: Session,
    user_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
) -> list[ApprovalDelegation]:
    stmt = select(ApprovalDelegation).where(
        ApprovalDelegation.user_id == user_id,
        ApprovalDelegation.is_active.is_(True),
        ApprovalDelegation.starts_at < ends_at,
        ApprovalDelegation.ends_at > starts_at,
    )
    return list(session.execute(stmt).scalars())


def delegation_by_id(session: Session, delegation_id: uuid.UUID) -> ApprovalDelegation | None:
    stmt = select(ApprovalDelegation).where(ApprovalDelegation.id == delegation_id)
    return session.execute(stmt).scalar_one_or_none()


@dataclass(frozen=True)
class DelegationFilters:
    user_id: uuid.UUID | None = None
    delegate_id: uuid.UUID | None = None
    involving: uuid.UUID | None = None
    admin_units: Select[Any] | None = None
    is_active: bool | None = None
    # In effect at ``now``: active and ``starts_at <= now < ends_at`` (False: not in effect).
    in_effect: bool | None = None
    now: datetime | None = None


DELEGATION_SORTABLE: dict[str, Any] = {
    "created_at": ApprovalDelegation.created_at,
    "starts_at": ApprovalDelegation.starts_at,
    "ends_at": ApprovalDelegation.ends_at,
}


def list_delegations(
    session: Session, page: PageRequest, filters: DelegationFilters
) -> RowPage[ApprovalDelegation]:
    """Delegations a caller may list: their own (given or received) or, for admins, those
    anchored in units their ``approval.admin`` reaches (``admin_units``)."""
    stmt = select(ApprovalDelegation)
    if filters.admin_units is not None:
        stmt = stmt.where(ApprovalDelegation.unit_id.in_(filters.admin_units))
    if filters.involving is not None:
        stmt = stmt.where(
            or_(
                ApprovalDelegation.user_id == filters.involving,
                ApprovalDelegation.delegate_id == filters.involving,
            )
        )
    if filters.user_id is not None:
        stmt = stmt.where(ApprovalDelegation.user_id == filters.user_id)
    if filters.delegate_id is not None:
        stmt = stmt.where(ApprovalDelegation.delegate_id == filters.delegate_id)
    if filters.is_active is not None:
        stmt = stmt.where(ApprovalDelegation.is_active.is_(filters.is_active))
    if filters.in_effect is not None and filters.now is not None:
        effective = and_(
            ApprovalDelegation.is_active.is_(True),
            ApprovalDelegation.starts_at <= filters.now,
            ApprovalDelegation.ends_at > filters.now,
        )
        stmt = stmt.where(effective if filters.in_effect else not_(effective))
    return paginate(
        session,
        stmt,
        request=page,
        sortable=DELEGATION_SORTABLE,
        default_sort="-created_at",
        id_column=ApprovalDelegation.id,
    )


# --- requests seen by a caller (scoped) ----------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    assigned_to: uuid.UUID | None = None
    requested_by: uuid.UUID | None = None
    status: str | None = None
    action: str | None = None
    record_id: uuid.UUID | None = None
    record_type: str | None = None
    subsidiary_id: uuid.UUID | None = None
    q: str | None = None


REQUEST_SORTABLE: dict[str, Any] = {
    "submitted_at": ApprovalRequest.submitted_at,
    "updated_at": ApprovalRequest.updated_at,
}


def _filtered(
    scope: Scope, permission: str, filters: RequestFilters, now: datetime
) -> Select[ApprovalRequest]:
    stmt = scope.restrict(select(ApprovalRequest), ApprovalRequest, permission)
    if filters.assigned_to is not None:
        # Pending tasks are always on the current step (later steps' tasks wait), so a
        # pending task for the user, or for someone who delegated to them now, is the inbox.
        acting_for = select(ApprovalDelegation.user_id).where(
            ApprovalDelegation.delegate_id == filters.assigned_to,
            ApprovalDelegation.is_active.is_(True),
            ApprovalDelegation.starts_at <= now,
            ApprovalDelegation.ends_at > now,
        )
        mine = select(ApprovalTask.request_id).where(
            ApprovalTask.status == "pending",
            or_(
                ApprovalTask.approver_id == filters.assigned_to,
                ApprovalTask.approver_id.in_(acting_for),
            ),
        )
        stmt = stmt.where(ApprovalRequest.id.in_(mine))
    if filters.requested_by is not None:
        stmt = stmt.where(ApprovalRequest.owner_id == filters.requested_by)
    if filters.status is not None:
        stmt = stmt.where(ApprovalRequest.status == filters.status)
    if filters.action is not None:
        stmt = stmt.where(ApprovalRequest.action == filters.action)
    if filters.record_id is not None:
        stmt = stmt.where(ApprovalRequest.record_id == filters.record_id)
    if filters.record_type is not None:
        stmt = stmt.where(ApprovalRequest.record_type == filters.record_type)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(ApprovalRequest.subsidiary_id == filters.subsidiary_id)
    if filters.q:
        pattern = "%" + filters.q.lower().replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(func.lower(ApprovalRequest.record_label).like(pattern, escape="\\"))
    return stmt


def list_requests(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    filters: RequestFilters,
    now: datetime,
) -> RowPage[ApprovalRequest]:
    return paginate(
        session,
        _filtered(scope, permission, filters, now),
        request=page,
        sortable=REQUEST_SORTABLE,
        default_sort="-submitted_at",
        id_column=ApprovalRequest.id,
    )


def visible_request(
    session: Session, scope: Scope, permission: str, request_id: uuid.UUID
) -> ApprovalRequest | None:
    stmt = scope.restrict(
        select(ApprovalRequest).where(ApprovalRequest.id == request_id),
        ApprovalRequest,
        permission,
    )
    return session.execute(stmt).scalar_one_or_none()


def requests_by_id(session: Session, ids: Sequence[uuid.UUID]) -> list[ApprovalRequest]:
    """System read of requests by id (outcome dispatch after a decision)."""
    if not ids:
        return []
    stmt = select(ApprovalRequest).where(ApprovalRequest.id.in_(sorted(set(ids))))
    return list(session.execute(system_access(stmt)).scalars())
