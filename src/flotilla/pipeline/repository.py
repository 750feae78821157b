"""All queries of the pipeline analytics: versions valid on a day, in a unit's subtree, through
the caller's ``opportunity.read`` reach (``Scope.restrict`` on ``PipelineSnapshot``, whose
placement is the deal's unit and owner *as of the snapshot*; team members see it too).

The unit reported on is resolved by ``flotilla.analytics.units``; its children through
``analytics.read`` (``OrgUnit`` restricted like every other read). Each figure family is
one ``GROUP BY``; nothing here loops over deals.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from flotilla.core.pagination import PageRequest, RowPage, paginate
from flotilla.core.scope import SCOPED_OPTION, Scope, system_access
from flotilla.models.analytics import PipelineSnapshot
from flotilla.models.org import OrgUnit
from flotilla.models.sales import ProcessStage

ANALYTICS_READ = "analytics.read"
OPPORTUNITY_READ = "opportunity.read"

SNAPSHOT = PipelineSnapshot

# Changes a drill into the waterfall can ask for (see ``change_rows``).
FROM_SIDE_CHANGES = ("won", "lost", "removed")
TO_SIDE_CHANGES = ("new", "amount_changed", "advanced", "moved_back", "slipped", "pulled_in")
CHANGES = (*TO_SIDE_CHANGES, *FROM_SIDE_CHANGES)

SORTABLE = {
    "amount": PipelineSnapshot.amount,
    "stage": PipelineSnapshot.stage_position,
    "valid_from": PipelineSnapshot.valid_from,
}


# --- units ----------------------------------------------------------------------------------


def child_units(session: Session, scope: Scope, parent_id: uuid.UUID) -> list[OrgUnit]:
    """The unit's children ``analytics.read`` reaches (inactive ones too: they may still hold
    deals), by code."""
    stmt = select(OrgUnit).where(OrgUnit.parent_id == parent_id).order_by(OrgUnit.code, OrgUnit.id)
    return list(session.execute(scope.restrict(stmt, OrgUnit, ANALYTICS_READ)).scalars())


def unit_paths(session: Session, unit_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Materialized paths of the units that hold the aggregated rows (the tree's shape, to
    roll rows up to child units; the rows themselves were read through the scope)."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    stmt = select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(wanted))
    return {row[0]: row[1] for row in session.execute(system_access(stmt))}


def stages_by_id(session: Session, stage_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    wanted = sorted(set(stage_ids))
    if not wanted:
        return {}
    stmt = select(
        ProcessStage.id,
        ProcessStage.code,
        ProcessStage.name,
        ProcessStage.name_en,
        ProcessStage.position,
    ).where(ProcessStage.id.in_(wanted))
    return {row.id: row for row in session.execute(stmt)}


# --- versions valid on a day ----------------------------------------------------------------


def valid_on(day: date) -> ColumnElement[bool]:
    """SQL: the version was the deal's state on ``day`` (``valid_from <= day < valid_to``)."""
    return and_(
        PipelineSnapshot.valid_from <= day,
        or_(PipelineSnapshot.valid_to.is_(None), PipelineSnapshot.valid_to > day),
    )


def in_subtree(unit_path: str) -> ColumnElement[bool]:
    """SQL: the version's unit is the unit with ``unit_path`` or below it."""
    return PipelineSnapshot.unit_id.in_(
        select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path))
    )


def state_on(scope: Scope, day: date, unit_path: str, *, open_only: bool = True) -> Select[Any]:
    """The versions valid on ``day`` in the unit's subtree that the caller's
    ``opportunity.read`` reaches (open deals only unless ``open_only`` is off)."""
    stmt = select(PipelineSnapshot).where(valid_on(day), in_subtree(unit_path))
    if open_only:
        stmt = stmt.where(PipelineSnapshot.status == "open")
    return scope.restrict(stmt, PipelineSnapshot, OPPORTUNITY_READ)


def _state_subquery(
    scope: Scope, day: date, unit_path: str, *, open_only: bool, name: str
) -> Subquery:
    columns = [
        PipelineSnapshot.opportunity_id,
        PipelineSnapshot.status,
        PipelineSnapshot.amount,
        PipelineSnapshot.currency,
        PipelineSnapshot.stage_position,
        PipelineSnapshot.expected_close_date,
    ]
    stmt = select(*columns).where(valid_on(day), in_subtree(unit_path))
    if open_only:
        stmt = stmt.where(PipelineSnapshot.status == "open")
    return scope.restrict(stmt, PipelineSnapshot, OPPORTUNITY_READ).subquery(name)


def snapshot_taken_by(session: Session, day: date) -> bool:
    """Whether any snapshot was taken on or before ``day`` (a fact about the job, not about
    any deal, so it is read without a scope)."""
    stmt = select(literal(1)).where(PipelineSnapshot.valid_from <= day).limit(1)
    return session.execute(system_access(stmt)).first() is not None


@dataclass(frozen=True)
class PipelineCell:
    """Open deals of one stage, forecast category, unit and currency on a day."""

    stage_id: uuid.UUID
    forecast_category: str
    unit_id: uuid.UUID
    currency: str
    count: int
    amount_cents: int
    # Σ amount in hundredths × probability in percent: weighted amount × 10,000.
    weighted_units: int
    latest_valid_from: date


def pipeline_cells(session: Session, scope: Scope, day: date, unit_path: str) -> list[PipelineCell]:
    """The open pipeline on ``day`` in one ``GROUP BY`` (stage, category, unit, currency)."""
    version = state_on(scope, day, unit_path).subquery("version")
    cents = type_coerce(version.c.amount, Integer)
    stmt = (
        select(
            version.c.stage_id,
            version.c.forecast_category,
            version.c.unit_id,
            version.c.currency,
            func.count().label("deals"),
            func.coalesce(func.sum(cents), 0).label("amount_cents"),
            func.coalesce(func.sum(cents * version.c.probability), 0).label("weighted_units"),
            func.max(version.c.valid_from).label("latest_valid_from"),
        )
        .group_by(
            version.c.stage_id,
            version.c.forecast_category,
            version.c.unit_id,
            version.c.currency,
        )
        .execution_options(**{SCOPED_OPTION: True})
    )
    return [
        PipelineCell(
            stage_id=row.stage_id,
            forecast_category=row.forecast_category,
            unit_id=row.unit_id,
            currency=row.currency,
            count=int(row.deals),
            amount_cents=int(row.amount_cents),
            weighted_units=int(row.weighted_units),
            latest_valid_from=_as_date(row.latest_valid_from),
        )
        for row in session.execute(stmt)
    ]


def _as_date(value: Any) -> date:
    # SQLite hands back MAX() of a date column as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def pipeline_rows(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    day: date,
    unit_path: str,
    direct_unit_id: uuid.UUID | None = None,
    stage_ids: Sequence[uuid.UUID] | None = None,
    forecast_category: str | None = None,
    owner_id: uuid.UUID | None = None,
    change: str | None = None,
    from_day: date | None = None,
) -> RowPage[PipelineSnapshot]:
    """The versions behind a figure, a page at a time: the open deals on ``day`` or, with
    ``change``, the deals behind one step of the waterfall from ``from_day`` to ``day``."""
    if change is None:
        stmt = state_on(scope, day, unit_path)
    else:
        assert from_day is not None
        stmt = change_rows(scope, change, from_day, day, unit_path)
    if direct_unit_id is not None:
        stmt = stmt.where(PipelineSnapshot.unit_id == direct_unit_id)
    if stage_ids is not None:
        stmt = stmt.where(PipelineSnapshot.stage_id.in_(sorted(stage_ids)))
    if forecast_category is not None:
        stmt = stmt.where(PipelineSnapshot.forecast_category == forecast_category)
    if owner_id is not None:
        stmt = stmt.where(PipelineSnapshot.owner_id == owner_id)
    return paginate(
        session,
        stmt,
        request=page,
        sortable=SORTABLE,
        default_sort="-amount",
        id_column=PipelineSnapshot.id,
    )


def stage_ids_with_code(session: Session, code: str) -> list[uuid.UUID]:
    stmt = select(ProcessStage.id).where(ProcessStage.code == code)
    return list(session.execute(stmt).scalars())


def change_rows(
    scope: Scope, change: str, from_day: date, to_day: date, unit_path: str
) -> Select[Any]:
    """The deals behind one waterfall step. ``won``, ``lost`` and ``removed`` list the
    version open on ``from_day`` (the amount that left the pipeline); the other changes list
    the version open on ``to_day``."""
    if change in FROM_SIDE_CHANGES:
        later = _state_subquery(scope, to_day, unit_path, open_only=False, name="later")
        same_deal = later.c.opportunity_id == PipelineSnapshot.opportunity_id
        if change == "removed":
            condition = ~exists(select(literal(1)).where(same_deal))
        else:
            condition = exists(select(literal(1)).where(same_deal, later.c.status == change))
        return state_on(scope, from_day, unit_path).where(condition)
    earlier = _state_subquery(scope, from_day, unit_path, open_only=True, name="earlier")
    same_deal = earlier.c.opportunity_id == PipelineSnapshot.opportunity_id
    compared: dict[str, ColumnElement[bool]] = {
        "amount_changed": or_(
            earlier.c.amount != PipelineSnapshot.amount,
            earlier.c.currency != PipelineSnapshot.currency,
        ),
        "advanced": earlier.c.stage_position < PipelineSnapshot.stage_position,
        "moved_back": earlier.c.stage_position > PipelineSnapshot.stage_position,
        "slipped": earlier.c.expected_close_date < PipelineSnapshot.expected_close_date,
        "pulled_in": earlier.c.expected_close_date > PipelineSnapshot.expected_close_date,
    }
    if change == "new":
        condition = ~exists(select(literal(1)).where(same_deal))
    else:
        condition = exists(select(literal(1)).where(same_deal, compared[change]))
    return state_on(scope, to_day, unit_path).where(condition)


# --- the waterfall --------------------------------------------------------------------------


@dataclass(frozen=True)
class Departure:
    """Deals open on ``from`` grouped by what became of them on ``to``: still open
    (``to_status`` "open"), won, lost, or gone from the unit/scope (``to_status`` None)."""

    from_currency: str
    to_currency: str | None
    to_status: str | None
    count: int
    from_cents: int
    to_cents: int
    increased_cents: int
    increased_count: int
    decreased_cents: int
    decreased_count: int
    advanced: int
    moved_back: int
    slipped: int
    pulled_in: int


@dataclass(frozen=True)
class Arrival:
    """Deals open on ``to`` that were not open on ``from``, per currency."""

    currency: str
    count: int
    cents: int


@dataclass(frozen=True)
class CurrencyChange:
    """A deal open on both days whose currency changed (its delta needs two rates)."""

    from_currency: str
    from_cents: int
    to_currency: str
    to_cents: int


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_if(condition: ColumnElement[bool], value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def departures(
    session: Session, scope: Scope, from_day: date, to_day: date, unit_path: str
) -> list[Departure]:
    """The deals open on ``from_day`` joined to their version on ``to_day`` (same unit
    subtree and scope), in one ``GROUP BY`` over (from currency, to currency, to status)."""
    earlier = _state_subquery(scope, from_day, unit_path, open_only=True, name="earlier")
    later = _state_subquery(scope, to_day, unit_path, open_only=False, name="later")
    from_cents = type_coerce(earlier.c.amount, Integer)
    to_cents = type_coerce(later.c.amount, Integer)
    both_open = later.c.status == "open"
    same_currency = and_(both_open, earlier.c.currency == later.c.currency)
    grew = and_(same_currency, to_cents > from_cents)
    shrank = and_(same_currency, to_cents < from_cents)
    stmt = (
        select(
            earlier.c.currency.label("from_currency"),
            later.c.currency.label("to_currency"),
            later.c.status.label("to_status"),
            func.count().label("deals"),
            func.coalesce(func.sum(from_cents), 0).label("from_cents"),
            func.coalesce(func.sum(to_cents), 0).label("to_cents"),
            _sum_if(grew, to_cents - from_cents).label("increased_cents"),
            _count_if(grew).label("increased_count"),
            _sum_if(shrank, from_cents - to_cents).label("decreased_cents"),
            _count_if(shrank).label("decreased_count"),
            _count_if(and_(both_open, later.c.stage_position > earlier.c.stage_position)).label(
                "advanced"
            ),
            _count_if(and_(both_open, later.c.stage_position < earlier.c.stage_position)).label(
                "moved_back"
            ),
            _count_if(
                and_(both_open, later.c.expected_close_date > earlier.c.expected_close_date)
            ).label("slipped"),
            _count_if(
                and_(both_open, later.c.expected_close_date < earlier.c.expected_close_date)
            ).label("pulled_in"),
        )
        .select_from(earlier.outerjoin(later, later.c.opportunity_id == earlier.c.opportunity_id))
        .group_by(earlier.c.currency, later.c.currency, later.c.status)
        .execution_options(**{SCOPED_OPTION: True})
    )
    return [
        Departure(
            from_currency=row.from_currency,
            to_currency=row.to_currency,
            to_status=row.to_status,
            count=int(row.deals),
            **{
                key: int(getattr(row, key))
                for key in (
                    "from_cents",
                    "to_cents",
                    "increased_cents",
                    "increased_count",
                    "decreased_cents",
                    "decreased_count",
                    "advanced",
                    "moved_back",
                    "slipped",
                    "pulled_in",
                )
            },
        )
        for row in session.execute(stmt)
    ]


def arrivals(
    session: Session, scope: Scope, from_day: date, to_day: date, unit_path: str
) -> list[Arrival]:
    """Deals open on ``to_day`` that were not open on ``from_day`` (in the unit and scope)."""
    earlier = _state_subquery(scope, from_day, unit_path, open_only=True, name="earlier")
    later = _state_subquery(scope, to_day, unit_path, open_only=True, name="later")
    stmt = (
        select(
            later.c.currency,
            func.count().label("deals"),
            func.coalesce(func.sum(type_coerce(later.c.amount, Integer)), 0).label("cents"),
        )
        .where(
            ~exists(select(literal(1)).where(earlier.c.opportunity_id == later.c.opportunity_id))
        )
        .group_by(later.c.currency)
        .execution_options(**{SCOPED_OPTION: True})
    )
    return [
        Arrival(currency=row.currency, count=int(row.deals), cents=int(row.cents))
        for row in session.execute(stmt)
    ]


def currency_changes(
    session: Session, scope: Scope, from_day: date, to_day: date, unit_path: str
) -> list[CurrencyChange]:
    """Deals open on both days whose currency changed in between (rare: one row each)."""
    earlier = _state_subquery(scope, from_day, unit_path, open_only=True, name="earlier")
    later = _state_subquery(scope, to_day, unit_path, open_only=True, name="later")
    stmt = (
        select(
            earlier.c.currency.label("from_currency"),
            type_coerce(earlier.c.amount, Integer).label("from_cents"),
            later.c.currency.label("to_currency"),
            type_coerce(later.c.amount, Integer).label("to_cents"),
        )
        .select_from(earlier.join(later, later.c.opportunity_id == earlier.c.opportunity_id))
        .where(earlier.c.currency != later.c.currency)
        .execution_options(**{SCOPED_OPTION: True})
    )
    return [
        CurrencyChange(
            from_currency=row.from_currency,
            from_cents=int(row.from_cents),
            to_currency=row.to_currency,
            to_cents=int(row.to_cents),
        )
        for row in session.execute(stmt)
    ]
