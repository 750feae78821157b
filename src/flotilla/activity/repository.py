"""All activity queries, and the look-ups that check an activity's links."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, not_, or_, select, update
from sqlalchemy.orm import Session

from flotilla.core.list_filters import ANY_DAY, DayRange, in_unit_subtree
from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import SYSTEM_OPTION, Scope, system_access
from flotilla.models.customer import Account, Contact
from flotilla.models.sales import Activity, Opportunity

ACCOUNT_READ = "account.read"
OPPORTUNITY_READ = "opportunity.read"

SORTABLE = {
    "occurred_at": Activity.occurred_at,
    "due_at": Activity.due_at,
    "created_at": Activity.created_at,
}


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Open tasks whose due time has passed."""
    return and_(
        Activity.kind == "task",
        Activity.completed_at.is_(None),
        Activity.due_at < now,
    )


def list_activities(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    *,
    now: datetime,
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
    default_sort: str = "-occurred_at",
) -> RowPage[Activity]:
    stmt = scope.restrict(select(Activity), Activity, permission)
    if kind is not None:
        stmt = stmt.where(Activity.kind == kind)
    if account_id is not None:
        stmt = stmt.where(Activity.account_id == account_id)
    if contact_id is not None:
        stmt = stmt.where(Activity.contact_id == contact_id)
    if opportunity_id is not None:
        stmt = stmt.where(Activity.opportunity_id == opportunity_id)
    if owner_id is not None:
        stmt = stmt.where(Activity.owner_id == owner_id)
    if overdue is True:
        stmt = stmt.where(overdue_condition(now))
    elif overdue is False:
        stmt = stmt.where(not_(overdue_condition(now)))
    if completed is True:
        stmt = stmt.where(Activity.completed_at.is_not(None))
    elif completed is False:
        stmt = stmt.where(Activity.completed_at.is_(None))
    if q:
        stmt = stmt.where(func.lower(Activity.subject).like(f"%{q.lower()}%"))
    stmt = stmt.where(*occurred.on_utc_times(Activity.occurred_at))
    if unit_id is not None:
        stmt = stmt.where(in_unit_subtree(Activity.unit_id, unit_id))
    if (page.sort or default_sort).lstrip("-") == "due_at":
        # Keyset pagination needs a value on every row: sorting by due date lists what has one.
        stmt = stmt.where(Activity.due_at.is_not(None))
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort=default_sort,
        id_column=Activity.id,
    )


def account_visible(session: Session, scope: Scope, account_id: uuid.UUID) -> bool:
    stmt = scope.restrict(select(Account.id).where(Account.id == account_id), Account, ACCOUNT_READ)
    return session.execute(stmt).first() is not None


def contact_account_id(
    session: Session, scope: Scope, contact_id: uuid.UUID, *, visible_only: bool
) -> uuid.UUID | None:
    """The account of a contact; ``None`` when it does not exist (or, with
    ``visible_only``, when the caller cannot see it)."""
    stmt = select(Contact.account_id).where(Contact.id == contact_id)
    stmt = scope.restrict(stmt, Contact, ACCOUNT_READ) if visible_only else system_access(stmt)
    return session.execute(stmt).scalar_one_or_none()


def opportunity_account_id(
    session: Session, scope: Scope, opportunity_id: uuid.UUID, *, visible_only: bool
) -> uuid.UUID | None:
    stmt = select(Opportunity.account_id).where(Opportunity.id == opportunity_id)
    stmt = (
        scope.restrict(stmt, Opportunity, OPPORTUNITY_READ) if visible_only else system_access(stmt)
    )
    return session.execute(stmt).scalar_one_or_none()


@dataclass(frozen=True)
class FollowUpState:
    name: str
    unit_id: uuid.UUID
    subsidiary_id: uuid.UUID
    last_follow_up_at: datetime | None


def follow_up_state(session: Session, account_id: uuid.UUID) -> FollowUpState | None:
    stmt = select(
        Account.name, Account.unit_id, Account.subsidiary_id, Account.last_follow_up_at
    ).where(Account.id == account_id)
    row = session.execute(system_access(stmt)).first()
    if row is None:
        return None
    return FollowUpState(row[0], row[1], row[2], row[3])


def advance_follow_up(session: Session, account_id: uuid.UUID, at: datetime) -> bool:
    """Move the account's last follow-up forward to ``at`` (never backwards). A single
    conditional UPDATE, so concurrent activities keep the latest time; the account's version
    is not bumped (follow-ups are not edits of the account record). Returns whether it moved."""
    stmt = (
        update(Account)
        .where(
            Account.id == account_id,
            or_(Account.last_follow_up_at.is_(None), Account.last_follow_up_at < at),
        )
        .values(last_follow_up_at=at)
        .execution_options(synchronize_session=False, **{SYSTEM_OPTION: True})
    )
    result = session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))
