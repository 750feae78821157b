"""All funnel and forecast queries.

Fact rows come from ``opportunity`` through ``Scope.restrict(..., Opportunity,
"opportunity.read")``. ``stage_history`` is not a scoped table: it is only ever read joined
to the restricted opportunity, so a transition of a deal the caller cannot see never counts.
Every figure is a ``GROUP BY`` over the rows (a bounded number of statements per request,
whatever the number of opportunities); Python only combines the grouped rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from flotilla.core.scope import Scope
from flotilla.forecast.learning import AGE_BUCKETS, StageTally, bucket_index
from flotilla.models.analytics import Target
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, ProcessStage, StageHistory
from flotilla.opportunity.repository import stalled_condition
from flotilla.process import repository as process_repository

READ = "opportunity.read"
TARGET_READ = "target.read"


# --- units ---------------------------------------------------------------------------------


def _in_unit(unit: OrgUnit) -> ColumnElement[bool]:
    """Opportunities placed in ``unit`` or below it (materialized-path prefix)."""
    if unit.parent_id is None:
        return true()  # the group root's subtree is every unit
    subtree = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
    return Opportunity.unit_id.in_(subtree)


# --- the stage catalogue -----------------------------------------------------------------


@dataclass(frozen=True)
class StageInfo:
    code: str
    name: str
    name_en: str | None
    probability: int
    max_days: int | None
    kind: str


@dataclass(frozen=True)
class Catalogue:
    """Stages identified by code across every process version (a subsidiary variant shares
    the standard's codes). ``open_stages`` are in process order: the position in the group's
    active template (latest published version), else the smallest position the code has
    anywhere. A code's name, probability and limit come from the group template when the code
    is there, else from that smallest-position row."""

    open_stages: tuple[StageInfo, ...]
    rank: dict[str, int]  # open stage code → 1, 2, … in process order
    stage_ids: dict[str, tuple[uuid.UUID, ...]]  # every stage row of a code, any kind

    def rank_of(self, code: Any) -> ColumnElement[int]:
        """SQL: the process-order rank of an open stage code (0 for anything else)."""
        if not self.rank:
            return literal(0)
        return case(self.rank, value=code, else_=0)

    def only_stage_id(self, code: str) -> uuid.UUID | None:
        """The stage id when the code has exactly one stage row in the whole group, so that
        filtering opportunities by that id is the same as filtering by the code."""
        ids = self.stage_ids.get(code, ())
        return ids[0] if len(ids) == 1 else None

    def probability(self, code: str) -> int:
        return next((s.probability for s in self.open_stages if s.code == code), 0)


def load_catalogue(session: Session) -> Catalogue:
    """Two small reads of process configuration (no scope: templates are configuration
    everyone signed in may read) — the group version, then every stage row."""
    group_version_id: uuid.UUID | None = None
    template = process_repository.active_group_template(session)
    if template is not None:
        version = process_repository.latest_published(session, template.id)
        group_version_id = version.id if version is not None else None
    rows = session.execute(
        select(
            ProcessStage.id,
            ProcessStage.version_id,
            ProcessStage.code,
            ProcessStage.name,
            ProcessStage.name_en,
            ProcessStage.position,
            ProcessStage.probability,
            ProcessStage.kind,
            ProcessStage.max_days,
        ).order_by(ProcessStage.position, ProcessStage.id)
    ).all()
    canonical: dict[str, Any] = {}
    in_group: set[str] = set()
    stage_ids: dict[str, list[uuid.UUID]] = {}
    for row in rows:
        stage_ids.setdefault(row.code, []).append(row.id)
        if row.version_id == group_version_id:
            canonical[row.code] = row
            in_group.add(row.code)
        elif row.code not in canonical:
            canonical[row.code] = row  # rows come in position order: the smallest first
    ordered = sorted(
        (row for row in canonical.values() if row.kind == "open"),
        key=lambda row: (row.position, row.code not in in_group, row.code),
    )
    stages = tuple(
        StageInfo(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            probability=row.probability,
            max_days=row.max_days,
            kind=row.kind,
        )
        for row in ordered
    )
    return Catalogue(
        open_stages=stages,
        rank={stage.code: index for index, stage in enumerate(stages, start=1)},
        stage_ids={code: tuple(ids) for code, ids in stage_ids.items()},
    )


# --- funnel ---------------------------------------------------------------------------------


def _advanced_after(
    catalogue: Catalogue, opportunity_id: Any, entered_at: Any, code: Any
) -> ColumnElement[bool]:
    """SQL: after ``entered_at`` the deal entered an open stage later in the process than
    ``code``, or won."""
    later = aliased(StageHistory)
    later_stage = aliased(ProcessStage)
    return exists(
        select(later.id)
        .join(later_stage, later_stage.id == later.to_stage_id)
        .where(
            later.opportunity_id == opportunity_id,
            later.changed_at > entered_at,
            or_(
                later_stage.kind == "won",
                and_(
                    later_stage.kind == "open",
                    catalogue.rank_of(later_stage.code) > catalogue.rank_of(code),
                ),
            ),
        )
    )


def _entries(scope: Scope, unit: OrgUnit, start: datetime, end: datetime) -> Any:
    """One row per (opportunity, open stage code) entered in [start, end): the first such
    entry, and the deal's status now. Creation is an entry (its row has no from-stage)."""
    stmt = (
        select(
            StageHistory.opportunity_id.label("opportunity_id"),
            ProcessStage.code.label("code"),
            Opportunity.status.label("status"),
            func.min(StageHistory.changed_at).label("entered_at"),
        )
        .select_from(StageHistory)
        .join(Opportunity, Opportunity.id == StageHistory.opportunity_id)
        .join(ProcessStage, ProcessStage.id == StageHistory.to_stage_id)
        .where(
            ProcessStage.kind == "open",
            StageHistory.changed_at >= start,
            StageHistory.changed_at < end,
            _in_unit(unit),
        )
        .group_by(StageHistory.opportunity_id, ProcessStage.code, Opportunity.status)
    )
    return scope.restrict(stmt, Opportunity, READ).subquery("entries")


@dataclass(frozen=True)
class StageFlow:
    entered: int
    advanced: int
    dropped: int


def stage_flows(
    session: Session,
    scope: Scope,
    catalogue: Catalogue,
    unit: OrgUnit,
    start: datetime,
    end: datetime,
) -> dict[str, StageFlow]:
    """Per open stage code: deals that entered it in [start, end), how many of them later
    advanced (see ``_advanced_after``) and how many, not having advanced, are lost now."""
    entries = _entries(scope, unit, start, end)
    advanced = _advanced_after(
        catalogue, entries.c.opportunity_id, entries.c.entered_at, entries.c.code
    )
    flagged = select(
        entries.c.code,
        entries.c.status,
        case((advanced, 1), else_=0).label("advanced"),
    ).subquery("flagged")
    stmt = select(
        flagged.c.code,
        func.count().label("entered"),
        func.coalesce(func.sum(flagged.c.advanced), 0).label("advanced"),
        func.coalesce(
            func.sum(case((and_(flagged.c.advanced == 0, flagged.c.status == "lost"), 1), else_=0)),
            0,
        ).label("dropped"),
    ).group_by(flagged.c.code)
    return {
        row.code: StageFlow(int(row.entered), int(row.advanced), int(row.dropped))
        for row in session.execute(stmt)
    }


@dataclass(frozen=True)
class Cohort:
    entered: int
    won: int
    lost: int


def cohort(session: Session, scope: Scope, unit: OrgUnit, start: datetime, end: datetime) -> Cohort:
    """The deals that entered any open stage in [start, end), and how many are won / lost now."""
    entries = _entries(scope, unit, start, end)
    stmt = select(
        func.count(distinct(entries.c.opportunity_id)),
        func.count(distinct(case((entries.c.status == "won", entries.c.opportunity_id)))),
        func.count(distinct(case((entries.c.status == "lost", entries.c.opportunity_id)))),
    )
    entered, won, lost = session.execute(stmt).one()
    return Cohort(int(entered or 0), int(won or 0), int(lost or 0))


@dataclass(frozen=True)
class StageDays:
    transitions: int
    total_days: int


def days_in_stage(
    session: Session, scope: Scope, unit: OrgUnit, start: datetime, end: datetime
) -> dict[str, StageDays]:
    """Per open stage code: transitions out of it in [start, end) and the whole days spent
    in it (``days_in_previous``) summed over them."""
    stmt = (
        select(
            ProcessStage.code,
            func.count(StageHistory.id),
            func.coalesce(func.sum(StageHistory.days_in_previous), 0),
        )
        .select_from(StageHistory)
        .join(Opportunity, Opportunity.id == StageHistory.opportunity_id)
        .join(ProcessStage, ProcessStage.id == StageHistory.from_stage_id)
        .where(
            ProcessStage.kind == "open",
            StageHistory.days_in_previous.is_not(None),
            StageHistory.changed_at >= start,
            StageHistory.changed_at < end,
            _in_unit(unit),
        )
        .group_by(ProcessStage.code)
    )
    rows = session.execute(scope.restrict(stmt, Opportunity, READ)).all()
    return {code: StageDays(int(count), int(total or 0)) for code, count, total in rows}


def stalled_by_stage(
    session: Session, scope: Scope, unit: OrgUnit, now: datetime
) -> dict[str, int]:
    """Open deals whose whole days in their current stage exceed its ``max_days`` — the
    opportunity list's own ``stalled`` condition — counted per stage code."""
    stmt = (
        select(ProcessStage.code, func.count(Opportunity.id))
        .select_from(Opportunity)
        .join(ProcessStage, ProcessStage.id == Opportunity.stage_id)
        .where(stalled_condition(session, now), _in_unit(unit))
        .group_by(ProcessStage.code)
    )
    rows = session.execute(scope.restrict(stmt, Opportunity, READ)).all()
    return {code: int(count) for code, count in rows}


FUNNEL_OUTCOMES = ("advanced", "dropped", "in_progress")


def funnel_condition(
    catalogue: Catalogue,
    *,
    start: datetime,
    end: datetime,
    stage_code: str | None = None,
    outcome: str | None = None,
) -> ColumnElement[bool]:
    """A condition on ``Opportunity`` selecting the deals behind one funnel figure: those that
    entered ``stage_code`` (any open stage when ``None``) in [start, end), narrowed to an
    ``outcome`` (``advanced`` / ``dropped`` / ``in_progress``, which needs a stage). The same
    definitions as ``stage_flows``, for a list's drill-down filter."""
    entry = aliased(StageHistory)
    entry_stage = aliased(ProcessStage)
    conditions: list[Any] = [
        entry.opportunity_id == Opportunity.id,
        entry_stage.kind == "open",
        entry.changed_at >= start,
        entry.changed_at < end,
    ]
    if stage_code is not None:
        conditions.append(entry_stage.code == stage_code)
    first_entry = (
        select(func.min(entry.changed_at))
        .join(entry_stage, entry_stage.id == entry.to_stage_id)
        .where(*conditions)
        .scalar_subquery()
    )
    entered = first_entry.is_not(None)
    if outcome is None:
        return entered
    if stage_code is None or outcome not in FUNNEL_OUTCOMES:
        raise ValueError(f"outcome {outcome!r} needs one of {FUNNEL_OUTCOMES} and a stage")
    advanced = _advanced_after(catalogue, Opportunity.id, first_entry, literal(stage_code))
    if outcome == "advanced":
        return and_(entered, advanced)
    if outcome == "dropped":
        return and_(entered, not_(advanced), Opportunity.status == "lost")
    return and_(entered, not_(advanced), Opportunity.status != "lost")


def count_opportunities(
    session: Session, scope: Scope, unit: OrgUnit, condition: ColumnElement[bool]
) -> int:
    """How many visible opportunities in ``unit`` meet ``condition`` (drill-down checks)."""
    stmt = select(func.count(Opportunity.id)).where(condition, _in_unit(unit))
    count: int = session.execute(scope.restrict(stmt, Opportunity, READ)).scalar_one()
    return count


# --- forecast -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenGroup:
    """Open deals sharing category, stage, probability, age bucket and currency."""

    category: str
    stage_code: str
    probability: int
    bucket: int
    currency: str
    count: int
    amount: Decimal


def open_pipeline(
    session: Session,
    scope: Scope,
    unit: OrgUnit,
    close_from: date,
    close_before: date,
    now: datetime,
) -> list[OpenGroup]:
    """Open deals expected to close in [close_from, close_before), grouped; the age bucket is
    the whole days in the current stage at ``now``."""
    rows = scope.restrict(
        select(
            Opportunity.forecast_category.label("category"),
            ProcessStage.code.label("stage_code"),
            ProcessStage.probability.label("probability"),
            bucket_index(Opportunity.stage_entered_at, now).label("bucket"),
            Opportunity.currency.label("currency"),
            Opportunity.amount.label("amount"),
        )
        .select_from(Opportunity)
        .join(ProcessStage, ProcessStage.id == Opportunity.stage_id)
        .where(
            Opportunity.status == "open",
            Opportunity.expected_close_date >= close_from,
            Opportunity.expected_close_date < close_before,
            _in_unit(unit),
        ),
        Opportunity,
        READ,
    ).subquery("open_deals")
    keys = (rows.c.category, rows.c.stage_code, rows.c.probability, rows.c.bucket, rows.c.currency)
    stmt = select(*keys, func.count(), func.sum(rows.c.amount)).group_by(*keys)
    return [
        OpenGroup(
            category=row[0],
            stage_code=row[1],
            probability=int(row[2]),
            bucket=int(row[3]),
            currency=row[4],
            count=int(row[5]),
            amount=Decimal(row[6] or 0),
        )
        for row in session.execute(stmt)
    ]


@dataclass(frozen=True)
class WonGroup:
    month: date
    currency: str
    count: int
    amount: Decimal


def won_by_month(
    session: Session,
    scope: Scope,
    unit: OrgUnit,
    months: Sequence[date],
    month_starts: Sequence[datetime],
    end: datetime,
) -> list[WonGroup]:
    """Deals won (``closed_at``) from ``month_starts[0]`` to ``end``, per close month and
    currency. ``month_starts`` are the months' UTC starts, bound as parameters (no date
    arithmetic in SQL)."""
    month_of: ColumnElement[int] = literal(0)
    if len(month_starts) > 1:
        month_of = case(
            *[(Opportunity.closed_at < bound, i) for i, bound in enumerate(month_starts[1:])],
            else_=len(month_starts) - 1,
        )
    rows = scope.restrict(
        select(
            month_of.label("month"),
            Opportunity.currency.label("currency"),
            Opportunity.amount.label("amount"),
        ).where(
            Opportunity.status == "won",
            Opportunity.closed_at >= month_starts[0],
            Opportunity.closed_at < end,
            _in_unit(unit),
        ),
        Opportunity,
        READ,
    ).subquery("won_deals")
    stmt = select(rows.c.month, rows.c.currency, func.count(), func.sum(rows.c.amount)).group_by(
        rows.c.month, rows.c.currency
    )
    return [
        WonGroup(
            month=months[int(month)],
            currency=currency,
            count=int(count),
            amount=Decimal(amount or 0),
        )
        for month, currency, count, amount in session.execute(stmt)
    ]


def stage_tallies(
    session: Session, scope: Scope, unit: OrgUnit, closed_before: datetime | None = None
) -> dict[str, StageTally]:
    """The statistical model's examples (see ``forecast.learning``): per open stage code,
    the closed deals of ``unit``'s subtree the caller may see that stayed in it, overall and
    per age bucket reached, with how many of them won. ``closed_before`` learns only from
    deals closed before that moment (the back-test). Learning from the forecast unit's own
    history (not from everything the caller sees) gives a director and the group VP the same
    forecast for the director's subsidiary, and a group forecast learns from the group."""
    conditions: list[Any] = [
        ProcessStage.kind == "open",
        Opportunity.status.in_(("won", "lost")),
        _in_unit(unit),
    ]
    if closed_before is not None:
        conditions.append(Opportunity.closed_at < closed_before)
    stays = scope.restrict(
        select(
            ProcessStage.code.label("code"),
            Opportunity.status.label("status"),
            func.max(func.coalesce(StageHistory.days_in_previous, 0)).label("longest"),
        )
        .select_from(StageHistory)
        .join(Opportunity, Opportunity.id == StageHistory.opportunity_id)
        .join(ProcessStage, ProcessStage.id == StageHistory.from_stage_id)
        .where(*conditions)
        .group_by(StageHistory.opportunity_id, ProcessStage.code, Opportunity.status),
        Opportunity,
        READ,
    ).subquery("stays")
    won = stays.c.status == "won"
    columns: list[Any] = [
        stays.c.code,
        func.count(),
        func.coalesce(func.sum(case((won, 1), else_=0)), 0),
    ]
    for bucket in AGE_BUCKETS:
        reached = stays.c.longest >= bucket.min_days
        columns.append(func.coalesce(func.sum(case((reached, 1), else_=0)), 0))
        columns.append(func.coalesce(func.sum(case((and_(reached, won), 1), else_=0)), 0))
    tallies: dict[str, StageTally] = {}
    for row in session.execute(select(*columns).group_by(stays.c.code)):
        values = [int(v) for v in row[1:]]
        tallies[row[0]] = StageTally(
            examples=values[0],
            wins=values[1],
            bucket_examples=values[2::2],
            bucket_wins=values[3::2],
        )
    return tallies


@dataclass(frozen=True)
class PastGroup:
    """Deals of a reconstructed past pipeline sharing stage, probability, age bucket,
    currency and whether they were won within the quarter."""

    stage_code: str
    probability: int
    bucket: int
    currency: str
    won_in_quarter: bool
    count: int
    amount: Decimal


def pipeline_at(
    session: Session,
    scope: Scope,
    unit: OrgUnit,
    start: datetime,
    end: datetime,
    close_from: date,
    close_before: date,
) -> list[PastGroup]:
    """The open pipeline as it stood at ``start`` for a quarter [start, end): deals created
    before ``start``, not closed before it, expected to close in the quarter, each in the
    stage of its last history row before ``start`` (which must be an open stage), aged from
    that row. Amount, currency and expected close date are today's values (the history keeps
    stages only) — an approximation."""
    history = StageHistory
    later = aliased(StageHistory)
    last_before_start = not_(
        exists(
            select(later.id).where(
                later.opportunity_id == history.opportunity_id,
                later.changed_at < start,
                or_(
                    later.changed_at > history.changed_at,
                    and_(later.changed_at == history.changed_at, later.id > history.id),
                ),
            )
        )
    )
    won_in_quarter = case(
        (
            and_(
                Opportunity.status == "won",
                Opportunity.closed_at >= start,
                Opportunity.closed_at < end,
            ),
            1,
        ),
        else_=0,
    )
    rows = scope.restrict(
        select(
            ProcessStage.code.label("stage_code"),
            ProcessStage.probability.label("probability"),
            bucket_index(history.changed_at, start).label("bucket"),
            Opportunity.currency.label("currency"),
            won_in_quarter.label("won"),
            Opportunity.amount.label("amount"),
        )
        .select_from(history)
        .join(Opportunity, Opportunity.id == history.opportunity_id)
        .join(ProcessStage, ProcessStage.id == history.to_stage_id)
        .where(
            history.changed_at < start,
            last_before_start,
            ProcessStage.kind == "open",
            Opportunity.created_at < start,
            or_(Opportunity.closed_at.is_(None), Opportunity.closed_at >= start),
            Opportunity.expected_close_date >= close_from,
            Opportunity.expected_close_date < close_before,
            _in_unit(unit),
        ),
        Opportunity,
        READ,
    ).subquery("past_pipeline")
    keys = (rows.c.stage_code, rows.c.probability, rows.c.bucket, rows.c.currency, rows.c.won)
    stmt = select(*keys, func.count(), func.sum(rows.c.amount)).group_by(*keys)
    return [
        PastGroup(
            stage_code=row[0],
            probability=int(row[1]),
            bucket=int(row[2]),
            currency=row[3],
            won_in_quarter=bool(row[4]),
            count=int(row[5]),
            amount=Decimal(row[6] or 0),
        )
        for row in session.execute(stmt)
    ]


def contract_target(
    session: Session, scope: Scope, unit: OrgUnit, period_kind: str, period_start: date
) -> Target | None:
    """The unit's own ``contract_amount`` target for the period, if the caller may read it."""
    stmt = select(Target).where(
        Target.unit_id == unit.id,
        Target.metric == "contract_amount",
        Target.period_kind == period_kind,
        Target.period_start == period_start,
        Target.assignee_key == "",
    )
    return session.execute(scope.restrict(stmt, Target, TARGET_READ)).scalar_one_or_none()
