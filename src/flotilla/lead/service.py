"""Leads (线索): capture, work, qualify or disqualify; conversion hands them on.

Status moves only along validated transitions (``TRANSITIONS``): new → working → qualified,
qualified back to working, any open lead to disqualified (a reason is required), and a
disqualified lead reopened as working. ``converted`` is reached only through conversion
(``get_for_conversion`` then ``mark_converted``), after which the lead is read-only.

Phone and e-mail are shown in full only where the caller's ``pii.read`` reaches the lead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from flotilla.core import audit, clock, placement
from flotilla.core.errors import Conflict, Invalid, field_error
from flotilla.core.masking import mask_email, mask_phone
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.lead import repository
from flotilla.lead.schemas import LeadCreate, LeadOut, LeadUpdate
from flotilla.models.sales import Lead

READ = "lead.read"
WRITE = "lead.write"
PII = "pii.read"

OPEN_STATUSES = frozenset({"new", "working", "qualified"})
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"working", "disqualified"}),
    "working": frozenset({"qualified", "disqualified"}),
    "qualified": frozenset({"working", "disqualified"}),
    "disqualified": frozenset({"working"}),
    "converted": frozenset(),
}


def present(session: Session, scope: Scope, leads: Sequence[Lead]) -> list[LeadOut]:
    """Render leads (one query for the whole page), masking phone and e-mail unless
    ``pii.read`` reaches the lead."""
    clear = repository.ids_within(session, scope, PII, (lead.id for lead in leads))
    out = []
    for lead in leads:
        item = LeadOut.model_validate(lead)
        if lead.id not in clear:
            item.phone = mask_phone(item.phone)
            item.email = mask_email(item.email)
        out.append(item)
    return out


def list_leads(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    status: str | None = None,
    source: str | None = None,
    owner_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    q: str | None = None,
) -> RowPage[Lead]:
    return repository.list_leads(
        session,
        scope,
        READ,
        page,
        status=status,
        source=source,
        owner_id=owner_id,
        unit_id=unit_id,
        q=q,
    )


def get_lead(session: Session, scope: Scope, lead_id: uuid.UUID) -> Lead:
    return get_visible(session, scope, Lead, READ, lead_id)


def create_lead(session: Session, scope: Scope, data: LeadCreate) -> Lead:
    """A new lead, status ``new``, owned by the caller in their primary unit unless another
    unit (in reach) or owner (visible to the caller) is given."""
    scope.require(WRITE)
    place = placement.resolve(session, scope, WRITE, unit_id=data.unit_id, owner_id=data.owner_id)
    lead = Lead(
        **data.model_dump(exclude={"unit_id", "owner_id"}),
        status="new",
        unit_id=place.unit_id,
        subsidiary_id=place.subsidiary_id,
        owner_id=place.owner_id,
    )
    session.add(lead)
    session.flush()
    ensure_still_visible(session, scope, Lead, WRITE, lead.id)
    return lead


def _apply_status(lead: Lead, target: str, reason: str | None) -> None:
    if target != lead.status and target not in TRANSITIONS[lead.status]:
        raise Invalid(
            "invalid_transition",
            fields=[
                field_error(
                    "status", "invalid_transition", from_status=lead.status, to_status=target
                )
            ],
            from_status=lead.status,
            to_status=target,
        )
    if target == "disqualified":
        if not (reason or lead.disqualify_reason):
            raise Invalid(fields=[field_error("disqualify_reason", "missing")])
        if reason:
            lead.disqualify_reason = reason
    else:
        if reason:
            raise Invalid(fields=[field_error("disqualify_reason", "not_disqualified")])
        lead.disqualify_reason = None
    lead.status = target


def update_lead(session: Session, scope: Scope, lead_id: uuid.UUID, data: LeadUpdate) -> Lead:
    """Edit a lead the caller may write; ``version`` must be the one last read. A converted
    lead is read-only (409 ``lead_converted``)."""
    lead = get_visible(session, scope, Lead, WRITE, lead_id)
    if lead.version != data.version:
        raise Conflict("version_conflict")
    if lead.status == "converted":
        raise Conflict("lead_converted")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "company_name" in changes and changes["company_name"] is None:
        raise Invalid(fields=[field_error("company_name", "missing")])
    for key in ("unit_id", "owner_id", "status"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    if changes.get("unit_id") not in (None, lead.unit_id):
        unit = placement.unit_for_write(session, scope, WRITE, changes["unit_id"])
        assert unit.subsidiary_id is not None
        lead.unit_id, lead.subsidiary_id = unit.id, unit.subsidiary_id
    if changes.get("owner_id") not in (None, lead.owner_id):
        lead.owner_id = placement.owner_for_write(session, scope, changes["owner_id"])
    reason = changes.pop("disqualify_reason", None)
    target = changes.pop("status", None) or lead.status
    _apply_status(lead, target, reason)
    for key, value in changes.items():
        if key not in ("unit_id", "owner_id"):
            setattr(lead, key, value)
    ensure_still_visible(session, scope, Lead, WRITE, lead.id)
    return lead


# --- conversion (the convert endpoint builds on these) --------------------------------------


def get_for_conversion(session: Session, scope: Scope, lead_id: uuid.UUID) -> Lead:
    """The lead to convert, loaded through ``lead.write`` (404 when out of reach); only an
    open lead (new, working, qualified) converts, else 409 ``lead_not_convertible``."""
    lead = get_visible(session, scope, Lead, WRITE, lead_id)
    if lead.status not in OPEN_STATUSES:
        raise Conflict("lead_not_convertible", lead_status=lead.status)
    return lead


def mark_converted(
    session: Session,
    lead: Lead,
    *,
    account_id: uuid.UUID,
    contact_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> Lead:
    """Record the result of a conversion on an open lead (from ``get_for_conversion``):
    status ``converted``, the account (and contact, opportunity) it became, and when. The
    change and an explicit ``lead.convert`` event land on the audit trail. The caller has
    already proven the records it links are visible to the user."""
    if lead.status not in OPEN_STATUSES:
        raise Conflict("lead_not_convertible", lead_status=lead.status)
    previous = lead.status
    lead.status = "converted"
    lead.disqualify_reason = None
    lead.converted_account_id = account_id
    lead.converted_contact_id = contact_id
    lead.converted_opportunity_id = opportunity_id
    lead.converted_at = at or clock.now()
    audit.record(
        session,
        "lead.convert",
        entity_type="lead",
        entity_id=lead.id,
        entity_label=lead.company_name,
        unit_id=lead.unit_id,
        subsidiary_id=lead.subsidiary_id,
        changes={
            "status": {"before": previous, "after": "converted"},
            "converted_account_id": account_id,
            "converted_contact_id": contact_id,
            "converted_opportunity_id": opportunity_id,
        },
    )
    return lead
