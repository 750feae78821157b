"""Lead conversion (线索转化): one transaction turns an open lead into an account (new or
linked), optionally a contact and an opportunity, and marks the lead converted.

Invariant: all or nothing. Every step goes through its own feature's rules (the account's
duplicate check and claim, the opportunity's claim guard and process, the contact's write
rights); any refusal rolls the whole conversion back. A refusal that would normally keep
its own record (a claim conflict) keeps it only when nothing of the conversion was written
before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from flotilla.account import service as account_service
from flotilla.account.schemas import AccountCreate
from flotilla.contact import service as contact_service
from flotilla.contact.schemas import ContactCreate
from flotilla.core.errors import AppError, Invalid, field_error
from flotilla.core.i18n import DEFAULT_LOCALE, Locale
from flotilla.core.scope import Scope
from flotilla.lead import service as lead_service
from flotilla.lead_conversion.schemas import ConvertAccount, LeadConvert
from flotilla.models.customer import Account
from flotilla.models.sales import Lead
from flotilla.opportunity import service as opportunity_service
from flotilla.opportunity.schemas import OpportunityCreate


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: Account
    account_created: bool
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None


class _Steps:
    """Tracks whether the conversion has written anything yet."""

    def __init__(self) -> None:
        self.wrote = False

    @contextmanager
    def step(self, prefix: str) -> Iterator[None]:
        """Run one step: its field errors are named under ``prefix`` (``account.name``), and
        once an earlier step wrote, no refusal may commit a partial conversion."""
        try:
            yield
        except AppError as error:
            error.fields = [replace(f, field=f"{prefix}.{f.field}") for f in error.fields]
            if self.wrote:
                error.keep_writes = False
            raise
        self.wrote = True


def _new_account_data(lead: Lead, data: ConvertAccount, force_reason: str | None) -> AccountCreate:
    given = data.model_dump(exclude_unset=True, exclude={"existing_account_id"})
    if not given.get("name"):
        raise Invalid(fields=[field_error("account.name", "missing")])
    if "unit_id" not in given and "owner_id" not in given:
        given["unit_id"] = lead.unit_id
        if lead.owner_id is not None:
            given["owner_id"] = lead.owner_id
    if force_reason:
        given["force_reason"] = force_reason
    return AccountCreate.model_validate(given)


def _check_link_only(data: ConvertAccount) -> None:
    """Linking an existing account takes its id alone: new-account fields would be ignored."""
    others = data.model_dump(exclude_unset=True, exclude={"existing_account_id"})
    if others:
        raise Invalid(
            fields=[field_error(f"account.{name}", "extra_forbidden") for name in sorted(others)]
        )


def convert_lead(
    session: Session,
    scope: Scope,
    lead_id: uuid.UUID,
    data: LeadConvert,
    *,
    locale: Locale = DEFAULT_LOCALE,
) -> Conversion:
    """Convert an open lead the caller may write (see the module invariant)."""
    lead = lead_service.get_for_conversion(session, scope, lead_id)
    steps = _Steps()
    account_created = data.account.existing_account_id is None
    if data.account.existing_account_id is not None:
        _check_link_only(data.account)
        account = account_service.get_visible_or_none(
            session, scope, data.account.existing_account_id
        )
        if account is None:
            raise Invalid(fields=[field_error("account.existing_account_id", "unknown_reference")])
    else:
        account_data = _new_account_data(lead, data.account, data.force_reason)
        with steps.step("account"):
            account = account_service.create_account(session, scope, account_data, locale=locale)

    opportunity_id = None
    if data.opportunity is not None:
        with steps.step("opportunity"):
            deal = opportunity_service.create_opportunity(
                session,
                scope,
                OpportunityCreate(
                    account_id=account.id,
                    name=data.opportunity.name,
                    amount=data.opportunity.amount,
                    currency=data.opportunity.currency,
                    expected_close_date=data.opportunity.expected_close_date,
                    source=lead.source,
                    unit_id=lead.unit_id,
                    owner_id=lead.owner_id,
                ),
                lead_id=lead.id,
            )
        opportunity_id = deal.id

    contact_id = None
    if data.contact is not None:
        with steps.step("contact"):
            contact = contact_service.create_contact(
                session,
                scope,
                ContactCreate(account_id=account.id, **data.contact.model_dump()),
            )
        contact_id = contact.id

    with steps.step("lead"):
        lead_service.mark_converted(
            session,
            lead,
            account_id=account.id,
            contact_id=contact_id,
            opportunity_id=opportunity_id,
        )
        session.flush()
    return Conversion(
        lead=lead,
        account=account,
        account_created=account_created,
        contact_id=contact_id,
        opportunity_id=opportunity_id,
    )
