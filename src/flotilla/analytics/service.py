"""Analytics: the KPI league table, monthly trends and receivables aging per unit.

Invariants:
- Every figure is measured through the read permission of the table behind it and the
  caller's scope (``facts`` and ``repository``); the unit asked for must be reached by
  ``analytics.read`` (``Scope.reaches_unit``), otherwise it does not exist (404). A director
  and the group VP therefore get the same figures for the director's subsidiary, and nothing
  outside the caller's reach leaks into a total.
- Money is converted per grouped row (unit, owner, currency, month) and rounded to the cent
  before it is summed, so a unit's figure is exactly the sum of its children's rows plus the
  rows placed on the unit itself. Flows (signed, collected, won) use the **average** rate of
  their month; balances (open pipeline, receivables) the **period_end** rate of the as-of
  month. A missing rate is listed in ``missing_rates`` and its amounts are left out — never
  converted at 1.
- Each report runs a fixed number of queries, whatever the number of rows behind it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from flotilla.analytics import facts, repository
from flotilla.analytics.facts import (
    BALANCE_RATE_TYPE,
    FLOW_RATE_TYPE,
    Bucket,
    Converter,
    MissingRate,
)
from flotilla.analytics.schemas import (
    AgingBucketOut,
    AgingByUnitReport,
    AgingUnitRow,
    Drill,
    Figure,
    KpiMetrics,
    KpiReport,
    KpiRow,
    MetricFigure,
    MissingRateOut,
    PeriodOut,
    RateTypes,
    TrendPoint,
    TrendReport,
    UnitRef,
)
from flotilla.analytics.units import group_today, report_unit
from flotilla.core import clock
from flotilla.core.errors import Invalid, field_error
from flotilla.core.export import Column, Sheet
from flotilla.core.period import (
    DEFAULT_FISCAL_START_MONTH,
    Period,
    add_months,
    parse_period,
    period_containing,
)
from flotilla.core.scope import Scope
from flotilla.models.analytics import MONEY_METRICS, TARGET_METRICS, Target
from flotilla.models.org import OrgUnit
from flotilla.receivable import aging
from flotilla.receivable import repository as receivable_repository

READ = "analytics.read"
MAX_TREND_MONTHS = 36
DEFAULT_TREND_MONTHS = 12
RATIO_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# The list each metric drills into, and the names of its date-range filter.
METRIC_DRILLS: dict[str, tuple[str, str, dict[str, str | bool]]] = {
    "contract_amount": ("contracts", "signed", {}),
    "payment_collected": ("payments", "received", {"status": "recorded"}),
    "new_customers": ("accounts", "created", {}),
    "won_deals": ("opportunities", "closed", {"status": "won"}),
    "won_amount": ("opportunities", "closed", {"status": "won"}),
    "activities": ("activities", "occurred", {}),
}


# --- shared ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """The group settings every report starts from (one query for the group root)."""

    fiscal_start_month: int
    group_currency: str
    today: date


def _setting(session: Session) -> Setting:
    root = receivable_repository.group_root(session)
    return Setting(
        fiscal_start_month=(root.fiscal_year_start_month if root else None)
        or DEFAULT_FISCAL_START_MONTH,
        group_currency=(root.currency if root else None) or "CNY",
        # "Today" is the group's calendar day, as for the receivables list a figure drills into.
        today=group_today(session),
    )


def _currency(value: str | None, default: str) -> str:
    """The report currency: 3 letters A–Z (case-folded); any such code is accepted — one
    without rates simply reports them missing."""
    if value is None or value.strip() == "":
        return default
    code = value.strip().upper()
    if not CURRENCY_PATTERN.match(code):
        raise Invalid(fields=[field_error("currency", "invalid_currency")])
    return code


def _period(text: str | None, setting: Setting) -> Period:
    """The fiscal period asked for (default: the current fiscal quarter); 422
    ``invalid_period`` naming the value otherwise."""
    if text is None:
        return period_containing("quarter", setting.today, setting.fiscal_start_month)
    try:
        return parse_period(text, setting.fiscal_start_month)
    except Invalid as error:
        raise Invalid(error.code, fields=error.fields, value=text) from error


def _unit_ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.id, kind=unit.kind, code=unit.code, name=unit.name, name_en=unit.name_en)


def _missing_out(missing: Iterable[MissingRate]) -> list[MissingRateOut]:
    return [
        MissingRateOut(
            from_currency=m.from_currency,
            to_currency=m.to_currency,
            period=m.period,
            rate_type=m.rate_type,
        )
        for m in missing
    ]


def _ratio(numerator: Decimal | int, denominator: Decimal | int | None) -> Decimal | None:
    if denominator is None or denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def _change(value: Decimal | int, previous: Decimal | int | None) -> Decimal | None:
    """(value − previous) ÷ previous, 4 places; ``None`` when there is nothing to compare."""
    if previous is None or previous == 0:
        return None
    return _ratio(Decimal(value) - Decimal(previous), previous)


def _figure(metric: str, value: Decimal) -> Figure:
    shaped = facts.shape(metric, value)
    return shaped if facts.is_money(metric) else int(shaped)


def _last_day(end: date) -> date:
    return end - timedelta(days=1)


def _drill(
    resource: str,
    unit_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
    **query: str | bool,
) -> Drill:
    params: dict[str, str | bool] = {"unit_id": str(unit_id)}
    if owner_id is not None:
        params["owner_id"] = str(owner_id)
    params.update(query)
    return Drill(resource=resource, query=params)


def _metric_drill(
    metric: str, unit_id: uuid.UUID, owner_id: uuid.UUID | None, start: date, end: date
) -> Drill:
    resource, name, extra = METRIC_DRILLS[metric]
    return _drill(
        resource,
        unit_id,
        owner_id,
        **extra,
        **{f"{name}_from": start.isoformat(), f"{name}_to": _last_day(end).isoformat()},
    )


# --- KPIs and the league table ------------------------------------------------------------


@dataclass
class _Row:
    """One line of the league table while it is being measured."""

    kind: str
    unit: OrgUnit
    user_id: uuid.UUID | None
    name: str
    name_en: str | None
    is_total: bool
    bucket: Bucket
    actual: dict[str, Decimal] = field(default_factory=dict)
    target: dict[str, Decimal | None] = field(default_factory=dict)
    won_count: int = 0
    lost_count: int = 0
    won_amount: Decimal = ZERO
    won_days: Decimal = Decimal(0)
    open_pipeline: Decimal = ZERO
    weighted_pipeline: Decimal = ZERO
    overdue: Decimal = ZERO
    stalled: int = 0
    rank: int | None = None

    def ratio(self, metric: str) -> Decimal | None:
        return _ratio(self.actual[metric], self.target.get(metric))


def _holding(rows: Sequence[_Row], path: str, owner_id: uuid.UUID | None) -> list[_Row]:
    return [row for row in rows if row.bucket.holds(path, owner_id)]


def _rank(rows: Sequence[_Row]) -> list[_Row]:
    """Best first: contract-amount ratio (no ratio last), then contract amount; equal keys
    share a rank (1, 1, 3). A row with neither a target nor any signed amount has nothing
    to rank on: it is listed last, unranked (``rank`` null)."""

    def key(row: _Row) -> tuple[int, Decimal, Decimal]:
        ratio = row.ratio("contract_amount")
        return (
            0 if ratio is not None else 1,
            -(ratio or Decimal(0)),
            -row.actual["contract_amount"],
        )

    ordered = sorted(rows, key=lambda r: (key(r), r.name))
    previous: tuple[int, Decimal, Decimal] | None = None
    for position, row in enumerate(ordered, start=1):
        if row.ratio("contract_amount") is None and not row.actual["contract_amount"]:
            row.rank = None
            continue
        current = key(row)
        if current != previous:
            row.rank = position
        else:
            row.rank = ordered[position - 2].rank
        previous = current
    return ordered


def _target_value(
    target: Target,
    metric: str,
    period: Period,
    group_currency: str,
    converter: Converter,
) -> Decimal | None:
    """A target in the report currency: money targets (kept in the group currency) at the
    average rate of the period's first month; counts as they are."""
    if metric not in MONEY_METRICS:
        return target.value
    source = target.currency or group_currency
    return converter.convert(target.value, source, period.start, FLOW_RATE_TYPE)


def _targets_by_row(
    targets: Sequence[Target], rows: Sequence[_Row]
) -> dict[tuple[Hashable, str], Target]:
    """The target of each row and metric: a unit's own target (no assignee); a person's
    target set in this unit, else their target set anywhere the caller can read."""
    found: dict[tuple[Hashable, str], Target] = {}
    persons = {row.user_id: row for row in rows if row.kind == "person"}
    for target in targets:
        if target.assignee_user_id is None:
            found.setdefault((("unit", target.unit_id), target.metric), target)
            continue
        row = persons.get(target.assignee_user_id)
        if row is None:
            continue
        key = (row.bucket.key, target.metric)
        current = found.get(key)
        if current is None or (current.unit_id != row.unit.id and target.unit_id == row.unit.id):
            found[key] = target
    return found


def kpis(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None,
    period: str | None,
    currency: str | None,
) -> KpiReport:
    """The league table of a unit for one fiscal period: the unit's total, each active child
    unit, then each person holding a position directly in it (measuring what they own within
    the unit's subtree). Every figure carries the list it drills into."""
    setting = _setting(session)
    span = _period(period, setting)
    target_currency = _currency(currency, setting.group_currency)
    unit = report_unit(session, scope, unit_id)

    rows: list[_Row] = [
        _Row(
            "unit", unit, None, unit.name, unit.name_en, True, Bucket(("unit", unit.id), unit.path)
        )
    ]
    for child in repository.child_units(session, scope, unit.id):
        rows.append(
            _Row(
                "unit",
                child,
                None,
                child.name,
                child.name_en,
                False,
                Bucket(("unit", child.id), child.path),
            )
        )
    for user_id, display_name in repository.people_in(session, scope, unit.id):
        rows.append(
            _Row(
                "person",
                unit,
                user_id,
                display_name,
                None,
                False,
                Bucket(("person", user_id), unit.path, user_id),
            )
        )
    buckets = [row.bucket for row in rows]
    by_key = {row.bucket.key: row for row in rows}
    subtree = [unit.path]

    fact_rows = {
        metric: facts.fact_rows(session, scope, metric, span.start, span.end, buckets)
        for metric in TARGET_METRICS
    }
    closed = repository.closed_deal_rows(session, scope, span.start, span.end, paths=subtree)
    pipeline = repository.open_pipeline_rows(session, scope, span.start, span.end, paths=subtree)
    stalled = repository.stalled_deal_rows(session, scope, clock.now(), paths=subtree)
    receivables = repository.aging_rows(session, scope, setting.today, paths=subtree)
    targets = repository.targets_for(
        session,
        scope,
        period_kind=span.kind,
        period_start=span.start,
        unit_ids=[row.unit.id for row in rows if row.kind == "unit"],
        user_ids=[row.user_id for row in rows if row.user_id is not None],
    )

    pipeline_month = min(setting.today, _last_day(span.end)).replace(day=1)
    today_month = setting.today.replace(day=1)
    currencies: set[str | None] = {t.currency or setting.group_currency for t in targets}
    months: set[date] = {span.start, pipeline_month, today_month}
    for metric_rows in fact_rows.values():
        currencies.update(r.currency for r in metric_rows)
        months.update(r.month for r in metric_rows)
    for row in closed:
        currencies.add(row.currency)
        months.add(repository.month_of(row.month))
    currencies.update(row.currency for row in pipeline)
    currencies.update(row.currency for row in receivables)
    converter = Converter(
        facts.load_rates(session, target_currency, currencies, months), target_currency
    )

    for metric, metric_rows in fact_rows.items():
        totals = facts.roll_up(facts.convert_rows(metric_rows, converter), buckets)
        for key, value in totals.items():
            by_key[key].actual[metric] = value

    for deal in closed:
        holders = _holding(rows, deal.path, deal.owner_id)
        if not holders:
            continue
        if deal.status != "won":
            for row in holders:
                row.lost_count += deal.deals
            continue
        amount = converter.convert(
            deal.amount, deal.currency, repository.month_of(deal.month), FLOW_RATE_TYPE
        )
        # SQLite answers a float, PostgreSQL a numeric: go through text to stay exact.
        days = Decimal(str(deal.days or 0))
        for row in holders:
            row.won_count += deal.deals
            row.won_days += days
            row.won_amount += amount or ZERO

    for deal in pipeline:
        holders = _holding(rows, deal.path, deal.owner_id)
        if not holders:
            continue
        amount = converter.convert(deal.amount, deal.currency, pipeline_month, BALANCE_RATE_TYPE)
        weighted_raw = Decimal(int(deal.weighted_cents or 0)) / Decimal(10_000)
        weighted = converter.convert(weighted_raw, deal.currency, pipeline_month, BALANCE_RATE_TYPE)
        for row in holders:
            row.open_pipeline += amount or ZERO
            row.weighted_pipeline += weighted or ZERO

    for deal in stalled:
        for row in _holding(rows, deal.path, deal.owner_id):
            row.stalled += deal.deals

    for receivable in receivables:
        holders = _holding(rows, receivable.path, receivable.owner_id)
        if not holders:
            continue
        converted = _convert_buckets(receivable._mapping, converter, setting.today)
        if converted is None:
            continue
        for row in holders:
            row.overdue += converted["overdue"]

    chosen = _targets_by_row(targets, rows)
    for row in rows:
        for metric in TARGET_METRICS:
            target = chosen.get((row.bucket.key, metric))
            row.target[metric] = (
                None
                if target is None
                else _target_value(target, metric, span, setting.group_currency, converter)
            )

    units = _rank([row for row in rows if row.kind == "unit" and not row.is_total])
    people = _rank([row for row in rows if row.kind == "person"])
    return KpiReport(
        unit=_unit_ref(unit),
        period=PeriodOut(label=span.label, kind=span.kind, start=span.start, end=span.end),
        currency=target_currency,
        rate_types=RateTypes(),
        as_of=setting.today,
        pipeline_as_of_month=f"{pipeline_month:%Y-%m}",
        missing_rates=_missing_out(converter.missing_rates),
        rows=[_kpi_row(row, span) for row in (rows[0], *units, *people)],
    )


def _convert_buckets(row: Any, converter: Converter, as_of: date) -> dict[str, Decimal] | None:
    """One grouped receivable row's buckets at the period-end rate of the as-of month, each
    rounded on its own (``overdue`` and ``total`` are sums of the converted buckets, as in the
    receivables aging report); ``None`` when the rate is missing."""
    amounts = aging.amounts_of(row)
    converted: dict[str, Decimal] = {}
    for code in aging.BUCKET_CODES:
        if amounts[code] == 0:
            converted[code] = ZERO
            continue
        value = converter.convert(amounts[code], row["currency"], as_of, BALANCE_RATE_TYPE)
        if value is None:
            return None
        converted[code] = value
    return aging.with_totals(converted)


def _kpi_row(row: _Row, span: Period) -> KpiRow:
    owner = row.user_id
    unit_id = row.unit.id
    metrics = {
        metric: MetricFigure(
            target=None
            if row.target.get(metric) is None
            else _figure(metric, row.target[metric] or Decimal(0)),
            actual=_figure(metric, row.actual[metric]),
            ratio=row.ratio(metric),
        )
        for metric in TARGET_METRICS
    }
    contract_target = row.target.get("contract_amount")
    remaining = (
        None
        if contract_target is None
        else max(contract_target - row.actual["contract_amount"], ZERO).quantize(CENT)
    )
    closed_range = {
        "closed_from": span.start.isoformat(),
        "closed_to": _last_day(span.end).isoformat(),
    }
    won = _drill("opportunities", unit_id, owner, status="won", **closed_range)
    pipeline = _drill(
        "opportunities",
        unit_id,
        owner,
        status="open",
        expected_close_from=span.start.isoformat(),
        expected_close_to=_last_day(span.end).isoformat(),
    )
    drill = {
        metric: _metric_drill(metric, unit_id, owner, span.start, span.end)
        for metric in TARGET_METRICS
    }
    drill.update(
        won_count=won,
        lost_count=_drill("opportunities", unit_id, owner, status="lost", **closed_range),
        win_rate=_drill("opportunities", unit_id, owner, **closed_range),
        won_amount=won,
        average_deal_size=won,
        cycle_days=won,
        open_pipeline=pipeline,
        weighted_pipeline=pipeline,
        remaining_target=drill["contract_amount"],
        coverage=pipeline,
        overdue_receivables=_drill("receivables", unit_id, owner, overdue=True),
        stalled_deals=_drill("opportunities", unit_id, owner, stalled=True),
    )
    return KpiRow(
        kind=row.kind,
        unit_id=unit_id,
        user_id=row.user_id,
        name=row.name,
        name_en=row.name_en,
        is_total=row.is_total,
        rank=row.rank,
        metrics=KpiMetrics(**metrics),
        won_count=row.won_count,
        lost_count=row.lost_count,
        win_rate=_ratio(row.won_count, row.won_count + row.lost_count),
        won_amount=row.won_amount.quantize(CENT),
        average_deal_size=None
        if row.won_count == 0
        else (row.won_amount / row.won_count).quantize(CENT, ROUND_HALF_UP),
        cycle_days=None
        if row.won_count == 0
        else (row.won_days / row.won_count).quantize(TENTH, ROUND_HALF_UP),
        open_pipeline=row.open_pipeline.quantize(CENT),
        weighted_pipeline=row.weighted_pipeline.quantize(CENT),
        remaining_target=remaining,
        coverage=None if not remaining else _ratio(row.weighted_pipeline, remaining),
        overdue_receivables=row.overdue.quantize(CENT),
        stalled_deals=row.stalled,
        drill=drill,
    )


# --- trends --------------------------------------------------------------------------------


def _month(value: str, name: str) -> date:
    found = MONTH_PATTERN.match(value.strip())
    if found is None:
        raise Invalid(
            fields=[field_error(name, "analytics_invalid_month", value=value)],
        )
    return date(int(found.group(1)), int(found.group(2)), 1)


def _months_between(first: date, last: date) -> int:
    return (last.year * 12 + last.month) - (first.year * 12 + first.month) + 1


def trends(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None,
    metric: str,
    from_month: str | None,
    to_month: str | None,
    currency: str | None,
) -> TrendReport:
    """A monthly series of one metric over a unit's subtree, from ``from_month`` to
    ``to_month`` inclusive (default: the twelve months to the current one, at most 36), each
    month with the month before and the same month a year earlier (measured in the same
    query) and the changes against them."""
    setting = _setting(session)
    last = _month(to_month, "to") if to_month else setting.today.replace(day=1)
    first = _month(from_month, "from") if from_month else add_months(last, 1 - DEFAULT_TREND_MONTHS)
    if first > last:
        raise Invalid(fields=[field_error("from", "analytics_month_range_reversed")])
    count = _months_between(first, last)
    if count > MAX_TREND_MONTHS:
        raise Invalid(
            fields=[field_error("from", "analytics_month_range_too_long", max=MAX_TREND_MONTHS)]
        )
    target_currency = _currency(currency, setting.group_currency)
    unit = report_unit(session, scope, unit_id)

    bucket = Bucket(("unit", unit.id), unit.path)
    start, end = add_months(first, -12), add_months(last, 1)
    rows = facts.fact_rows(session, scope, metric, start, end, [bucket])
    converter = Converter(
        facts.load_rates(
            session,
            target_currency,
            (r.currency for r in rows),
            (r.month for r in rows),
            (FLOW_RATE_TYPE,),
        ),
        target_currency,
    )
    by_month = facts.roll_up_by_month(facts.convert_rows(rows, converter), bucket)

    def value_of(month: date) -> Figure:
        return _figure(metric, by_month.get(month, Decimal(0)))

    points: list[TrendPoint] = []
    for index in range(count):
        month = add_months(first, index)
        value = value_of(month)
        previous = value_of(add_months(month, -1))
        year_ago = value_of(add_months(month, -12))
        points.append(
            TrendPoint(
                month=f"{month:%Y-%m}",
                value=value,
                previous_month_value=previous,
                mom=_change(value, previous),
                previous_year_value=year_ago,
                yoy=_change(value, year_ago),
                drill=_metric_drill(metric, unit.id, None, month, add_months(month, 1)),
            )
        )
    return TrendReport(
        unit=_unit_ref(unit),
        metric=metric,
        currency=target_currency,
        rate_type=facts.rate_type_of(metric),
        from_month=f"{first:%Y-%m}",
        to_month=f"{last:%Y-%m}",
        missing_rates=_missing_out(converter.missing_rates),
        points=points,
    )


# --- receivables aging per unit ------------------------------------------------------------


def receivables_aging(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None,
    currency: str | None,
    as_of: date | None,
) -> AgingByUnitReport:
    """Receivables outstanding (``payment.read``) in a unit's subtree and in each active child
    unit's, by aging bucket at ``as_of`` (default: today), converted at the period-end rates
    of the as-of month; one GROUP BY over the receivable aging kernel."""
    setting = _setting(session)
    day = as_of or setting.today
    target_currency = _currency(currency, setting.group_currency)
    unit = report_unit(session, scope, unit_id)
    units = [unit, *repository.child_units(session, scope, unit.id)]
    raw = repository.aging_rows(session, scope, day, paths=[unit.path])
    converter = Converter(
        facts.load_rates(
            session, target_currency, (r.currency for r in raw), [day], (BALANCE_RATE_TYPE,)
        ),
        target_currency,
    )
    sums: dict[uuid.UUID, dict[str, Decimal]] = {u.id: aging.with_totals({}) for u in units}
    for row in raw:
        converted = _convert_buckets(row._mapping, converter, day)
        if converted is None:
            continue
        for each in units:
            if row.path.startswith(each.path):
                aging.add(sums[each.id], converted)
    out_rows = []
    for each in units:
        amounts = aging.with_totals(sums[each.id])
        out_rows.append(
            AgingUnitRow(
                unit_id=each.id,
                name=each.name,
                name_en=each.name_en,
                is_total=each.id == unit.id,
                **amounts,
                drill={
                    "total": _drill("receivables", each.id, as_of=day.isoformat()),
                    "not_due": _drill("receivables", each.id, overdue=False, as_of=day.isoformat()),
                    "overdue": _drill("receivables", each.id, overdue=True, as_of=day.isoformat()),
                },
            )
        )
    return AgingByUnitReport(
        unit=_unit_ref(unit),
        currency=target_currency,
        rate_type=BALANCE_RATE_TYPE,
        as_of=day,
        buckets=[
            AgingBucketOut(code=b.code, min_days=b.min_days, max_days=b.max_days)
            for b in aging.BUCKETS
        ],
        missing_rates=_missing_out(converter.missing_rates),
        rows=out_rows,
    )


# --- XLSX ----------------------------------------------------------------------------------

_METRIC_TITLES: dict[str, tuple[str, str]] = {
    "contract_amount": ("签约额", "Contract amount"),
    "payment_collected": ("回款额", "Payment collected"),
    "new_customers": ("新增客户", "New customers"),
    "won_deals": ("赢单数", "Won deals"),
    "activities": ("活动数", "Activities"),
    "won_amount": ("赢单金额", "Won amount"),
}
_KPI_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("won_count", "赢单数", "Won"),
    ("lost_count", "输单数", "Lost"),
    ("win_rate", "赢率", "Win rate"),
    ("won_amount", "赢单金额", "Won amount"),
    ("average_deal_size", "平均单笔金额", "Average deal size"),
    ("cycle_days", "销售周期(天)", "Cycle days"),
    ("open_pipeline", "未结商机金额", "Open pipeline"),
    ("weighted_pipeline", "加权商机金额", "Weighted pipeline"),
    ("remaining_target", "剩余目标", "Remaining target"),
    ("coverage", "覆盖率", "Coverage"),
    ("overdue_receivables", "逾期应收", "Overdue receivables"),
    ("stalled_deals", "停滞商机", "Stalled deals"),
)


def kpi_sheet(report: KpiReport) -> Sheet:
    """The league table as one worksheet: one line per row, one column per figure."""
    columns = [
        Column("name", "名称", "Name"),
        Column("kind", "类型", "Kind"),
        Column("rank", "排名", "Rank"),
    ]
    for metric in TARGET_METRICS:
        zh, en = _METRIC_TITLES[metric]
        columns += [
            Column(f"{metric}.target", f"{zh}目标", f"{en} target"),
            Column(f"{metric}.actual", f"{zh}完成", f"{en} actual"),
            Column(f"{metric}.ratio", f"{zh}完成率", f"{en} ratio"),
        ]
    columns += [Column(key, zh, en) for key, zh, en in _KPI_FIGURES]
    lines: list[dict[str, Any]] = []
    for row in report.rows:
        line: dict[str, Any] = {
            "name": row.name,
            "kind": "total" if row.is_total else row.kind,
            "rank": row.rank,
        }
        for metric in TARGET_METRICS:
            figure: MetricFigure = getattr(row.metrics, metric)
            line[f"{metric}.target"] = figure.target
            line[f"{metric}.actual"] = figure.actual
            line[f"{metric}.ratio"] = figure.ratio
        for key, _zh, _en in _KPI_FIGURES:
            line[key] = getattr(row, key)
        lines.append(line)
    return Sheet(title=f"KPI {report.period.label} {report.currency}", columns=columns, rows=lines)


def trend_sheet(report: TrendReport) -> Sheet:
    zh, en = _METRIC_TITLES[report.metric]
    columns = [
        Column("month", "月份", "Month"),
        Column("value", zh, en),
        Column("previous_month_value", "上月", "Previous month"),
        Column("mom", "环比", "MoM"),
        Column("previous_year_value", "去年同期", "A year earlier"),
        Column("yoy", "同比", "YoY"),
    ]
    lines = [point.model_dump(exclude={"drill"}) for point in report.points]
    return Sheet(title=f"{report.metric} {report.currency}", columns=columns, rows=lines)


_BUCKET_TITLES: dict[str, tuple[str, str]] = {
    "not_due": ("未到期", "Not due"),
    "d1_30": ("逾期1-30天", "1–30 days"),
    "d31_90": ("逾期31-90天", "31–90 days"),
    "d91_180": ("逾期91-180天", "91–180 days"),
    "over_180": ("逾期180天以上", "Over 180 days"),
    "overdue": ("逾期合计", "Overdue"),
    "total": ("应收合计", "Total"),
}


def aging_sheet(report: AgingByUnitReport) -> Sheet:
    columns = [Column("name", "单位", "Unit")]
    columns += [Column(code, zh, en) for code, (zh, en) in _BUCKET_TITLES.items()]
    lines = [row.model_dump(exclude={"drill"}) for row in report.rows]
    return Sheet(title=f"Aging {report.as_of} {report.currency}", columns=columns, rows=lines)
