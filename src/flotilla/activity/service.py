"""Activities (跟进记录) and tasks, and what they do to an account's follow-up clock.

- Calls, visits, meetings, e-mails and notes record something that happened: they are
  complete when logged, and ``occurred_at`` (default now) may not lie in the future.
  Tasks are planned work: ``due_at`` is required and they stay open until completed.
- Every link (account, contact, opportunity) must be visible to the caller, else it is an
  ``unknown_reference`` (422). A contact's or opportunity's account is linked automatically
  and must agree with an explicit account (``link_mismatch``).
- Logging a call, visit, meeting or e-mail on an account, or completing a task linked to
  one, moves ``Account.last_follow_up_at`` forward (never back). That clock is what keeps
  an account out of the public pool (see ``flotilla.pool``); notes do not move it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from flotilla.activity import repository
from flotilla.activity.schemas import (
    ActivityComplete,
    ActivityCreate,
    ActivityOut,
    ActivityUpdate,
)
from flotilla.core import audit, clock, placement
from flotilla.core.errors import Conflict, Invalid, field_error
from flotilla.core.list_filters import ANY_DAY, DayRange
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.models.sales import Activity

READ = "activity.read"
WRITE = "activity.write"

FOLLOW_UP_KINDS = frozenset({"call", "visit", "meeting", "email"})
# A logged activity may carry a time slightly ahead of the server's (device clocks drift).
CLOCK_SKEW = timedelta(minutes=5)


def present(activities: Sequence[Activity]) -> list[ActivityOut]:
    now = clock.now()
    return [
        ActivityOut.model_validate(
            {
                **{c: getattr(a, c) for c in ActivityOut.model_fields if c != "is_overdue"},
                "is_overdue": is_overdue(a, now),
            }
        )
        for a in activities
    ]


def is_overdue(activity: Activity, now: datetime) -> bool:
    return (
        activity.kind == "task"
        and activity.completed_at is None
        and activity.due_at is not None
        and activity.due_at < now
    )


def list_activities(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    kind: str | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    opportunity_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    completed: bool | None = None,
    q: str | None = None,
    occurred: DayRange = ANY_DAY,
    unit_id: uuid.UUID | None = None,
) -> RowPage[Activity]:
    """Activities the caller may read. Overdue tasks list by due date (oldest first) unless
    another order is asked for; everything else newest first."""
    return repository.list_activities(
        session,
        scope,
        READ,
        page,
        now=clock.now(),
        kind=kind,
        account_id=account_id,
        contact_id=contact_id,
        opportunity_id=opportunity_id,
        owner_id=owner_id,
        overdue=overdue,
        completed=completed,
        q=q,
        occurred=occurred,
        unit_id=unit_id,
        default_sort="due_at" if overdue else "-occurred_at",
    )


def get_activity(session: Session, scope: Scope, activity_id: uuid.UUID) -> Activity:
    return get_visible(session, scope, Activity, READ, activity_id)


@dataclass(frozen=True)
class Links:
    account_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None


def _unknown(field: str) -> Invalid:
    return Invalid(fields=[field_error(field, "unknown_reference")])


def _resolve_links(
    session: Session, scope: Scope, links: Links, *, check: Collection[str]
) -> Links:
    """Check the links named in ``check`` are visible, and fill in / verify the account a
    contact or opportunity belongs to."""
    account_id = links.account_id
    if (
        account_id is not None
        and "account_id" in check
        and not repository.account_visible(session, scope, account_id)
    ):
        raise _unknown("account_id")
    implied: list[tuple[str, uuid.UUID]] = []
    if links.contact_id is not None:
        owner_account = repository.contact_account_id(
            session, scope, links.contact_id, visible_only="contact_id" in check
        )
        if owner_account is None:
            raise _unknown("contact_id")
        implied.append(("contact_id", owner_account))
    if links.opportunity_id is not None:
        owner_account = repository.opportunity_account_id(
            session, scope, links.opportunity_id, visible_only="opportunity_id" in check
        )
        if owner_account is None:
            raise _unknown("opportunity_id")
        implied.append(("opportunity_id", owner_account))
    for field, implied_account in implied:
        if account_id is None:
            account_id = implied_account
        elif implied_account != account_id:
            raise Invalid(fields=[field_error(field, "link_mismatch")])
    return Links(account_id, links.contact_id, links.opportunity_id)


def _check_times(kind: str, occurred_at: datetime, due_at: datetime | None, now: datetime) -> None:
    if kind == "task":
        if due_at is None:
            raise Invalid(fields=[field_error("due_at", "missing")])
        return
    if due_at is not None:
        raise Invalid(fields=[field_error("due_at", "only_for_tasks")])
    if occurred_at > now + CLOCK_SKEW:
        raise Invalid(fields=[field_error("occurred_at", "in_future")])


def _record_follow_up(session: Session, activity: Activity, at: datetime) -> None:
    """Move the linked account's follow-up clock to ``at`` if that is later, on the trail."""
    if activity.account_id is None:
        return
    state = repository.follow_up_state(session, activity.account_id)
    if state is None or (state.last_follow_up_at is not None and state.last_follow_up_at >= at):
        return
    if not repository.advance_follow_up(session, activity.account_id, at):
        return
    audit.record(
        session,
        "account.follow_up",
        entity_type="account",
        entity_id=activity.account_id,
        entity_label=state.name,
        unit_id=state.unit_id,
        subsidiary_id=state.subsidiary_id,
        changes={
            "last_follow_up_at": {"before": state.last_follow_up_at, "after": at},
            "activity_id": activity.id,
            "kind": activity.kind,
        },
    )


def create_activity(session: Session, scope: Scope, data: ActivityCreate) -> Activity:
    scope.require(WRITE)
    now = clock.now()
    links = _resolve_links(
        session,
        scope,
        Links(data.account_id, data.contact_id, data.opportunity_id),
        check=("account_id", "contact_id", "opportunity_id"),
    )
    occurred_at = data.occurred_at or now
    _check_times(data.kind, occurred_at, data.due_at, now)
    place = placement.resolve(session, scope, WRITE, unit_id=data.unit_id, owner_id=data.owner_id)
    activity = Activity(
        kind=data.kind,
        subject=data.subject,
        body=data.body,
        account_id=links.account_id,
        contact_id=links.contact_id,
        opportunity_id=links.opportunity_id,
        occurred_at=occurred_at,
        due_at=data.due_at,
        completed_at=None if data.kind == "task" else occurred_at,
        unit_id=place.unit_id,
        subsidiary_id=place.subsidiary_id,
        owner_id=place.owner_id,
    )
    session.add(activity)
    session.flush()
    ensure_still_visible(session, scope, Activity, WRITE, activity.id)
    if activity.kind in FOLLOW_UP_KINDS:
        _record_follow_up(session, activity, occurred_at)
    return activity


def update_activity(
    session: Session, scope: Scope, activity_id: uuid.UUID, data: ActivityUpdate
) -> Activity:
    """Edit an activity the caller may write (``version`` as last read). Changed links are
    checked like new ones; a later ``occurred_at`` of a logged follow-up moves the account's
    clock too."""
    activity = get_visible(session, scope, Activity, WRITE, activity_id)
    if activity.version != data.version:
        raise Conflict("version_conflict")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("subject", "occurred_at", "unit_id", "owner_id"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    link_fields = ("account_id", "contact_id", "opportunity_id")
    changed_links = {
        key for key in link_fields if key in changes and changes[key] != getattr(activity, key)
    }
    if changed_links:
        links = _resolve_links(
            session,
            scope,
            Links(*(changes[k] if k in changes else getattr(activity, k) for k in link_fields)),
            check=changed_links,
        )
        activity.account_id = links.account_id
        activity.contact_id = links.contact_id
        activity.opportunity_id = links.opportunity_id
    occurred_at = changes.get("occurred_at", activity.occurred_at)
    due_at = changes.get("due_at", activity.due_at)
    _check_times(activity.kind, occurred_at, due_at, clock.now())
    if changes.get("unit_id") not in (None, activity.unit_id):
        unit = placement.unit_for_write(session, scope, WRITE, changes["unit_id"])
        assert unit.subsidiary_id is not None
        activity.unit_id, activity.subsidiary_id = unit.id, unit.subsidiary_id
    if changes.get("owner_id") not in (None, activity.owner_id):
        activity.owner_id = placement.owner_for_write(session, scope, changes["owner_id"])
    for key in ("subject", "body"):
        if key in changes:
            setattr(activity, key, changes[key])
    activity.occurred_at = occurred_at
    activity.due_at = due_at
    if activity.kind != "task":
        activity.completed_at = occurred_at
    ensure_still_visible(session, scope, Activity, WRITE, activity.id)
    if activity.kind in FOLLOW_UP_KINDS:
        _record_follow_up(session, activity, occurred_at)
    return activity


def complete_activity(
    session: Session, scope: Scope, activity_id: uuid.UUID, data: ActivityComplete | None
) -> Activity:
    """Complete an open task (409 ``not_a_task`` / ``already_completed`` otherwise); a task
    on an account counts as a follow-up of that account at the moment it is completed."""
    activity = get_visible(session, scope, Activity, WRITE, activity_id)
    if data is not None and data.version is not None and data.version != activity.version:
        raise Conflict("version_conflict")
    if activity.kind != "task":
        raise Conflict("not_a_task")
    if activity.completed_at is not None:
        raise Conflict("already_completed")
    now = clock.now()
    activity.completed_at = now
    session.flush()
    _record_follow_up(session, activity, now)
    return activity
