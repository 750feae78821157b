"""All account and account-search-key queries.

Lists, counts and search run through ``Scope.restrict``. Duplicate detection reads the
whole group on purpose (``system_access``): the service masks what the caller may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, delete, insert, or_, select, union
from sqlalchemy.orm import Session

from flotilla.account.search import (
    KEY_LENGTH,
    KIND_NAME_KEY,
    prefix_upper_bound,
    query_prefixes,
)
from flotilla.core.list_filters import ANY_DAY, DayRange, in_unit_subtree
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.customer import Account, AccountSearchKey, Contact
from flotilla.models.identity import Position, User
from flotilla.models.org import OrgUnit

SORTABLE = {
    "name": Account.name,
    "created_at": Account.created_at,
    "last_follow_up_at": Account.follow_up_sort_at,
}
# Fuzzy duplicate candidates scored per check; a prefix shared by more accounts than this
# is too common to be a signal, and scoring stays bounded.
CANDIDATE_LIMIT = 200


def _prefix_ranges(prefixes: Iterable[str]) -> list[ColumnElement[bool]]:
    return [
        and_(AccountSearchKey.key >= prefix, AccountSearchKey.key < prefix_upper_bound(prefix))
        for prefix in prefixes
    ]


def matching_account_ids(q: str) -> Select[uuid.UUID] | None:
    """Subquery of the ids of accounts matching search text ``q`` (``None`` when ``q`` has
    no searchable characters): an index seek per key kind on ``account_search_key``.
    Unscoped by itself; callers combine it with a scoped statement."""
    prefixes = query_prefixes(q)
    if not prefixes:
        return None
    return select(AccountSearchKey.account_id).where(or_(*_prefix_ranges(prefixes)))


def _uscc_shaped(q: str) -> str | None:
    """``q`` as a USCC when it looks like one (18 code characters), so a pasted USCC finds
    its account through the unique index."""
    compact = "".join(q.split()).upper()
    return compact if len(compact) == 18 and compact.isalnum() else None


def list_accounts(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    q: str | None = None,
    tier: str | None = None,
    value_class: str | None = None,
    subsidiary_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: str | None = None,
    unit_id: uuid.UUID | None = None,
    created: DayRange = ANY_DAY,
) -> RowPage[Account]:
    stmt = scope.restrict(select(Account), Account, permission)
    if q:
        matching = matching_account_ids(q)
        if matching is not None:
            by_name = Account.id.in_(matching)
            uscc = _uscc_shaped(q)
            stmt = stmt.where(or_(by_name, Account.uscc == uscc) if uscc else by_name)
    if tier is not None:
        stmt = stmt.where(Account.tier == tier)
    if value_class is not None:
        stmt = stmt.where(Account.value_class == value_class)
    if subsidiary_id is not None:
        stmt = stmt.where(Account.subsidiary_id == subsidiary_id)
    if owner_id is not None:
        stmt = stmt.where(Account.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(Account.status == status)
    if unit_id is not None:
        stmt = stmt.where(in_unit_subtree(Account.unit_id, unit_id))
    stmt = stmt.where(*created.on_utc_times(Account.created_at))
    return paginate(
        session, stmt, request=page, sortable=SORTABLE, default_sort="name", id_column=Account.id
    )


def replace_search_keys(session: Session, account_id: uuid.UUID, keys: Iterable[str]) -> None:
    """Rewrite an account's search index rows (after a create or a name change)."""
    session.execute(delete(AccountSearchKey).where(AccountSearchKey.account_id == account_id))
    rows = [{"key": key, "account_id": account_id} for key in sorted(set(keys))]
    if rows:
        session.execute(insert(AccountSearchKey), rows)


def visible_ids(
    session: Session, scope: Scope, permission: str, account_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``account_ids`` the permission reaches."""
    ids = sorted(set(account_ids))
    if not ids:
        return set()
    stmt = scope.restrict(select(Account.id).where(Account.id.in_(ids)), Account, permission)
    return set(session.execute(stmt).scalars())


def by_uscc(session: Session, uscc: str) -> list[Account]:
    stmt = select(Account).where(Account.uscc == uscc)
    return list(session.execute(system_access(stmt)).scalars())


def name_candidates(session: Session, name_key: str, candidate_prefix: str | None) -> list[Account]:
    """Accounts whose normalized name (or English name) equals ``name_key`` — all of them —
    then up to ``CANDIDATE_LIMIT`` more whose key starts with ``candidate_prefix`` for fuzzy
    scoring. Exact matches never compete with the fuzzy cap, however common the prefix."""
    exact_key = (KIND_NAME_KEY + name_key)[:KEY_LENGTH]
    # A UNION of two index seeks: an OR across the two tables makes PostgreSQL scan.
    exact_ids = union(
        select(Account.id).where(Account.name_key == name_key),
        select(AccountSearchKey.account_id).where(AccountSearchKey.key == exact_key),
    )
    exact_stmt = select(Account).where(Account.id.in_(exact_ids))
    exact = list(session.execute(system_access(exact_stmt)).scalars())
    if candidate_prefix is None:
        return exact
    by_prefix = select(AccountSearchKey.account_id).where(or_(*_prefix_ranges([candidate_prefix])))
    fuzzy_stmt = (
        select(Account)
        .where(Account.id.in_(by_prefix), Account.id.not_in([a.id for a in exact]))
        .order_by(Account.id)
        .limit(CANDIDATE_LIMIT)
    )
    return exact + list(session.execute(system_access(fuzzy_stmt)).scalars())


def by_contact_phone(session: Session, phone_key: str) -> list[Account]:
    having = select(Contact.account_id).where(Contact.phone_key == phone_key)
    stmt = select(Account).where(Account.id.in_(system_access(having)))
    return list(session.execute(system_access(stmt)).scalars())


def by_contact_email(session: Session, email_key: str) -> list[Account]:
    having = select(Contact.account_id).where(Contact.email_key == email_key)
    stmt = select(Account).where(Account.id.in_(system_access(having)))
    return list(session.execute(system_access(stmt)).scalars())


def external_id_taken(
    session: Session,
    subsidiary_id: uuid.UUID,
    external_id: str,
    exclude_id: uuid.UUID | None = None,
) -> bool:
    stmt = select(Account.id).where(
        Account.subsidiary_id == subsidiary_id, Account.external_id == external_id
    )
    if exclude_id is not None:
        stmt = stmt.where(Account.id != exclude_id)
    return session.execute(system_access(stmt)).first() is not None


def user_within(session: Session, scope: Scope, permission: str, user_id: uuid.UUID) -> User | None:
    """An active user the permission reaches (a possible owner), or ``None``."""
    stmt = scope.restrict(
        select(User).where(User.id == user_id, User.is_active.is_(True)), User, permission
    )
    return session.execute(stmt).scalar_one_or_none()


def user_sits_under(session: Session, user_id: uuid.UUID, unit: OrgUnit) -> bool:
    """Whether the user holds a position in ``unit`` or below it."""
    stmt = (
        select(Position.id)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .where(Position.user_id == user_id, OrgUnit.path.startswith(unit.path))
    )
    return session.execute(system_access(stmt)).first() is not None


def visible_account(
    session: Session, scope: Scope, permission: str, account_id: uuid.UUID
) -> Account | None:
    stmt = scope.restrict(select(Account).where(Account.id == account_id), Account, permission)
    return session.execute(stmt).scalar_one_or_none()


def parent_of(session: Session, account_id: uuid.UUID) -> uuid.UUID | None:
    """The parent company id, for the cycle check (only ids travel, nothing is shown)."""
    stmt = select(Account.parent_account_id).where(Account.id == account_id)
    return session.execute(system_access(stmt)).scalar_one_or_none()
