"""All contact queries. A contact is visible exactly when its account is (the scope
conditions of ``Contact`` delegate to ``Account``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import Scope, system_access
from flotilla.models.customer import Account, Contact

SORTABLE = {
    "name": Contact.name,
    "created_at": Contact.created_at,
}


def list_contacts(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    q: str | None = None,
    account_id: uuid.UUID | None = None,
    phone_key: str | None = None,
    email_key: str | None = None,
    pii_permission: str,
) -> RowPage[Contact]:
    """Contacts the caller sees. ``q`` matches the name anywhere; the phone and e-mail keys
    match by prefix, but only on contacts whose personal data the caller may read (so a
    masked number cannot be confirmed by searching for it)."""
    stmt = scope.restrict(select(Contact), Contact, permission)
    if account_id is not None:
        stmt = stmt.where(Contact.account_id == account_id)
    if q:
        conditions: list[ColumnElement[bool]] = [
            func.lower(Contact.name).like(f"%{_escape(q.lower())}%", escape="\\")
        ]
        pii = scope.where(Contact, pii_permission)
        if phone_key:
            conditions.append(and_(pii, Contact.phone_key.startswith(phone_key, autoescape=True)))
        if email_key:
            conditions.append(and_(pii, Contact.email_key.startswith(email_key, autoescape=True)))
        stmt = stmt.where(or_(*conditions))
    return paginate(
        session, stmt, request=page, sortable=SORTABLE, default_sort="name", id_column=Contact.id
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def account_ids_within(
    session: Session, scope: Scope, permission: str, account_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    ids = sorted(set(account_ids))
    if not ids:
        return set()
    stmt = scope.restrict(select(Account.id).where(Account.id.in_(ids)), Account, permission)
    return set(session.execute(stmt).scalars())


def account_names(session: Session, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of the accounts of contacts already proven visible."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    stmt = select(Account.id, Account.name).where(Account.id.in_(ids))
    return {row.id: row.name for row in session.execute(system_access(stmt))}


def other_primary_contacts(
    session: Session, account_id: uuid.UUID, contact_id: uuid.UUID
) -> list[Contact]:
    stmt = select(Contact).where(
        Contact.account_id == account_id, Contact.is_primary.is_(True), Contact.id != contact_id
    )
    return list(session.execute(system_access(stmt)).scalars())


def visible_account(
    session: Session, scope: Scope, permission: str, account_id: uuid.UUID
) -> Account | None:
    stmt = scope.restrict(select(Account).where(Account.id == account_id), Account, permission)
    return session.execute(stmt).scalar_one_or_none()
