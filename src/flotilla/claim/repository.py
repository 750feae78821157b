"""All claim (报备), conflict (撞单) and pool-rule queries.

Claims are read group-wide on purpose: protection is a group rule, so whether an account is
protected must be known even to a caller from another subsidiary who cannot see it. Those
reads are ``system_access`` and never leave the service unmasked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from flotilla.account.repository import matching_account_ids
from flotilla.account.search import KEY_LENGTH, KIND_NAME_KEY
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.customer import (
    Account,
    AccountClaim,
    AccountSearchKey,
    AccountShare,
    ClaimConflict,
    Contact,
    PoolRule,
)
from flotilla.models.identity import User
from flotilla.models.org import OrgUnit

CONFLICT_SORTABLE = {
    "created_at": ClaimConflict.created_at,
    "updated_at": ClaimConflict.updated_at,
}


def protection_days(session: Session, subsidiary_id: uuid.UUID) -> int | None:
    stmt = select(PoolRule.protection_days).where(PoolRule.subsidiary_id == subsidiary_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def active_claims(session: Session, account_id: uuid.UUID) -> list[AccountClaim]:
    stmt = (
        select(AccountClaim)
        .where(AccountClaim.account_id == account_id, AccountClaim.status == "active")
        .order_by(AccountClaim.claimed_at.desc(), AccountClaim.id.desc())
    )
    return list(session.execute(system_access(stmt)).scalars())


def protecting_claim(session: Session, account_id: uuid.UUID, now: datetime) -> AccountClaim | None:
    """The account's active claim that still protects it at ``now``, if any."""
    stmt = (
        select(AccountClaim)
        .where(
            AccountClaim.account_id == account_id,
            AccountClaim.status == "active",
            AccountClaim.protected_until > now,
        )
        .order_by(AccountClaim.protected_until.desc(), AccountClaim.id.desc())
        .limit(1)
    )
    return session.execute(system_access(stmt)).scalar_one_or_none()


def active_claims_of(
    session: Session, account_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AccountClaim]:
    """The newest active claim of each account (one query for a page of accounts)."""
    ids = list(account_ids)
    if not ids:
        return {}
    stmt = (
        select(AccountClaim)
        .where(AccountClaim.account_id.in_(ids), AccountClaim.status == "active")
        .order_by(AccountClaim.claimed_at, AccountClaim.id)
    )
    return {claim.account_id: claim for claim in session.execute(system_access(stmt)).scalars()}


def primary_unit_of(session: Session, user_id: uuid.UUID) -> OrgUnit:
    """The org unit of a user's primary position (where they act from)."""
    stmt = select(OrgUnit).join(User, User.primary_unit_id == OrgUnit.id).where(User.id == user_id)
    return session.execute(system_access(stmt)).scalar_one()


def shared_unit_paths(session: Session, account_id: uuid.UUID) -> list[str]:
    """Materialized paths of the units an account is shared with."""
    stmt = (
        select(OrgUnit.path)
        .join(AccountShare, AccountShare.unit_id == OrgUnit.id)
        .where(AccountShare.account_id == account_id)
    )
    return list(session.execute(system_access(stmt)).scalars())


def share_exists(session: Session, account_id: uuid.UUID, unit_id: uuid.UUID) -> bool:
    stmt = select(AccountShare.id).where(
        AccountShare.account_id == account_id, AccountShare.unit_id == unit_id
    )
    return session.execute(stmt).first() is not None


def open_conflict(
    session: Session, claim_id: uuid.UUID, requesting_unit_id: uuid.UUID
) -> ClaimConflict | None:
    stmt = select(ClaimConflict).where(
        ClaimConflict.claim_id == claim_id,
        ClaimConflict.requesting_unit_id == requesting_unit_id,
        ClaimConflict.status == "open",
    )
    return session.execute(system_access(stmt)).scalars().first()


def contacts_of_account(session: Session, account_id: uuid.UUID) -> list[Contact]:
    stmt = select(Contact).where(Contact.account_id == account_id)
    return list(session.execute(system_access(stmt)).scalars())


def account_by_id_unscoped(session: Session, account_id: uuid.UUID) -> Account | None:
    """For the protection rules only: the result never reaches a caller unmasked."""
    stmt = select(Account).where(Account.id == account_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()


def accounts_by_uscc_or_name_key(
    session: Session, *, uscc: str | None, name_key: str | None
) -> list[Account]:
    """Group-wide lookup for claiming an account by USCC or normalized name (matching the
    normalized Chinese or English name)."""
    conditions = []
    if uscc:
        conditions.append(Account.uscc == uscc)
    if name_key:
        conditions.append(Account.name_key == name_key)
        english = select(AccountSearchKey.account_id).where(
            AccountSearchKey.key == (KIND_NAME_KEY + name_key)[:KEY_LENGTH]
        )
        conditions.append(Account.id.in_(english))
    if not conditions:
        return []
    stmt = select(Account).where(or_(*conditions)).order_by(Account.created_at).limit(10)
    return list(session.execute(system_access(stmt)).scalars())


def list_conflicts(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    status: str | None = None,
    account_id: uuid.UUID | None = None,
    q: str | None = None,
) -> RowPage[ClaimConflict]:
    stmt = scope.restrict(select(ClaimConflict), ClaimConflict, permission)
    if q:
        matching = matching_account_ids(q)
        if matching is not None:
            stmt = stmt.where(ClaimConflict.account_id.in_(matching))
    if status is not None:
        stmt = stmt.where(ClaimConflict.status == status)
    if account_id is not None:
        stmt = stmt.where(ClaimConflict.account_id == account_id)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=CONFLICT_SORTABLE,
        default_sort="-created_at",
        id_column=ClaimConflict.id,
    )


def visible_account_ids(
    session: Session, scope: Scope, permission: str, account_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    ids = sorted(set(account_ids))
    if not ids:
        return set()
    stmt = scope.restrict(select(Account.id).where(Account.id.in_(ids)), Account, permission)
    return set(session.execute(stmt).scalars())


def account_names(session: Session, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of accounts already proven visible to the caller."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    stmt = select(Account.id, Account.name).where(Account.id.in_(ids))
    return {row.id: row.name for row in session.execute(system_access(stmt))}


def claims_by_id(session: Session, claim_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, AccountClaim]:
    ids = sorted(set(claim_ids))
    if not ids:
        return {}
    stmt = select(AccountClaim).where(AccountClaim.id.in_(ids))
    return {claim.id: claim for claim in session.execute(system_access(stmt)).scalars()}


def claims_of_account(session: Session, account_id: uuid.UUID) -> list[AccountClaim]:
    """An account's claim history, newest first (the account is already proven visible)."""
    stmt = (
        select(AccountClaim)
        .where(AccountClaim.account_id == account_id)
        .order_by(AccountClaim.claimed_at.desc(), AccountClaim.id.desc())
    )
    return list(session.execute(system_access(stmt)).scalars())


def unit_within(session: Session, scope: Scope, permission: str, unit_id: uuid.UUID) -> bool:
    """Whether ``permission`` lets the caller place records in a unit: a unit its reach
    covers, or (for an ``own`` reach) a unit where the caller holds a position."""
    if scope.reach(permission).everything:
        return True
    stmt = scope.restrict(select(OrgUnit.id).where(OrgUnit.id == unit_id), OrgUnit, permission)
    return session.execute(stmt).first() is not None


def active_user(session: Session, user_id: uuid.UUID) -> User | None:
    stmt = select(User).where(User.id == user_id, User.is_active.is_(True))
    return session.execute(system_access(stmt)).scalar_one_or_none()
