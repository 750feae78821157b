"""All opportunity queries. Every read of ``opportunity`` starts from ``Scope.restrict``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from flotilla.core.list_filters import ANY_DAY, DayRange, in_unit_subtree
from flotilla.core.pagination import (
    PageRequest,
    RowPage,
    paginate,
)
from flotilla.core.scope import Scope, system_access
from flotilla.models.customer import Contact
from flotilla.models.identity import Position, User
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, OpportunityMember, ProcessStage, StageHistory


def _close_date_sort(descending: bool) -> Any:
    """The expected close date with undated deals last, whichever way the list is sorted."""
    sentinel = date.min if descending else date.max
    return func.coalesce(Opportunity.expected_close_date, literal(sentinel, Date))


SORTABLE: dict[str, Any] = {
    "created_at": Opportunity.created_at,
    "updated_at": Opportunity.updated_at,
    "amount": Opportunity.amount,
    "expected_close_date": _close_date_sort,
}
DEFAULT_SORT = "-created_at"


@dataclass(frozen=True)
class OpportunityFilters:
    status: str | None = None
    stage_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    subsidiary_id: uuid.UUID | None = None
    stalled: bool | None = None
    q: str | None = None
    # Drill-down filters (inclusive days; ``closed`` and ``created`` are UTC days).
    closed: DayRange = ANY_DAY
    expected_close: DayRange = ANY_DAY
    created: DayRange = ANY_DAY
    # A stage code matches that stage in every process version (variants share codes).
    stage_code: str | None = None
    forecast_category: str | None = None
    # The deals behind a funnel figure: entered a stage (any open stage without a code) in
    # the range, optionally narrowed to what became of them (see forecast.repository).
    entered_stage_code: str | None = None
    entered: DayRange = ANY_DAY
    funnel_outcome: str | None = None
    # The deals that left a stage in the range (the funnel's average days in stage).
    exited_stage_code: str | None = None
    exited: DayRange = ANY_DAY


def stalled_condition(session: Session, now: datetime) -> ColumnElement[bool]:
    """Open deals whose whole days in the current stage exceed the stage's ``max_days``.

    ``days > max_days`` ⇔ ``entered <= now - (max_days + 1) days``; the few distinct
    ``max_days`` values are read first so each cut-off is a bound timestamp (portable, and
    the comparison can use the index on the stage)."""
    limits = session.execute(
        select(ProcessStage.max_days).where(ProcessStage.max_days.is_not(None)).distinct()
    ).scalars()
    branches = [
        and_(
            Opportunity.stage_id.in_(
                select(ProcessStage.id).where(ProcessStage.max_days == max_days)
            ),
            Opportunity.stage_entered_at <= now - timedelta(days=max_days + 1),
        )
        for max_days in sorted(int(m) for m in limits if m is not None)
    ]
    if not branches:
        return false()
    return and_(Opportunity.status == "open", or_(*branches))


def _day_bounds(days: DayRange) -> tuple[datetime, datetime]:
    """A day range as [start, end) UTC instants; an open side reaches the end of time."""
    start = datetime.combine(days.start or date(1970, 1, 1), time.min, tzinfo=UTC)
    end_day = days.end + timedelta(days=1) if days.end is not None else date(9999, 1, 1)
    return start, datetime.combine(end_day, time.min, tzinfo=UTC)


def _entered_condition(session: Session, filters: OpportunityFilters) -> ColumnElement[bool]:
    # The funnel's own definition, so a drill-down lists exactly the deals it counted.
    from flotilla.forecast.repository import funnel_condition, load_catalogue

    start, end = _day_bounds(filters.entered)
    return funnel_condition(
        load_catalogue(session),
        start=start,
        end=end,
        stage_code=filters.entered_stage_code,
        outcome=filters.funnel_outcome,
    )


def _exited_condition(filters: OpportunityFilters) -> ColumnElement[bool]:
    moves = select(StageHistory.id).where(
        StageHistory.opportunity_id == Opportunity.id,
        *filters.exited.on_utc_times(StageHistory.changed_at),
    )
    if filters.exited_stage_code is not None:
        left = select(ProcessStage.id).where(ProcessStage.code == filters.exited_stage_code)
        moves = moves.where(StageHistory.from_stage_id.in_(left))
    else:
        moves = moves.where(StageHistory.from_stage_id.is_not(None))
    return exists(moves)


def _filtered(
    session: Session, scope: Scope, permission: str, filters: OpportunityFilters, now: datetime
) -> Select[Opportunity]:
    stmt = scope.restrict(select(Opportunity), Opportunity, permission)
    if filters.status is not None:
        stmt = stmt.where(Opportunity.status == filters.status)
    if filters.stage_id is not None:
        stmt = stmt.where(Opportunity.stage_id == filters.stage_id)
    if filters.owner_id is not None:
        stmt = stmt.where(Opportunity.owner_id == filters.owner_id)
    if filters.account_id is not None:
        stmt = stmt.where(Opportunity.account_id == filters.account_id)
    if filters.subsidiary_id is not None:
        stmt = stmt.where(Opportunity.subsidiary_id == filters.subsidiary_id)
    if filters.unit_id is not None:
        stmt = stmt.where(in_unit_subtree(Opportunity.unit_id, filters.unit_id))
    if filters.stage_code is not None:
        stages = select(ProcessStage.id).where(ProcessStage.code == filters.stage_code)
        stmt = stmt.where(Opportunity.stage_id.in_(stages))
    stmt = stmt.where(
        *filters.closed.on_utc_times(Opportunity.closed_at),
        *filters.expected_close.on_dates(Opportunity.expected_close_date),
        *filters.created.on_utc_times(Opportunity.created_at),
    )
    if filters.forecast_category is not None:
        stmt = stmt.where(Opportunity.forecast_category == filters.forecast_category)
    if filters.entered_stage_code is not None or filters.entered:
        stmt = stmt.where(_entered_condition(session, filters))
    if filters.exited_stage_code is not None or filters.exited:
        stmt = stmt.where(_exited_condition(filters))
    if filters.stalled is not None:
        stalled = stalled_condition(session, now)
        stmt = stmt.where(stalled if filters.stalled else not_(stalled))
    if filters.q:
        stmt = stmt.where(func.lower(Opportunity.name).like(f"%{filters.q.lower()}%"))
    return stmt


def list_opportunities(
    session: Session,
    scope: Scope,
    permission: str,
    page: PageRequest,
    filters: OpportunityFilters,
    now: datetime,
) -> RowPage[Opportunity]:
    stmt = _filtered(session, scope, permission, filters, now)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort=DEFAULT_SORT,
        id_column=Opportunity.id,
    )


def members_of(session: Session, opportunity_id: uuid.UUID) -> list[OpportunityMember]:
    stmt = (
        select(OpportunityMember)
        .where(OpportunityMember.opportunity_id == opportunity_id)
        .order_by(OpportunityMember.added_at, OpportunityMember.id)
    )
    return list(session.execute(stmt).scalars())


def member(
    session: Session, opportunity_id: uuid.UUID, user_id: uuid.UUID
) -> OpportunityMember | None:
    stmt = select(OpportunityMember).where(
        OpportunityMember.opportunity_id == opportunity_id, OpportunityMember.user_id == user_id
    )
    return session.execute(stmt).scalar_one_or_none()


def history_of(session: Session, opportunity_id: uuid.UUID) -> list[StageHistory]:
    stmt = (
        select(StageHistory)
        .where(StageHistory.opportunity_id == opportunity_id)
        .order_by(StageHistory.changed_at, StageHistory.id)
    )
    return list(session.execute(stmt).scalars())


def account_has_contact(session: Session, account_id: uuid.UUID) -> bool:
    """A fact for the ``contact`` entry gate (an existence check; nothing is returned)."""
    stmt = select(Contact.id).where(Contact.account_id == account_id).limit(1)
    return session.execute(system_access(stmt)).first() is not None


def active_user(session: Session, user_id: uuid.UUID) -> User | None:
    stmt = select(User).where(User.id == user_id, User.is_active.is_(True))
    return session.execute(system_access(stmt)).scalar_one_or_none()


def holds_position_in_subsidiary(
    session: Session, user_id: uuid.UUID, subsidiary_id: uuid.UUID
) -> bool:
    stmt = (
        select(Position.id)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .where(
            Position.user_id == user_id,
            or_(OrgUnit.subsidiary_id == subsidiary_id, OrgUnit.id == subsidiary_id),
        )
        .limit(1)
    )
    return session.execute(system_access(stmt)).first() is not None


def position_unit_ids(session: Session, user_id: uuid.UUID) -> set[uuid.UUID]:
    stmt = select(Position.unit_id).where(Position.user_id == user_id)
    return set(session.execute(stmt).scalars())


def reachable(session: Session, scope: Scope, permission: str, opportunity_id: uuid.UUID) -> bool:
    """Whether ``permission`` (e.g. the stage-skip right) reaches this deal."""
    stmt = scope.restrict(
        select(Opportunity.id).where(Opportunity.id == opportunity_id), Opportunity, permission
    )
    return session.execute(stmt).first() is not None


def user_visible(session: Session, scope: Scope, user_id: uuid.UUID) -> bool:
    stmt = scope.restrict(select(User.id).where(User.id == user_id), User, "user.read")
    return session.execute(stmt).first() is not None


def unit_by_id(session: Session, unit_id: uuid.UUID) -> OrgUnit | None:
    """An active org unit (deals are only placed in units still in use)."""
    stmt = select(OrgUnit).where(OrgUnit.id == unit_id, OrgUnit.is_active.is_(True))
    return session.execute(system_access(stmt)).scalar_one_or_none()
