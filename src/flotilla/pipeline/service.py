"""The pipeline on a date and its waterfall between two dates, from the daily snapshots.

Definitions (every amount in ``currency``, default the group currency, converted at the
**period-end** rate of one month; a currency without a rate is listed in ``missing_rates`` and
its amounts are left out — its deals still count):

- **pipeline on D** (``pipeline``): the deals whose version valid on D (``valid_from <= D <
  valid_to``) is open, placed (as of that version) in the unit or below it, and within the
  caller's ``opportunity.read`` reach. ``amount`` = Σ amount; ``weighted_amount`` = Σ amount ×
  the probability recorded in the version ÷ 100; both converted at the period-end rate of D's
  month. Broken down by stage (by code, in position order), forecast category and child unit
  (``direct`` = placed on the unit itself).
- **waterfall from F to T** (``pipeline-changes``), at the period-end rate of **T's** month
  for both sides, so the steps add up:
  ``opening`` (open on F) + ``new`` (open on T, not open on F) + ``amount_increased`` −
  ``amount_decreased`` (open on both: the amount change, split by sign) − ``won`` − ``lost``
  (open on F, won/lost on T, at their amount on F) − ``other_removed`` (open on F, on T neither
  open, won nor lost in the unit and the caller's reach: deleted, moved away) = ``closing``
  (open on T). Each step is rounded to the cent cumulatively (the running balance is rounded
  and a step is the difference of two rounded balances), so the identity holds to the cent and
  opening and closing equal the pipeline totals at that rate. Counts of deals open on both
  days: ``advanced`` / ``moved_back`` (stage position higher / lower on T), ``slipped`` /
  ``pulled_in`` (expected close date later / earlier on T).

"Today" is the group's local date; a date after it is refused (422
``pipeline_date_in_future``). The unit follows the rule of every analytic
(``flotilla.analytics.units.report_unit``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from flotilla.analytics.units import group_today, report_unit
from flotilla.core import lookup
from flotilla.core.errors import Invalid, field_error
from flotilla.core.export import Column, Sheet
from flotilla.core.fx import RateTable, month_start
from flotilla.core.money import quantize
from flotilla.core.pagination import Page, PageRequest
from flotilla.core.period import group_currency
from flotilla.core.scope import Scope
from flotilla.models.analytics import PipelineSnapshot
from flotilla.models.org import OrgUnit
from flotilla.models.sales import FORECAST_CATEGORIES
from flotilla.pipeline import repository
from flotilla.pipeline.schemas import (
    CategoryFigure,
    Drill,
    Figure,
    MissingRate,
    Movement,
    PersonRef,
    PipelineChangesOut,
    PipelineOut,
    PipelineRowOut,
    RateUsed,
    StageFigure,
    StageRef,
    Step,
    UnitFigure,
    UnitRef,
)

READ = "analytics.read"
RATE_TYPE = "period_end"
ZERO = Decimal("0.00")
CENTS = Decimal(100)
# Σ hundredths × percent → currency units.
WEIGHTED_UNITS = Decimal(10_000)
DEFAULT_WATERFALL_DAYS = 30
# The by_unit key of deals under a child unit the caller does not see.
HIDDEN = uuid.UUID(int=0)


def _unit(session: Session, scope: Scope, unit_id: uuid.UUID | None) -> OrgUnit:
    """The unit reported on: the analytics rule (``flotilla.analytics.units``) — a unit
    ``analytics.read`` reaches as a unit, by default the caller's top one; else 404."""
    return report_unit(session, scope, unit_id)


def _not_future(day: date, today: date, field_name: str) -> None:
    if day > today:
        raise Invalid(
            "pipeline_date_in_future",
            fields=[
                field_error(
                    field_name,
                    "pipeline_date_in_future",
                    date=day.isoformat(),
                    today=today.isoformat(),
                )
            ],
        )


def _currency(session: Session, currency: str | None) -> str:
    return (currency or group_currency(session)).upper()


def _unit_ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.id, name=unit.name, name_en=unit.name_en)


def _drill(**query: Any) -> Drill:
    return Drill(
        query={
            key: (value.isoformat() if isinstance(value, date) else str(value))
            if not isinstance(value, bool)
            else value
            for key, value in query.items()
            if value is not None
        }
    )


class _Converter:
    """Exact conversions at one month's period-end rates (rounding happens on totals)."""

    def __init__(
        self, session: Session, currencies: Iterable[str], target: str, month: date
    ) -> None:
        self.target = target
        self.month = month
        self.rates = RateTable.load(session, {target, *currencies}, [month], [RATE_TYPE])
        self.used: dict[str, Decimal] = {}
        self.missing: set[str] = set()

    def rate(self, currency: str) -> Decimal | None:
        found = self.rates.rate(currency, self.target, self.month, RATE_TYPE)
        if found is None:
            self.missing.add(currency)
        elif currency != self.target:
            self.used[currency] = found
        return found

    def exact(self, amount: Decimal, currency: str) -> Decimal | None:
        found = self.rate(currency)
        return None if found is None else amount * found

    def rates_used(self) -> list[RateUsed]:
        return [RateUsed(currency=c, rate=r) for c, r in sorted(self.used.items())]

    def missing_rates(self) -> list[MissingRate]:
        return [
            MissingRate(
                from_currency=currency,
                to_currency=self.target,
                period=f"{self.month:%Y-%m}",
                rate_type=RATE_TYPE,
            )
            for currency in sorted(self.missing)
        ]


@dataclass
class _Sum:
    count: int = 0
    amount: Decimal = field(default_factory=Decimal)
    weighted: Decimal = field(default_factory=Decimal)

    def add(self, count: int, amount: Decimal | None, weighted: Decimal | None) -> None:
        self.count += count
        if amount is not None:
            self.amount += amount
        if weighted is not None:
            self.weighted += weighted


# --- the pipeline on a date -----------------------------------------------------------------


def pipeline(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None = None,
    day: date | None = None,
    currency: str | None = None,
) -> PipelineOut:
    """The open pipeline as it was on ``day`` (default today) — see the module docstring."""
    unit = _unit(session, scope, unit_id)
    today = group_today(session)
    day = day or today
    _not_future(day, today, "date")
    target = _currency(session, currency)
    cells = repository.pipeline_cells(session, scope, day, unit.path)
    converter = _Converter(session, {c.currency for c in cells}, target, month_start(day))
    stages = repository.stages_by_id(session, {c.stage_id for c in cells})
    children = repository.child_units(session, scope, unit.id)
    paths = repository.unit_paths(session, {c.unit_id for c in cells})

    total = _Sum()
    by_stage: dict[str, _Sum] = {}
    by_category: dict[str, _Sum] = {}
    by_child: dict[uuid.UUID | None, _Sum] = {}
    for cell in cells:
        amount = converter.exact(Decimal(cell.amount_cents) / CENTS, cell.currency)
        weighted = converter.exact(Decimal(cell.weighted_units) / WEIGHTED_UNITS, cell.currency)
        child = _child_of(cell.unit_id, paths.get(cell.unit_id, ""), unit, children)
        for bucket in (
            total,
            by_stage.setdefault(stages[cell.stage_id].code, _Sum()),
            by_category.setdefault(cell.forecast_category, _Sum()),
            by_child.setdefault(child, _Sum()),
        ):
            bucket.add(cell.count, amount, weighted)

    def figure(kind: type[Any], summed: _Sum, drill: Drill, **extra: Any) -> Any:
        return kind(
            count=summed.count,
            amount=quantize(summed.amount),
            weighted_amount=quantize(summed.weighted),
            drill=drill,
            **extra,
        )

    base = {"unit_id": unit.id, "date": day}
    first_stage: dict[str, Any] = {}
    for stage in sorted(stages.values(), key=lambda s: (s.position, s.code)):
        first_stage.setdefault(stage.code, stage)
    unit_rows = [
        figure(
            UnitFigure,
            by_child.get(child.id, _Sum()),
            _drill(unit_id=child.id, date=day),
            unit_id=child.id,
            unit_name=child.name,
            unit_name_en=child.name_en,
            direct=False,
        )
        for child in children
        if child.is_active or child.id in by_child
    ]
    if None in by_child:
        unit_rows.append(
            figure(
                UnitFigure,
                by_child[None],
                _drill(**base, include_children=False),
                unit_id=unit.id,
                unit_name=unit.name,
                unit_name_en=unit.name_en,
                direct=True,
            )
        )
    return PipelineOut(
        unit=_unit_ref(unit),
        date=day,
        currency=target,
        rate_period=f"{day:%Y-%m}",
        snapshot_available=repository.snapshot_taken_by(session, day),
        as_of=max((c.latest_valid_from for c in cells), default=None),
        totals=figure(Figure, total, _drill(**base)),
        by_stage=[
            figure(
                StageFigure,
                by_stage[code],
                _drill(**base, stage_code=code),
                stage_code=code,
                stage_name=stage.name,
                stage_name_en=stage.name_en,
                position=stage.position,
            )
            for code, stage in first_stage.items()
        ],
        by_forecast_category=[
            figure(
                CategoryFigure,
                by_category[category],
                _drill(**base, forecast_category=category),
                forecast_category=category,
            )
            for category in FORECAST_CATEGORIES
            if category in by_category
        ],
        by_unit=unit_rows,
        rates=converter.rates_used(),
        missing_rates=converter.missing_rates(),
    )


def _child_of(
    unit_id: uuid.UUID, path: str, unit: OrgUnit, children: Sequence[OrgUnit]
) -> uuid.UUID | None:
    """The ``by_unit`` row a deal placed on ``unit_id`` falls in: the visible child whose
    subtree holds it, ``None`` for the unit itself, ``HIDDEN`` for a child the caller cannot
    see (own or team-member deals there count in the totals but name no unit)."""
    if unit_id == unit.id:
        return None
    for child in children:
        if path.startswith(child.path):
            return child.id
    return HIDDEN


# --- the waterfall --------------------------------------------------------------------------

STEP_ORDER: tuple[tuple[str, int], ...] = (
    ("opening", 0),
    ("new", 1),
    ("amount_increased", 1),
    ("amount_decreased", -1),
    ("won", -1),
    ("lost", -1),
    ("other_removed", -1),
    ("closing", 0),
)
MOVEMENTS = ("advanced", "moved_back", "slipped", "pulled_in")


def pipeline_changes(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None = None,
    from_day: date | None = None,
    to_day: date | None = None,
    currency: str | None = None,
) -> PipelineChangesOut:
    """The waterfall of the open pipeline from ``from_day`` (default: 30 days before
    ``to_day``) to ``to_day`` (default today) — see the module docstring."""
    unit = _unit(session, scope, unit_id)
    today = group_today(session)
    to_day = to_day or today
    from_day = from_day or to_day - timedelta(days=DEFAULT_WATERFALL_DAYS)
    _check_range(from_day, to_day, today)
    target = _currency(session, currency)
    leaving = repository.departures(session, scope, from_day, to_day, unit.path)
    coming = repository.arrivals(session, scope, from_day, to_day, unit.path)
    switched = (
        repository.currency_changes(session, scope, from_day, to_day, unit.path)
        if any(d.to_status == "open" and d.to_currency != d.from_currency for d in leaving)
        else []
    )
    currencies = {d.from_currency for d in leaving} | {a.currency for a in coming}
    currencies |= {d.to_currency for d in leaving if d.to_currency}
    converter = _Converter(session, currencies, target, month_start(to_day))
    sums = {code: _Sum() for code, _sign in STEP_ORDER}
    movements = dict.fromkeys(MOVEMENTS, 0)

    def add(code: str, count: int, cents: int, currency_code: str) -> None:
        sums[code].add(count, converter.exact(Decimal(cents) / CENTS, currency_code), None)

    for group in leaving:
        sums["opening"].count += group.count
        if group.to_status == "open":
            sums["closing"].count += group.count
            for name in MOVEMENTS:
                movements[name] += getattr(group, name)
            if group.to_currency != group.from_currency:
                continue  # converted deal by deal below
            add("opening", 0, group.from_cents, group.from_currency)
            add(
                "amount_increased",
                group.increased_count,
                group.increased_cents,
                group.from_currency,
            )
            add(
                "amount_decreased",
                group.decreased_count,
                group.decreased_cents,
                group.from_currency,
            )
        else:
            code = group.to_status if group.to_status in ("won", "lost") else "other_removed"
            add("opening", 0, group.from_cents, group.from_currency)
            add(code, group.count, group.from_cents, group.from_currency)
    for deal in switched:
        before = converter.exact(Decimal(deal.from_cents) / CENTS, deal.from_currency)
        after = converter.exact(Decimal(deal.to_cents) / CENTS, deal.to_currency)
        if before is None or after is None:
            continue  # both sides or neither: the steps must still add up
        sums["opening"].amount += before
        if after > before:
            sums["amount_increased"].add(1, after - before, None)
        elif after < before:
            sums["amount_decreased"].add(1, before - after, None)
    for arrival in coming:
        add("new", arrival.count, arrival.cents, arrival.currency)
        sums["closing"].count += arrival.count

    amounts = _cumulative_steps(sums)
    step_drills = {
        "opening": _drill(unit_id=unit.id, date=from_day),
        "new": _change_drill(unit, from_day, to_day, "new"),
        "amount_increased": _change_drill(unit, from_day, to_day, "amount_changed"),
        "amount_decreased": _change_drill(unit, from_day, to_day, "amount_changed"),
        "won": _change_drill(unit, from_day, to_day, "won"),
        "lost": _change_drill(unit, from_day, to_day, "lost"),
        "other_removed": _change_drill(unit, from_day, to_day, "removed"),
        "closing": _drill(unit_id=unit.id, date=to_day),
    }
    return PipelineChangesOut(
        unit=_unit_ref(unit),
        from_date=from_day,
        to_date=to_day,
        currency=target,
        rate_period=f"{to_day:%Y-%m}",
        snapshot_available=repository.snapshot_taken_by(session, from_day),
        steps=[
            Step(
                code=code,
                sign=sign,
                count=sums[code].count,
                amount=amounts[code],
                drill=step_drills[code],
            )
            for code, sign in STEP_ORDER
        ],
        movements=[
            Movement(
                code=name,
                count=movements[name],
                drill=_change_drill(unit, from_day, to_day, name),
            )
            for name in MOVEMENTS
        ],
        rates=converter.rates_used(),
        missing_rates=converter.missing_rates(),
    )


def _cumulative_steps(sums: dict[str, _Sum]) -> dict[str, Decimal]:
    """Round the running balance, not each step: a step is the difference of two rounded
    balances, so opening ± steps = closing exactly, and opening and closing are the exact
    balances rounded once."""
    running = Decimal(0)
    rounded_before = ZERO
    amounts: dict[str, Decimal] = {}
    for code, sign in STEP_ORDER:
        if code == "closing":
            amounts[code] = rounded_before
            continue
        running += sums[code].amount if sign >= 0 else -sums[code].amount
        rounded = quantize(running)
        amounts[code] = rounded if code == "opening" else abs(rounded - rounded_before)
        rounded_before = rounded
    return amounts


def _change_drill(unit: OrgUnit, from_day: date, to_day: date, change: str) -> Drill:
    return _drill(unit_id=unit.id, date=to_day, **{"from": from_day}, change=change)


def _check_range(from_day: date, to_day: date, today: date) -> None:
    _not_future(to_day, today, "to")
    if from_day >= to_day:
        raise Invalid(
            "pipeline_range_invalid",
            fields=[
                field_error(
                    "from",
                    "pipeline_range_invalid",
                    start=from_day.isoformat(),
                    end=to_day.isoformat(),
                )
            ],
        )


# --- the rows behind a figure ---------------------------------------------------------------


def pipeline_rows(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    unit_id: uuid.UUID | None = None,
    day: date | None = None,
    stage_code: str | None = None,
    forecast_category: str | None = None,
    owner_id: uuid.UUID | None = None,
    include_children: bool = True,
    change: str | None = None,
    from_day: date | None = None,
) -> Page[PipelineRowOut]:
    """The deals behind a figure of ``pipeline`` (open on ``day``, optionally one stage code,
    forecast category or owner; ``include_children=false``: placed on the unit itself) or,
    with ``change`` and ``from``, behind a step or movement of ``pipeline-changes``."""
    unit = _unit(session, scope, unit_id)
    today = group_today(session)
    day = day or today
    if change is not None:
        if from_day is None:
            raise Invalid(fields=[field_error("from", "missing")])
        _check_range(from_day, day, today)
    else:
        _not_future(day, today, "date")
    stage_ids = (
        repository.stage_ids_with_code(session, stage_code) if stage_code is not None else None
    )
    result = repository.pipeline_rows(
        session,
        scope,
        page,
        day=day,
        unit_path=unit.path,
        direct_unit_id=None if include_children else unit.id,
        stage_ids=stage_ids,
        forecast_category=forecast_category,
        owner_id=owner_id,
        change=change,
        from_day=from_day,
    )
    return Page(
        items=present_rows(session, scope, result.rows),
        next_cursor=result.next_cursor,
        total=result.total,
    )


def present_rows(
    session: Session, scope: Scope, rows: Sequence[PipelineSnapshot]
) -> list[PipelineRowOut]:
    """Label a page of versions: deal names the caller may still see, owner, unit and stage
    names (one query each, whatever the page's length)."""
    names = lookup.visible_opportunity_names(session, scope, [r.opportunity_id for r in rows])
    people = lookup.user_names(session, [r.owner_id for r in rows])
    units = lookup.units_by_id(session, [r.unit_id for r in rows])
    stages = repository.stages_by_id(session, [r.stage_id for r in rows])
    out: list[PipelineRowOut] = []
    for row in rows:
        stage = stages.get(row.stage_id)
        unit = units.get(row.unit_id)
        out.append(
            PipelineRowOut(
                id=row.id,
                opportunity_id=row.opportunity_id,
                name=names.get(row.opportunity_id),
                stage=StageRef(
                    id=row.stage_id,
                    code=stage.code if stage else None,
                    name=stage.name if stage else None,
                    name_en=stage.name_en if stage else None,
                ),
                stage_position=row.stage_position,
                probability=row.probability,
                status=row.status,
                forecast_category=row.forecast_category,
                amount=row.amount,
                currency=row.currency,
                owner=PersonRef(id=row.owner_id, name=people.get(row.owner_id))
                if row.owner_id
                else None,
                unit=_unit_ref(unit) if unit else None,
                expected_close_date=row.expected_close_date,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
        )
    return out


# --- exports --------------------------------------------------------------------------------

FIGURE_COLUMNS = (
    Column("count", "商机数", "Deals"),
    Column("amount", "金额", "Amount"),
    Column("weighted_amount", "加权金额", "Weighted amount"),
)


def pipeline_sheets(out: PipelineOut) -> list[Sheet]:
    """The pipeline as a workbook: totals, by stage, by forecast category, by unit."""
    header = {"currency": out.currency, "date": out.date, "rate_period": out.rate_period}
    total = {**header, **out.totals.model_dump(exclude={"drill"})}
    return [
        Sheet(
            "Pipeline",
            [
                Column("date", "日期", "Date"),
                Column("currency", "币种", "Currency"),
                Column("rate_period", "汇率月份（期末）", "Rate month (period end)"),
                *FIGURE_COLUMNS,
            ],
            [total],
        ),
        Sheet(
            "By stage",
            [
                Column("stage_code", "阶段代码", "Stage code"),
                Column("stage_name", "阶段", "Stage"),
                Column("position", "顺序", "Position"),
                *FIGURE_COLUMNS,
            ],
            [row.model_dump(exclude={"drill"}) for row in out.by_stage],
        ),
        Sheet(
            "By forecast category",
            [Column("forecast_category", "预测类别", "Forecast category"), *FIGURE_COLUMNS],
            [row.model_dump(exclude={"drill"}) for row in out.by_forecast_category],
        ),
        Sheet(
            "By unit",
            [
                Column("unit_name", "组织", "Unit"),
                Column("direct", "直属本组织", "Placed on the unit itself"),
                *FIGURE_COLUMNS,
            ],
            [row.model_dump(exclude={"drill"}) for row in out.by_unit],
        ),
    ]


def pipeline_changes_sheets(out: PipelineChangesOut) -> list[Sheet]:
    step_rows: list[dict[str, Any]] = [
        {"code": s.code, "sign": s.sign, "count": s.count, "amount": s.amount} for s in out.steps
    ]
    step_rows += [{"code": m.code, "sign": None, "count": m.count} for m in out.movements]
    return [
        Sheet(
            "Pipeline changes",
            [
                Column("code", "项目", "Step"),
                Column("sign", "方向", "Sign"),
                Column("count", "商机数", "Deals"),
                Column("amount", f"金额（{out.currency}）", f"Amount ({out.currency})"),
            ],
            step_rows,
        )
    ]
