"""All queries of the public pool (公海) and its rules.

Pool visibility is not plain data scope: a rep sees the pool of every subsidiary they hold
a position in (that is where they may claim from), plus whatever their ``account.read``
reach covers. Rule look-ups and quota counts that *enforce* the rules are deliberate
system reads (``system_access``): the rules apply whatever the caller may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from flotilla.account.repository import matching_account_ids
from flotilla.core.jobs import claim_rows
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import SCOPED_OPTION, Scope, system_access
from flotilla.models.customer import Account, AccountClaim, PoolRelease, PoolRule
from flotilla.models.identity import Position, User
from flotilla.models.org import OrgUnit

ACCOUNT_READ = "account.read"
POOL_ADMIN = "pool.admin"

POOL_SORTABLE = {
    "pool_entered_at": Account.pool_entered_at,
    "name": Account.name,
    "created_at": Account.created_at,
}
RULE_SORTABLE = {"name": OrgUnit.name, "code": OrgUnit.code}


@dataclass(frozen=True)
class Seat:
    """A position the caller holds, with the subsidiary it sits in."""

    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    subsidiary_name: str
    is_primary: bool


def member_subsidiary_ids(user_id: uuid.UUID) -> Any:
    """Subquery: the subsidiaries in which ``user_id`` holds a position (any seat)."""
    return (
        select(OrgUnit.subsidiary_id)
        .join(Position, Position.unit_id == OrgUnit.id)
        .where(Position.user_id == user_id, OrgUnit.subsidiary_id.is_not(None))
    )


def seats_of(session: Session, user_id: uuid.UUID) -> list[Seat]:
    """The caller's seats, primary first, each with its subsidiary (one query)."""
    subsidiary = aliased(OrgUnit)
    stmt = (
        select(Position.unit_id, Position.is_primary, subsidiary.id, subsidiary.name)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .join(subsidiary, subsidiary.id == OrgUnit.subsidiary_id)
        .where(Position.user_id == user_id, OrgUnit.is_active.is_(True))
        .order_by(Position.is_primary.desc(), OrgUnit.depth.desc(), OrgUnit.path)
    )
    return [
        Seat(unit_id=unit_id, subsidiary_id=sid, subsidiary_name=name, is_primary=primary)
        for unit_id, primary, sid, name in session.execute(system_access(stmt))
    ]


def _pool_visibility(scope: Scope) -> Any:
    if not scope.has(ACCOUNT_READ):
        return false()
    return and_(
        Account.status == "pool",
        or_(
            Account.subsidiary_id.in_(member_subsidiary_ids(scope.user_id)),
            scope.where(Account, ACCOUNT_READ),
        ),
    )


def list_pool(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    subsidiary_id: uuid.UUID | None = None,
    q: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
) -> RowPage[Account]:
    # Filtered through the scope kernel's own condition (``Scope.where``) widened by pool
    # membership, hence marked as scoped by hand.
    stmt = select(Account).where(_pool_visibility(scope)).execution_options(**{SCOPED_OPTION: True})
    if subsidiary_id is not None:
        stmt = stmt.where(Account.subsidiary_id == subsidiary_id)
    if q:
        # The same search as the account list: name, pinyin, initials, English words.
        matching = matching_account_ids(q)
        if matching is not None:
            stmt = stmt.where(Account.id.in_(matching))
    if industry:
        stmt = stmt.where(Account.industry == industry)
    if region:
        stmt = stmt.where(Account.region == region)
    if tier:
        stmt = stmt.where(Account.tier == tier)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=POOL_SORTABLE,
        default_sort="-pool_entered_at",
        id_column=Account.id,
    )


def find_in_pool_view(session: Session, scope: Scope, account_id: uuid.UUID) -> Account | None:
    """An account the caller can see from the pool page (pool accounts only)."""
    stmt = (
        select(Account)
        .where(Account.id == account_id, _pool_visibility(scope))
        .execution_options(**{SCOPED_OPTION: True})
    )
    return session.execute(stmt).scalar_one_or_none()


def find_claimable_elsewhere(
    session: Session, scope: Scope, account_id: uuid.UUID
) -> Account | None:
    """An account in a subsidiary where the caller holds a position, or visible to them,
    whatever its status: a pool account someone else claimed first is still "there" for
    a rep who saw it on their pool page."""
    if not scope.has(ACCOUNT_READ):
        return None
    stmt = (
        select(Account)
        .where(
            Account.id == account_id,
            or_(
                Account.subsidiary_id.in_(member_subsidiary_ids(scope.user_id)),
                scope.where(Account, ACCOUNT_READ),
            ),
        )
        .execution_options(**{SCOPED_OPTION: True})
    )
    return session.execute(stmt).scalar_one_or_none()


def lock_account(session: Session, account_id: uuid.UUID) -> Account | None:
    """The account row, locked until commit (PostgreSQL) and re-read from the database, so
    the pool status checked is the one the update will be based on."""
    stmt = (
        select(Account)
        .where(Account.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(system_access(stmt)).scalar_one_or_none()


def lock_user(session: Session, user_id: uuid.UUID) -> None:
    """Serialize one rep's concurrent claims (the quota check then counts committed work)."""
    stmt = select(User.id).where(User.id == user_id).with_for_update()
    session.execute(system_access(stmt)).first()


def owned_counts(
    session: Session, user_id: uuid.UUID, subsidiary_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many accounts ``user_id`` owns in each subsidiary (the pool quota's measure)."""
    ids = sorted(set(subsidiary_ids))
    if not ids:
        return {}
    stmt = (
        select(Account.subsidiary_id, func.count())
        .where(
            Account.owner_id == user_id,
            Account.status == "owned",
            Account.subsidiary_id.in_(ids),
        )
        .group_by(Account.subsidiary_id)
    )
    return {sid: int(count) for sid, count in session.execute(system_access(stmt))}


def last_releases(
    session: Session, user_id: uuid.UUID, account_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    """When ``user_id`` last released or lost each account (for cool-downs)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    stmt = (
        select(PoolRelease.account_id, func.max(PoolRelease.released_at))
        .where(PoolRelease.user_id == user_id, PoolRelease.account_id.in_(ids))
        .group_by(PoolRelease.account_id)
    )
    return {account_id: released for account_id, released in session.execute(stmt)}


def rules_for(session: Session, subsidiary_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PoolRule]:
    ids = sorted(set(subsidiary_ids))
    if not ids:
        return {}
    stmt = select(PoolRule).where(PoolRule.subsidiary_id.in_(ids))
    return {rule.subsidiary_id: rule for rule in session.execute(system_access(stmt)).scalars()}


def active_claims(session: Session, account_id: uuid.UUID) -> list[AccountClaim]:
    stmt = select(AccountClaim).where(
        AccountClaim.account_id == account_id, AccountClaim.status == "active"
    )
    return list(session.execute(system_access(stmt)).scalars())


def protection_until(session: Session, account_id: uuid.UUID) -> datetime | None:
    """The end of the account's latest active protection, if any."""
    stmt = select(func.max(AccountClaim.protected_until)).where(
        AccountClaim.account_id == account_id, AccountClaim.status == "active"
    )
    return session.execute(system_access(stmt)).scalar_one_or_none()


# --- pool rules ---------------------------------------------------------------------------


def _rule_subsidiaries(scope: Scope) -> Any:
    """Subsidiaries whose pool rules the caller may read: those their ``pool.admin`` or
    ``account.read`` reach covers, and those they hold a position in (the rules they work
    under)."""
    return and_(
        OrgUnit.kind == "subsidiary",
        or_(
            scope.where(OrgUnit, POOL_ADMIN),
            scope.where(OrgUnit, ACCOUNT_READ),
            OrgUnit.id.in_(member_subsidiary_ids(scope.user_id)),
        ),
    )


def list_rule_subsidiaries(
    session: Session, scope: Scope, page: PageRequest, *, q: str | None = None
) -> RowPage[OrgUnit]:
    stmt = (
        select(OrgUnit).where(_rule_subsidiaries(scope)).execution_options(**{SCOPED_OPTION: True})
    )
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(OrgUnit.name).like(pattern), func.lower(OrgUnit.code).like(pattern))
        )
    return paginate(
        session,
        stmt,
        request=page,
        sortable=RULE_SORTABLE,
        default_sort="code",
        id_column=OrgUnit.id,
    )


def find_rule_subsidiary(
    session: Session, scope: Scope, subsidiary_id: uuid.UUID
) -> OrgUnit | None:
    stmt = (
        select(OrgUnit)
        .where(OrgUnit.id == subsidiary_id, _rule_subsidiaries(scope))
        .execution_options(**{SCOPED_OPTION: True})
    )
    return session.execute(stmt).scalar_one_or_none()


# --- reclaim --------------------------------------------------------------------------------


def subsidiaries_with_rules(session: Session) -> list[tuple[uuid.UUID, PoolRule | None]]:
    """Every subsidiary with its rule row, if it has one (system job)."""
    stmt = (
        select(OrgUnit.id, PoolRule)
        .outerjoin(PoolRule, PoolRule.subsidiary_id == OrgUnit.id)
        .where(OrgUnit.kind == "subsidiary")
        .order_by(OrgUnit.id)
    )
    return [(sid, rule) for sid, rule in session.execute(system_access(stmt))]


def claim_idle_accounts(
    session: Session,
    subsidiary_id: uuid.UUID,
    *,
    idle_since: datetime,
    now: datetime,
    limit: int,
) -> list[Account]:
    """Owned accounts of one subsidiary with no follow-up since ``idle_since`` (never
    followed up: created before it) and no protection still running at ``now``, locked for
    this transaction; rows another process holds are skipped."""
    protected = exists(
        select(AccountClaim.id).where(
            AccountClaim.account_id == Account.id,
            AccountClaim.status == "active",
            AccountClaim.protected_until > now,
        )
    )
    idle = or_(
        Account.last_follow_up_at < idle_since,
        and_(Account.last_follow_up_at.is_(None), Account.created_at < idle_since),
    )
    stmt = (
        select(Account)
        .where(
            Account.subsidiary_id == subsidiary_id,
            Account.status == "owned",
            idle,
            ~protected,
        )
        .order_by(Account.id)
        .limit(limit)
    )
    return list(session.execute(system_access(claim_rows(stmt))).scalars())
