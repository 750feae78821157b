"""Contacts (联系人): people at an account, visible exactly when the account is.

``phone_key`` (digits only) and ``email_key`` (lower-case) are kept in step with ``phone``
and ``email`` on every write, so duplicate checks find contacts by index. Personal data
is shown in full only where the caller's ``pii.read`` reaches the account.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from flotilla.account.search import digits_only, email_key
from flotilla.claim import service as claims
from flotilla.contact import repository
from flotilla.contact.schemas import ContactCreate, ContactOut, ContactUpdate
from flotilla.core.errors import Conflict, Forbidden, Invalid, field_error
from flotilla.core.masking import mask_email, mask_phone
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.models.customer import Account, Contact

READ = "account.read"
WRITE = "account.write"
PII = "pii.read"


def present(session: Session, scope: Scope, contacts: Sequence[Contact]) -> list[ContactOut]:
    """Render contacts (a fixed number of queries per page), masking personal data."""
    account_ids = {c.account_id for c in contacts}
    clear = repository.account_ids_within(session, scope, PII, account_ids)
    names = repository.account_names(session, account_ids)
    out = []
    for contact in contacts:
        shown = contact.account_id in clear
        out.append(
            ContactOut(
                id=contact.id,
                account_id=contact.account_id,
                account_name=names.get(contact.account_id, ""),
                subsidiary_id=contact.subsidiary_id,
                name=contact.name,
                title=contact.title,
                phone=contact.phone if shown else mask_phone(contact.phone),
                email=contact.email if shown else mask_email(contact.email),
                is_primary=contact.is_primary,
                created_by_id=contact.created_by_id,
                version=contact.version,
                created_at=contact.created_at,
                updated_at=contact.updated_at,
            )
        )
    return out


def list_contacts(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    q: str | None = None,
    account_id: uuid.UUID | None = None,
) -> RowPage[Contact]:
    return repository.list_contacts(
        session,
        scope,
        READ,
        page,
        q=q,
        account_id=account_id,
        phone_key=digits_only(q) if q else None,
        email_key=email_key(q) if q else None,
        pii_permission=PII,
    )


def list_account_contacts(
    session: Session, scope: Scope, account_id: uuid.UUID, page: PageRequest
) -> RowPage[Contact]:
    get_visible(session, scope, Account, READ, account_id)
    return list_contacts(session, scope, page, account_id=account_id)


def get_contact(session: Session, scope: Scope, contact_id: uuid.UUID) -> Contact:
    return get_visible(session, scope, Contact, READ, contact_id)


def _account_for_write(session: Session, scope: Scope, account_id: uuid.UUID) -> Account:
    """The account a contact is added to: unseen accounts 'do not exist' (422); seen but
    not writable ones are refused (403)."""
    account = repository.visible_account(session, scope, WRITE, account_id)
    if account is not None:
        return account
    if repository.visible_account(session, scope, READ, account_id) is None:
        raise Invalid(fields=[field_error("account_id", "unknown_reference")])
    raise Forbidden()


def _make_only_primary(session: Session, contact: Contact) -> None:
    for other in repository.other_primary_contacts(session, contact.account_id, contact.id):
        other.is_primary = False


def create_contact(session: Session, scope: Scope, data: ContactCreate) -> Contact:
    """Add a contact to an account the caller may write (a claim conflict if another
    subsidiary protects it)."""
    scope.require(WRITE)
    account = _account_for_write(session, scope, data.account_id)
    claims.guard_protection(session, scope, account, "contact.create")
    contact = Contact(
        account_id=account.id,
        subsidiary_id=account.subsidiary_id,
        name=data.name,
        title=data.title,
        phone=data.phone or None,
        email=data.email or None,
        phone_key=digits_only(data.phone),
        email_key=email_key(data.email),
        is_primary=data.is_primary,
        created_by_id=scope.user_id,
    )
    session.add(contact)
    session.flush()
    if contact.is_primary:
        _make_only_primary(session, contact)
    ensure_still_visible(session, scope, Contact, WRITE, contact.id)
    return contact


def update_contact(
    session: Session, scope: Scope, contact_id: uuid.UUID, data: ContactUpdate
) -> Contact:
    contact = get_visible(session, scope, Contact, WRITE, contact_id)
    if contact.version != data.version:
        raise Conflict("version_conflict")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("name", "is_primary"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    account = get_visible(session, scope, Account, WRITE, contact.account_id)
    claims.guard_protection(session, scope, account, "contact.update")
    for key, value in changes.items():
        setattr(contact, key, (value or None) if key in ("phone", "email", "title") else value)
    contact.phone_key = digits_only(contact.phone)
    contact.email_key = email_key(contact.email)
    session.flush()
    if contact.is_primary:
        _make_only_primary(session, contact)
        session.flush()
    return contact


def delete_contact(session: Session, scope: Scope, contact_id: uuid.UUID) -> None:
    contact = get_visible(session, scope, Contact, WRITE, contact_id)
    account = get_visible(session, scope, Account, WRITE, contact.account_id)
    claims.guard_protection(session, scope, account, "contact.delete")
    session.delete(contact)
    session.flush()
