"""Org tree rules: one root, allowed parent kinds, no cycles, subtree moves; the group's
fiscal-year start month, carried by the root alone."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from flotilla.core.ids import new_id
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.period import DEFAULT_FISCAL_START_MONTH
from flotilla.core.scope import Scope, ensure_still_visible, get_visible, system_access
from flotilla.core.validators import check_org_fields
from flotilla.models.identity import User
from flotilla.models.org import ALLOWED_PARENT_KINDS, OrgUnit, path_segment
from flotilla.org import repository
from flotilla.org.schemas import OrgUnitCreate, OrgUnitMove, OrgUnitUpdate

READ = "org.read"
ADMIN = "org.admin"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def list_units(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    parent_id: uuid.UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
    subsidiary_id: uuid.UUID | None = None,
) -> RowPage[OrgUnit]:
    return repository.list_units(
        session, scope, page, parent_id=parent_id, kind=kind, q=q, subsidiary_id=subsidiary_id
    )


def get_unit(session: Session, scope: Scope, unit_id: uuid.UUID) -> OrgUnit:
    return get_visible(session, scope, OrgUnit, READ, unit_id)


def _parent_for_write(
    session: Session, scope: Scope, parent_id: uuid.UUID, field: str = "parent_id"
) -> OrgUnit:
    """The parent must be visible (else it 'does not exist') and inside the admin reach.
    ``field`` names the request field that carried the parent, for the error."""
    try:
        parent = get_visible(session, scope, OrgUnit, READ, parent_id)
    except NotFound:
        raise Invalid(fields=[field_error(field, "unknown_reference")]) from None
    if not scope.reaches_unit(session, ADMIN, parent.id):
        raise Forbidden("out_of_scope")
    return parent


def _check_parent_kind(kind: str, parent: OrgUnit | None, field: str) -> None:
    allowed = ALLOWED_PARENT_KINDS[kind]
    if parent is None and allowed:
        raise Invalid(fields=[field_error(field, "missing")])
    if parent is not None and parent.kind not in allowed:
        raise Invalid(
            "org_parent_kind",
            fields=[field_error(field, "org_parent_kind", kind=kind, parent_kind=parent.kind)],
            kind=kind,
            parent_kind=parent.kind,
        )


def _place(unit: OrgUnit, parent: OrgUnit | None) -> None:
    unit.parent_id = parent.id if parent else None
    unit.path = (parent.path if parent else "/") + path_segment(unit.id)
    unit.depth = parent.depth + 1 if parent else 0
    if unit.kind == "subsidiary" or parent is None:
        unit.subsidiary_id = None if unit.kind == "group" else unit.id
    else:
        unit.subsidiary_id = parent.id if parent.kind == "subsidiary" else parent.subsidiary_id


def _check_unique(
    session: Session, code: str | None, uscc: str | None, exclude_id: uuid.UUID | None
) -> None:
    errors = []
    if code and repository.code_taken(session, code, exclude_id):
        errors.append(field_error("code", "duplicate"))
    if uscc and repository.uscc_taken(session, uscc, exclude_id):
        errors.append(field_error("uscc", "duplicate"))
    if errors:
        raise Conflict("duplicate", fields=errors)


def create_unit(session: Session, scope: Scope, data: OrgUnitCreate) -> OrgUnit:
    """Create a unit under a parent the caller administers; the group root only once."""
    scope.require(ADMIN)
    parent = None
    if data.kind == "group":
        if data.parent_id is not None:
            raise Invalid(fields=[field_error("parent_id", "org_single_root")])
        if repository.find_root(session) is not None:
            raise Conflict("org_single_root")
        if not scope.reach(ADMIN).everything:
            raise Forbidden("out_of_scope")
    else:
        if data.parent_id is None:
            raise Invalid(fields=[field_error("parent_id", "missing")])
        parent = _parent_for_write(session, scope, data.parent_id)
        _check_parent_kind(data.kind, parent, "parent_id")
    if data.kind == "subsidiary" and not data.currency:
        raise Invalid(fields=[field_error("currency", "missing")])
    uscc, currency = check_org_fields(
        uscc=data.uscc, currency=data.currency, timezone=data.timezone
    )
    _check_unique(session, data.code, uscc, None)
    unit = OrgUnit(
        id=new_id(),
        kind=data.kind,
        code=data.code,
        name=data.name,
        name_en=data.name_en,
        uscc=uscc,
        currency=currency or (parent.currency if parent else None),
        region=data.region or (parent.region if parent else None),
        timezone=data.timezone or (parent.timezone if parent else DEFAULT_TIMEZONE),
        manager_id=_manager(session, scope, data.manager_id),
    )
    _place(unit, parent)
    session.add(unit)
    ensure_still_visible(session, scope, OrgUnit, ADMIN, unit.id)
    return unit


def _manager(session: Session, scope: Scope, user_id: uuid.UUID | None) -> uuid.UUID | None:
    """A unit head must be an active user the caller can see (an unseen one reads as unknown)."""
    if user_id is None:
        return None
    try:
        head = get_visible(session, scope, User, "user.read", user_id)
    except NotFound:
        raise Invalid(fields=[field_error("manager_id", "not_found")]) from None
    if not head.is_active:
        raise Invalid(fields=[field_error("manager_id", "user_inactive")])
    return head.id


def _check_version(record_version: int, given: int) -> None:
    if record_version != given:
        raise Conflict("version_conflict")


def update_unit(session: Session, scope: Scope, unit_id: uuid.UUID, data: OrgUnitUpdate) -> OrgUnit:
    unit = get_visible(session, scope, OrgUnit, ADMIN, unit_id)
    _check_version(unit.version, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    uscc, currency = check_org_fields(
        uscc=changes.get("uscc"), currency=changes.get("currency"), timezone=changes.get("timezone")
    )
    if "uscc" in changes:
        changes["uscc"] = uscc
    if "currency" in changes:
        if unit.kind == "subsidiary" and not currency:
            raise Invalid(fields=[field_error("currency", "missing")])
        changes["currency"] = currency
    for required in ("code", "name"):
        if required in changes and changes[required] is None:
            raise Invalid(fields=[field_error(required, "missing")])
    _check_unique(session, changes.get("code"), changes.get("uscc"), unit.id)
    if "manager_id" in changes:
        changes["manager_id"] = _manager(session, scope, changes["manager_id"])
    if changes.get("is_active") is False and unit.parent_id is None:
        raise Invalid(fields=[field_error("is_active", "org_single_root")])
    if "fiscal_year_start_month" in changes:
        _check_fiscal_month(
            session, unit, changes["fiscal_year_start_month"], "fiscal_year_start_month"
        )
    for key, value in changes.items():
        setattr(unit, key, value)
    ensure_still_visible(session, scope, OrgUnit, ADMIN, unit.id)
    return unit


def _check_fiscal_month(session: Session, unit: OrgUnit, month: int | None, field: str) -> None:
    """Only the group root carries the fiscal-year start month, 1–12 (``None``: January).

    Quarter and year targets store their first day, which is a period boundary only under
    the start month they were set with; so the month cannot change while any exist."""
    if unit.parent_id is not None:
        if month is not None:
            raise Invalid(fields=[field_error(field, "fiscal_month_root_only")])
        return
    if month is not None and not 1 <= month <= 12:
        raise Invalid(fields=[field_error(field, "invalid_fiscal_month")])
    current = unit.fiscal_year_start_month or DEFAULT_FISCAL_START_MONTH
    if (month or DEFAULT_FISCAL_START_MONTH) != current:
        count = repository.fiscal_target_count(session)
        if count:
            raise Conflict(
                "fiscal_year_in_use",
                fields=[field_error(field, "fiscal_year_in_use", count=count)],
                extra={"count": count},
                count=count,
            )


def set_fiscal_year_start(session: Session, scope: Scope, month: int | None, field: str) -> OrgUnit:
    """Store the group's fiscal-year start month on the root; needs ``org.admin`` reaching the
    root (a group administrator). ``field`` names the request field, for errors."""
    scope.require(ADMIN)
    root = repository.find_root(session)
    if root is None or not scope.reaches_unit(session, ADMIN, root.id):
        raise Forbidden()
    _check_fiscal_month(session, root, month, field)
    root.fiscal_year_start_month = month
    session.flush()
    return root


def move_unit(session: Session, scope: Scope, unit_id: uuid.UUID, data: OrgUnitMove) -> OrgUnit:
    """Move a unit and its whole subtree under a new parent; cycles are refused."""
    unit = get_visible(session, scope, OrgUnit, ADMIN, unit_id)
    _check_version(unit.version, data.version)
    if unit.parent_id is None:
        raise Invalid(fields=[field_error("new_parent_id", "org_single_root")])
    new_parent = _parent_for_write(session, scope, data.new_parent_id, "new_parent_id")
    if new_parent.path.startswith(unit.path):
        raise Invalid("org_cycle", fields=[field_error("new_parent_id", "org_cycle")])
    _check_parent_kind(unit.kind, new_parent, "new_parent_id")
    if new_parent.id == unit.parent_id:
        return unit
    old_path = unit.path
    members = repository.subtree(session, unit)
    by_id = {m.id: m for m in members}
    by_id[new_parent.id] = new_parent
    _place(unit, new_parent)
    for member in members:
        if member.id == unit.id:
            continue
        member.path = unit.path + member.path[len(old_path) :]
        parent = by_id[member.parent_id] if member.parent_id else None
        _place(member, parent)
    # Users whose primary seat moved follow their unit's legal entity.
    moved_subsidiary = {m.id: m.subsidiary_id for m in members}
    seated = session.execute(
        system_access(select(User).where(User.primary_unit_id.in_(list(moved_subsidiary))))
    ).scalars()
    for user in seated:
        user.subsidiary_id = moved_subsidiary[user.primary_unit_id]
    ensure_still_visible(session, scope, OrgUnit, ADMIN, unit.id)
    return unit


def delete_unit(session: Session, scope: Scope, unit_id: uuid.UUID) -> None:
    unit = get_visible(session, scope, OrgUnit, ADMIN, unit_id)
    if unit.parent_id is None:
        raise Invalid("org_single_root")
    if repository.has_children(session, unit.id) or repository.has_people(session, unit.id):
        raise Conflict("org_not_empty")
    session.delete(unit)
    session.flush()
