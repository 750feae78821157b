"""Claims (报备) and conflicts (撞单).

An account is protected for its holder while it has an ``active`` claim whose
``protected_until`` lies in the future; the period comes from the subsidiary's
``PoolRule.protection_days`` (``DEFAULT_PROTECTION_DAYS`` without a rule). An account has
at most one active claim: ``protect`` releases the others before it adds a new one (and a
partial unique index enforces it in the database).

When someone acting for *another* subsidiary touches a protected account, ``guard_protection``
records a ``ClaimConflict`` and refuses with 409 ``claim_conflict``; the refusal keeps the
conflict record (``keep_writes``). Callers acting for the protecting subsidiary itself never
conflict, nor do callers in a unit the account has been shared with, nor group-level staff
(whose primary unit is the group root and who act for no subsidiary).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from flotilla.account.search import normalize_name
from flotilla.claim import repository
from flotilla.claim.schemas import ClaimLookup, ConflictOut, ConflictResolve
from flotilla.core import audit, clock, lookup
from flotilla.core.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.validators import is_valid_uscc, normalize_uscc
from flotilla.models.customer import Account, AccountClaim, AccountShare, ClaimConflict
from flotilla.models.org import OrgUnit

DEFAULT_PROTECTION_DAYS = 90
READ = "account.read"
WRITE = "account.write"
TRANSFER = "account.transfer"
RESOLUTION_STATUS = {"transfer": "transferred", "share": "shared", "reject": "rejected"}


def subsidiary_of(unit: OrgUnit) -> uuid.UUID | None:
    """The subsidiary a unit belongs to (itself for a subsidiary, ``None`` for the group)."""
    return unit.id if unit.kind == "subsidiary" else unit.subsidiary_id


def acting_unit(session: Session, scope: Scope) -> OrgUnit:
    """The unit the caller acts from: their primary position's unit."""
    return repository.primary_unit_of(session, scope.user_id)


def unit_in_reach(session: Session, scope: Scope, permission: str, unit_id: uuid.UUID) -> bool:
    """Whether the caller may place a record in ``unit_id`` under ``permission``."""
    return repository.unit_within(session, scope, permission, unit_id)


def active_claims_of(
    session: Session, account_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AccountClaim]:
    """The active claim of each account (one query for a page)."""
    return repository.active_claims_of(session, account_ids)


def protection_days(session: Session, subsidiary_id: uuid.UUID) -> int:
    days = repository.protection_days(session, subsidiary_id)
    return DEFAULT_PROTECTION_DAYS if days is None else days


def protect(
    session: Session,
    *,
    account: Account,
    owner_id: uuid.UUID | None,
    unit_id: uuid.UUID,
    subsidiary_id: uuid.UUID,
) -> AccountClaim:
    """Give the account one fresh active claim for this owner and unit.

    Every other active claim of the account ends (status ``released``) first, so the
    account never has two active claims. The protection lasts the subsidiary's
    ``protection_days`` from now.
    """
    now = clock.now()
    for claim in repository.active_claims(session, account.id):
        claim.status = "released"
    session.flush()
    claim = AccountClaim(
        account_id=account.id,
        subsidiary_id=subsidiary_id,
        unit_id=unit_id,
        owner_id=owner_id,
        claimed_at=now,
        protected_until=now + timedelta(days=protection_days(session, subsidiary_id)),
        status="active",
    )
    session.add(claim)
    session.flush()
    return claim


def guard_protection(session: Session, scope: Scope, account: Account, action: str) -> None:
    """Refuse ``action`` on an account protected by another subsidiary.

    If the account's active, unexpired claim is held by a subsidiary other than the one the
    caller acts for (their primary unit's), record an open ``ClaimConflict`` (one per claim
    and requesting unit; a repeated attempt is audited against the open one) and raise 409
    ``claim_conflict`` naming the protecting unit. The refusal commits what was flushed,
    so call this *before* changing anything else in the request.
    """
    claim = repository.protecting_claim(session, account.id, clock.now())
    if claim is None:
        return
    unit = acting_unit(session, scope)
    acting_subsidiary = subsidiary_of(unit)
    if acting_subsidiary is None or acting_subsidiary == claim.subsidiary_id:
        return
    if any(
        unit.path.startswith(path) for path in repository.shared_unit_paths(session, account.id)
    ):
        return
    conflict = repository.open_conflict(session, claim.id, unit.id)
    if conflict is None:
        conflict = ClaimConflict(
            account_id=account.id,
            subsidiary_id=acting_subsidiary,
            claim_id=claim.id,
            protecting_subsidiary_id=claim.subsidiary_id,
            protecting_unit_id=claim.unit_id,
            requesting_unit_id=unit.id,
            requested_by_id=scope.user_id,
            attempted_action=action[:32],
            status="open",
        )
        session.add(conflict)
        session.flush()
    else:
        audit.record(
            session,
            "claim_conflict.repeat",
            entity_type="claim_conflict",
            entity_id=conflict.id,
            unit_id=unit.id,
            subsidiary_id=acting_subsidiary,
            changes={"attempted_action": action[:32], "requested_by_id": scope.user_id},
        )
    protecting = lookup.unit_by_id(session, claim.unit_id)
    protecting_name = protecting.name if protecting is not None else ""
    raise Conflict(
        "claim_conflict",
        keep_writes=True,
        extra={
            "conflict_id": str(conflict.id),
            "protecting_unit": protecting_name,
            "protected_until": claim.protected_until.isoformat(),
        },
        unit=protecting_name,
    )


def reassign_account(
    session: Session, account: Account, *, owner_id: uuid.UUID | None, unit: OrgUnit
) -> AccountClaim:
    """Move an account (and its contacts' subsidiary) to a unit and owner; the new holder
    gets a fresh claim. Callers check authority and visibility."""
    subsidiary_id = subsidiary_of(unit)
    if subsidiary_id is None:
        raise Invalid(fields=[field_error("unit_id", "account_unit_not_in_subsidiary")])
    account.owner_id = owner_id
    account.unit_id = unit.id
    if account.subsidiary_id != subsidiary_id:
        account.subsidiary_id = subsidiary_id
        for contact in repository.contacts_of_account(session, account.id):
            contact.subsidiary_id = subsidiary_id
    session.flush()
    return protect(
        session, account=account, owner_id=owner_id, unit_id=unit.id, subsidiary_id=subsidiary_id
    )


def _take(session: Session, scope: Scope, account: Account) -> tuple[Account, AccountClaim]:
    """Claim an account for the caller: refused while someone else protects it."""
    if account.status == "pool":
        raise Conflict("account_in_pool")
    guard_protection(session, scope, account, "claim")
    current = repository.protecting_claim(session, account.id, clock.now())
    if current is not None:
        if current.owner_id == scope.user_id:
            return account, current
        holder = lookup.unit_by_id(session, current.unit_id)
        raise Conflict("account_protected", unit=holder.name if holder else "")
    unit = acting_unit(session, scope)
    if not unit_in_reach(session, scope, WRITE, unit.id):
        raise Forbidden("out_of_scope")
    before = {"owner_id": account.owner_id, "unit_id": account.unit_id}
    claim = reassign_account(session, account, owner_id=scope.user_id, unit=unit)
    audit.record(
        session,
        "account.claim",
        entity_type="account",
        entity_id=account.id,
        entity_label=account.name,
        unit_id=unit.id,
        subsidiary_id=account.subsidiary_id,
        changes={
            "owner_id": {"before": before["owner_id"], "after": account.owner_id},
            "unit_id": {"before": before["unit_id"], "after": account.unit_id},
            "protected_until": {"before": None, "after": claim.protected_until},
        },
    )
    ensure_still_visible(session, scope, Account, WRITE, account.id)
    return account, claim


def claim_account(
    session: Session, scope: Scope, account_id: uuid.UUID
) -> tuple[Account, AccountClaim]:
    """Claim a visible account by id for the caller."""
    scope.require(WRITE)
    account = get_visible(session, scope, Account, WRITE, account_id)
    return _take(session, scope, account)


def claim_by_lookup(
    session: Session, scope: Scope, data: ClaimLookup
) -> tuple[Account, AccountClaim]:
    """Claim an account found group-wide by USCC or normalized name.

    The caller may not see the account (another subsidiary holds it); the lookup then
    either raises a conflict naming only the protecting unit, or — when nothing protects
    the account — moves it to the caller, after which it is theirs to see.
    """
    scope.require(WRITE)
    uscc = name_key = None
    if data.uscc is not None:
        uscc = normalize_uscc(data.uscc)
        if not is_valid_uscc(uscc):
            raise Invalid(fields=[field_error("uscc", "invalid_uscc")])
    elif data.name is not None:
        name_key = normalize_name(data.name)
        if not name_key:
            raise Invalid(fields=[field_error("name", "invalid_account_name")])
    found = repository.accounts_by_uscc_or_name_key(session, uscc=uscc, name_key=name_key)
    if not found:
        raise NotFound()
    if len(found) > 1:
        raise Conflict("account_ambiguous")
    return _take(session, scope, found[0])


def claim_history(session: Session, scope: Scope, account_id: uuid.UUID) -> list[AccountClaim]:
    get_visible(session, scope, Account, READ, account_id)
    return repository.claims_of_account(session, account_id)


def present_conflicts(
    session: Session, scope: Scope, conflicts: Sequence[ClaimConflict]
) -> list[ConflictOut]:
    """Render conflicts with a fixed number of queries for the whole page."""
    units = lookup.units_by_id(
        session,
        [
            unit_id
            for c in conflicts
            for unit_id in (
                c.protecting_unit_id,
                c.protecting_subsidiary_id,
                c.requesting_unit_id,
                c.subsidiary_id,
            )
        ],
    )
    people = lookup.user_names(
        session,
        [c.requested_by_id for c in conflicts]
        + [c.resolved_by_id for c in conflicts if c.resolved_by_id is not None],
    )
    visible = repository.visible_account_ids(
        session, scope, READ, (c.account_id for c in conflicts)
    )
    names = repository.account_names(session, visible)
    claims = repository.claims_by_id(session, (c.claim_id for c in conflicts))
    out = []
    for c in conflicts:
        claim = claims.get(c.claim_id)
        out.append(
            ConflictOut(
                id=c.id,
                status=c.status,
                attempted_action=c.attempted_action,
                account_id=c.account_id if c.account_id in visible else None,
                account_name=names.get(c.account_id),
                protecting_unit_id=c.protecting_unit_id,
                protecting_unit_name=units[c.protecting_unit_id].name,
                protecting_subsidiary_id=c.protecting_subsidiary_id,
                protecting_subsidiary_name=units[c.protecting_subsidiary_id].name,
                requesting_unit_id=c.requesting_unit_id,
                requesting_unit_name=units[c.requesting_unit_id].name,
                requesting_subsidiary_id=c.subsidiary_id,
                requesting_subsidiary_name=units[c.subsidiary_id].name,
                requested_by_id=c.requested_by_id,
                requested_by_name=people.get(c.requested_by_id, ""),
                protected_until=claim.protected_until if claim is not None else None,
                resolution_note=c.resolution_note,
                resolved_by_id=c.resolved_by_id,
                resolved_by_name=people.get(c.resolved_by_id) if c.resolved_by_id else None,
                resolved_at=c.resolved_at,
                created_at=c.created_at,
                version=c.version,
            )
        )
    return out


def list_conflicts(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    status: str | None = None,
    account_id: uuid.UUID | None = None,
    q: str | None = None,
) -> RowPage[ClaimConflict]:
    return repository.list_conflicts(
        session, scope, READ, page, status=status, account_id=account_id, q=q
    )


def get_conflict(session: Session, scope: Scope, conflict_id: uuid.UUID) -> ClaimConflict:
    return get_visible(session, scope, ClaimConflict, READ, conflict_id)


def resolve_conflict(
    session: Session, scope: Scope, conflict_id: uuid.UUID, data: ConflictResolve
) -> ClaimConflict:
    """Decide an open conflict for the protecting side.

    Only a caller holding ``account.transfer`` over the protecting unit (or group-wide)
    decides. ``transfer`` moves the account and its claim to the requesting unit (owned by
    the requester); ``share`` lets the requesting unit see and work the account; ``reject``
    moves nothing. ``transfer`` and ``share`` need the disputed claim to still be the
    account's active claim (otherwise the conflict is stale and can only be rejected).
    """
    scope.require(TRANSFER)
    conflict = get_visible(session, scope, ClaimConflict, READ, conflict_id)
    if not scope.reaches_unit(session, TRANSFER, conflict.protecting_unit_id):
        raise Forbidden()
    if conflict.version != data.version:
        raise Conflict("version_conflict")
    if conflict.status != "open":
        raise Conflict("conflict_already_resolved")
    account = repository.account_by_id_unscoped(session, conflict.account_id)
    if account is None:
        raise NotFound()
    if data.resolution != "reject":
        claim = repository.claims_by_id(session, [conflict.claim_id]).get(conflict.claim_id)
        if claim is None or claim.status != "active":
            raise Conflict("conflict_stale")
    requesting_unit = lookup.unit_by_id(session, conflict.requesting_unit_id)
    if requesting_unit is None:
        raise NotFound()
    now = clock.now()
    if data.resolution == "transfer":
        requester = repository.active_user(session, conflict.requested_by_id)
        reassign_account(
            session,
            account,
            owner_id=requester.id if requester is not None else None,
            unit=requesting_unit,
        )
    elif data.resolution == "share" and not repository.share_exists(
        session, account.id, requesting_unit.id
    ):
        session.add(
            AccountShare(
                account_id=account.id,
                unit_id=requesting_unit.id,
                subsidiary_id=conflict.subsidiary_id,
                conflict_id=conflict.id,
                created_at=now,
            )
        )
    conflict.status = RESOLUTION_STATUS[data.resolution]
    conflict.resolution_note = data.note
    conflict.resolved_by_id = scope.user_id
    conflict.resolved_at = now
    session.flush()
    audit.record(
        session,
        "claim_conflict.resolve",
        entity_type="claim_conflict",
        entity_id=conflict.id,
        entity_label=account.name,
        unit_id=conflict.protecting_unit_id,
        subsidiary_id=conflict.protecting_subsidiary_id,
        changes={"resolution": data.resolution, "note": data.note, "account_id": account.id},
    )
    return conflict
