"""Funnel (stage conversion from stage history) and forecasts (by category, stage-weighted,
statistical with its back-test).

Invariants:
- Every fact is read through ``Scope.restrict(..., Opportunity, "opportunity.read")``; the
  unit is checked with ``Scope.reaches_unit(..., "analytics.read", ...)`` and answers 404
  when out of reach, so a director's view of their subsidiary equals the group view's
  figures for it, and nothing of another subsidiary shows through a total.
- Stages are identified by code across process versions and ordered by the group template.
- Money is summed per group of rows in SQL, converted with one ``RateTable`` (a missing
  rate is listed and its amounts left out, never converted at 1) and rounded to the cent;
  totals are sums of the rounded groups, so every breakdown adds up to its total.
- Dates are UTC days; ``to`` is inclusive, a fiscal ``Period.end`` exclusive.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from flotilla.analytics.units import group_today, report_unit
from flotilla.core import clock
from flotilla.core.errors import Invalid, field_error
from flotilla.core.export import Column, Sheet
from flotilla.core.fx import RATE_TYPES, RateTable
from flotilla.core.money import quantize
from flotilla.core.period import (
    Period,
    fiscal_start_month,
    group_currency,
    parse_period,
    period_containing,
)
from flotilla.core.scope import Scope
from flotilla.forecast import repository
from flotilla.forecast.learning import Model, learn, ratio
from flotilla.forecast.repository import Catalogue
from flotilla.forecast.schemas import (
    BacktestOut,
    BacktestQuarterOut,
    CategoryOut,
    Drill,
    DrillValue,
    ForecastOut,
    FunnelOut,
    FunnelStageOut,
    FunnelTotalsOut,
    MissingRate,
    ModelCellOut,
    PeriodOut,
    StageForecastOut,
    UnitRef,
)
from flotilla.models.org import OrgUnit

ANALYTICS = "analytics.read"
MAX_RANGE_YEARS = 3
BACKTEST_QUARTERS = 4
OPEN_CATEGORIES = ("pipeline", "best_case", "commit", "omitted")
ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)
DAYS_EXPONENT = Decimal("0.1")
PIPELINE_RATE = "period_end"  # open deals are a balance: the as-of month's period-end rate
FLOW_RATE = "average"  # won deals and targets are flows: the month's average rate


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _unit_ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.id, kind=unit.kind, code=unit.code, name=unit.name, name_en=unit.name_en)


def _drill(**query: Any) -> Drill:
    values: dict[str, DrillValue] = {}
    for key, value in query.items():
        if value is None:
            continue
        values[key] = value if isinstance(value, (bool, int, str)) else str(value)
    return Drill(query=values)


def _stage_drill(catalogue: Catalogue, code: str) -> dict[str, str]:
    """Name the current stage by id when that id alone means the code (one stage row in the
    group), else by code (variants and older versions have their own rows for it)."""
    only = catalogue.only_stage_id(code)
    return {"stage_id": str(only)} if only is not None else {"stage_code": code}


def _add_years(day: date, years: int) -> date | None:
    """The same day ``years`` later (1 March for 29 February); ``None`` past the calendar."""
    if day.year + years > date.max.year:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + ONE_DAY


def _day_after(day: date) -> date:
    return day + ONE_DAY if day < date.max else day


def _check_range(start: date, end: date) -> None:
    if start > end:
        raise Invalid(fields=[field_error("to", "funnel_range_reversed")])
    limit = _add_years(start, MAX_RANGE_YEARS)
    if limit is not None and end >= limit:
        raise Invalid(
            fields=[field_error("to", "funnel_range_too_long", max_years=MAX_RANGE_YEARS)]
        )


# --- funnel ---------------------------------------------------------------------------------


def funnel(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None,
    date_from: date | None,
    date_to: date | None,
) -> FunnelOut:
    """Stage conversion of the deals that entered each open stage from ``date_from`` to
    ``date_to`` (inclusive; default: the current fiscal quarter), and stalled deals now.
    Six aggregate statements whatever the number of deals (see docs/api.md for the
    definitions)."""
    scope.require(ANALYTICS)
    now = clock.now()
    quarter = period_containing("quarter", group_today(session), fiscal_start_month(session))
    first_day = date_from or quarter.start
    last_day = date_to or quarter.end - ONE_DAY
    _check_range(first_day, last_day)
    unit = report_unit(session, scope, unit_id)
    start, end = _utc_start(first_day), _utc_start(_day_after(last_day))

    catalogue = repository.load_catalogue(session)
    flows = repository.stage_flows(session, scope, catalogue, unit, start, end)
    days = repository.days_in_stage(session, scope, unit, start, end)
    stalled = repository.stalled_by_stage(session, scope, unit, now)
    cohort = repository.cohort(session, scope, unit, start, end)

    entered_range = {"entered_from": first_day.isoformat(), "entered_to": last_day.isoformat()}
    stages: list[FunnelStageOut] = []
    for info in catalogue.open_stages:
        flow = flows.get(info.code, repository.StageFlow(0, 0, 0))
        spent = days.get(info.code, repository.StageDays(0, 0))
        entered = {"unit_id": unit.id, "entered_stage_code": info.code, **entered_range}
        stages.append(
            FunnelStageOut(
                stage_code=info.code,
                name=info.name,
                name_en=info.name_en,
                probability=info.probability,
                max_days=info.max_days,
                entered=flow.entered,
                advanced=flow.advanced,
                dropped=flow.dropped,
                in_progress=flow.entered - flow.advanced - flow.dropped,
                conversion=ratio(flow.advanced, flow.entered),
                average_days=_mean_days(spent),
                transitions_out=spent.transitions,
                stalled=stalled.get(info.code, 0),
                drill={
                    "entered": _drill(**entered),
                    "advanced": _drill(**entered, funnel_outcome="advanced"),
                    "dropped": _drill(**entered, funnel_outcome="dropped"),
                    "in_progress": _drill(**entered, funnel_outcome="in_progress"),
                    "average_days": _drill(
                        unit_id=unit.id,
                        exited_stage_code=info.code,
                        exited_from=first_day.isoformat(),
                        exited_to=last_day.isoformat(),
                    ),
                    "stalled": _drill(
                        unit_id=unit.id, stalled=True, **_stage_drill(catalogue, info.code)
                    ),
                },
            )
        )
    cohort_drill = {"unit_id": unit.id, **entered_range}
    totals = FunnelTotalsOut(
        entered=cohort.entered,
        won=cohort.won,
        lost=cohort.lost,
        win_rate=ratio(cohort.won, cohort.won + cohort.lost),
        stalled=sum(stalled.get(info.code, 0) for info in catalogue.open_stages),
        drill={
            "entered": _drill(**cohort_drill),
            "won": _drill(**cohort_drill, status="won"),
            "lost": _drill(**cohort_drill, status="lost"),
            "win_rate": _drill(**cohort_drill),
            "stalled": _drill(unit_id=unit.id, stalled=True),
        },
    )
    return FunnelOut(
        unit=_unit_ref(unit),
        from_date=first_day,
        to_date=last_day,
        as_of=now,
        stages=stages,
        totals=totals,
    )


def _mean_days(spent: repository.StageDays) -> Decimal | None:
    """Mean whole days in a stage, half up to one place; ``None`` without transitions."""
    if spent.transitions == 0:
        return None
    return (Decimal(spent.total_days) / Decimal(spent.transitions)).quantize(
        DAYS_EXPONENT, rounding=ROUND_HALF_UP
    )


# --- forecast -------------------------------------------------------------------------------


@dataclass
class _Converter:
    """Converts into one currency from a preloaded table and remembers what was missing."""

    rates: RateTable
    currency: str
    missing: set[tuple[str, str, str, str]] = field(default_factory=set)

    def __call__(self, amount: Decimal, source: str, month: date, rate_type: str) -> Decimal | None:
        if amount == 0:
            return ZERO
        converted = self.rates.convert(amount, source, self.currency, month, rate_type)
        if converted is None:
            self.missing.add((source, self.currency, f"{month:%Y-%m}", rate_type))
        return converted

    def missing_rates(self) -> list[MissingRate]:
        return [
            MissingRate(from_currency=s, to_currency=t, period=p, rate_type=r)
            for s, t, p, r in sorted(self.missing)
        ]


@dataclass
class _CategorySums:
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class _StageSums:
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    statistical: Decimal = ZERO


def _applied_rate(model: Model, stage_code: str, bucket: int, probability: int) -> Decimal:
    learned = model.rate(stage_code, bucket)
    if learned is not None:
        return learned
    # A stage missing from the model (not an open stage of any process) weighs as it says.
    return ratio(probability, 100) or Decimal(0)


def _open_sums(
    catalogue: Catalogue,
    groups: Sequence[repository.OpenGroup],
    model: Model,
    convert: _Converter,
    as_of_month: date,
) -> tuple[dict[str, _CategorySums], dict[str, _StageSums]]:
    """Per category and per stage: deals, converted amount, weighted and statistical sums.
    A group without a rate still counts its deals; its amounts are left out."""
    categories = {code: _CategorySums() for code in OPEN_CATEGORIES}
    stages = {info.code: _StageSums() for info in catalogue.open_stages}
    for group in groups:
        stage = stages.setdefault(group.stage_code, _StageSums())
        category = categories.setdefault(group.category, _CategorySums())
        stage.count += group.count
        category.count += group.count
        converted = convert(group.amount, group.currency, as_of_month, PIPELINE_RATE)
        if converted is None:
            continue
        category.amount += converted
        stage.amount += converted
        stage.weighted += quantize(converted * group.probability / 100)
        rate = _applied_rate(model, group.stage_code, group.bucket, group.probability)
        stage.statistical += quantize(converted * rate)
    return categories, stages


def _model(
    session: Session,
    scope: Scope,
    unit: OrgUnit,
    catalogue: Catalogue,
    before: datetime | None,
) -> Model:
    tallies = repository.stage_tallies(session, scope, unit, before)
    codes = [info.code for info in catalogue.open_stages]
    return learn(codes, tallies, {info.code: info.probability for info in catalogue.open_stages})


def _mean(errors: Iterable[Decimal | None]) -> Decimal | None:
    values = [e for e in errors if e is not None]
    return ratio(sum(values, Decimal(0)), len(values)) if values else None


def forecast(
    session: Session,
    scope: Scope,
    *,
    unit_id: uuid.UUID | None,
    period: str | None,
    currency: str | None,
) -> ForecastOut:
    """Open deals expected to close in the period (default: the current fiscal quarter) by
    forecast category, stage-weighted and statistical, the won amount already closed in it,
    the learned model and its back-test on the last four complete fiscal quarters. A bounded
    number of aggregate statements (about twenty) whatever the number of deals."""
    scope.require(ANALYTICS)
    now = clock.now()
    today = group_today(session)
    start_month = fiscal_start_month(session)
    chosen = (
        parse_period(period, start_month)
        if period
        else period_containing("quarter", today, start_month)
    )
    consolidation = group_currency(session)
    target_currency = (currency or consolidation).upper()
    unit = report_unit(session, scope, unit_id)
    as_of_month = today.replace(day=1)
    catalogue = repository.load_catalogue(session)

    open_groups = repository.open_pipeline(session, scope, unit, chosen.start, chosen.end, now)
    months = chosen.months
    won = repository.won_by_month(
        session, scope, unit, months, [_utc_start(m) for m in months], _utc_start(chosen.end)
    )
    model = _model(session, scope, unit, catalogue, None)
    current_quarter = period_containing("quarter", today, start_month)
    quarters = [
        current_quarter.shifted(-steps, start_month) for steps in range(BACKTEST_QUARTERS, 0, -1)
    ]
    past = [
        (
            quarter,
            repository.pipeline_at(
                session,
                scope,
                unit,
                _utc_start(quarter.start),
                _utc_start(quarter.end),
                quarter.start,
                quarter.end,
            ),
            _model(session, scope, unit, catalogue, _utc_start(quarter.start)),
        )
        for quarter in quarters
    ]
    target = repository.contract_target(session, scope, unit, chosen.kind, chosen.start)
    # Targets are set in the group currency (the row says which).
    target_source = (target.currency if target is not None else None) or consolidation

    currencies = {target_currency, target_source}
    currencies.update(g.currency for g in open_groups)
    currencies.update(g.currency for g in won)
    currencies.update(g.currency for _q, groups, _m in past for g in groups)
    convert = _Converter(
        RateTable.load(session, currencies, [as_of_month, *months], RATE_TYPES), target_currency
    )

    expected_close = {
        "expected_close_from": chosen.start.isoformat(),
        "expected_close_to": (chosen.end - ONE_DAY).isoformat(),
    }
    categories, sums = _open_sums(catalogue, open_groups, model, convert, as_of_month)
    closed_count, closed_amount = 0, ZERO
    for won_group in won:
        closed_count += won_group.count
        converted = convert(won_group.amount, won_group.currency, won_group.month, FLOW_RATE)
        if converted is not None:
            closed_amount += converted

    by_category = [
        CategoryOut(
            category=code,
            count=categories[code].count,
            amount=categories[code].amount,
            rate_type=PIPELINE_RATE,
            drill=_drill(unit_id=unit.id, status="open", forecast_category=code, **expected_close),
        )
        for code in OPEN_CATEGORIES
    ]
    by_category.append(
        CategoryOut(
            category="closed",
            count=closed_count,
            amount=closed_amount,
            rate_type=FLOW_RATE,
            drill=_drill(
                unit_id=unit.id,
                status="won",
                closed_from=chosen.start.isoformat(),
                closed_to=(chosen.end - ONE_DAY).isoformat(),
            ),
        )
    )
    infos = {info.code: info for info in catalogue.open_stages}
    stages = [
        StageForecastOut(
            stage_code=code,
            name=infos[code].name if code in infos else code,
            name_en=infos[code].name_en if code in infos else None,
            probability=infos[code].probability if code in infos else 0,
            count=stage.count,
            amount=stage.amount,
            weighted=stage.weighted,
            statistical=stage.statistical,
            drill=_drill(
                unit_id=unit.id,
                status="open",
                **_stage_drill(catalogue, code),
                **expected_close,
            ),
        )
        for code, stage in sums.items()
    ]

    target_value: Decimal | None = None
    if target is not None:
        target_value = convert(target.value, target_source, chosen.start, FLOW_RATE)

    backtest = _backtest(past, convert, as_of_month)
    commit = next(c.amount for c in by_category if c.category == "commit")
    return ForecastOut(
        unit=_unit_ref(unit),
        period=PeriodOut(label=chosen.label, kind=chosen.kind, start=chosen.start, end=chosen.end),
        currency=target_currency,
        as_of=today,
        rate_types={
            "pipeline": PIPELINE_RATE,
            "closed": FLOW_RATE,
            "target": FLOW_RATE,
            "backtest": PIPELINE_RATE,
        },
        by_category=by_category,
        stage_weighted=sum((s.weighted for s in stages), ZERO),
        statistical=sum((s.statistical for s in stages), ZERO),
        stages=stages,
        committed_plus_closed=commit + closed_amount,
        target=target_value,
        model=[
            ModelCellOut(
                stage_code=cell.stage_code,
                age_bucket=cell.age_bucket,
                examples=cell.examples,
                wins=cell.wins,
                win_rate=cell.win_rate,
                applied_rate=cell.applied_rate,
                basis=cell.basis,
            )
            for cell in model.table()
        ],
        backtest=backtest,
        missing_rates=convert.missing_rates(),
    )


def _backtest(
    past: Sequence[tuple[Period, list[repository.PastGroup], Model]],
    convert: _Converter,
    as_of_month: date,
) -> BacktestOut:
    """Predicted (statistical and stage-weighted) against actual won amounts per quarter.

    Every amount is valued at the live forecast's rate (the as-of month's period-end rate),
    so exchange-rate movements are not counted as forecast error."""
    quarters: list[BacktestQuarterOut] = []
    for quarter, groups, model in past:
        count, predicted, weighted, actual = 0, ZERO, ZERO, ZERO
        for group in groups:
            count += group.count
            converted = convert(group.amount, group.currency, as_of_month, PIPELINE_RATE)
            if converted is None:
                continue
            rate = _applied_rate(model, group.stage_code, group.bucket, group.probability)
            predicted += quantize(converted * rate)
            weighted += quantize(converted * group.probability / 100)
            if group.won_in_quarter:
                actual += converted
        quarters.append(
            BacktestQuarterOut(
                quarter=quarter.label,
                start=quarter.start,
                end=quarter.end,
                count=count,
                predicted=predicted,
                actual=actual,
                error=ratio(abs(predicted - actual), actual),
                stage_weighted_predicted=weighted,
                stage_weighted_error=ratio(abs(weighted - actual), actual),
            )
        )
    return BacktestOut(
        quarters=quarters,
        mean_absolute_percentage_error=_mean(q.error for q in quarters),
        stage_weighted_mean_absolute_percentage_error=_mean(
            q.stage_weighted_error for q in quarters
        ),
    )


# --- exports --------------------------------------------------------------------------------

_CATEGORY_TITLES = {
    "pipeline": ("管道", "Pipeline"),
    "best_case": ("最佳情况", "Best case"),
    "commit": ("承诺", "Commit"),
    "omitted": ("排除", "Omitted"),
    "closed": ("已赢单", "Closed (won)"),
}


def _localized(locale: str, zh: str, en: str | None) -> str:
    return (en or zh) if locale == "en-US" else zh


def funnel_sheets(out: FunnelOut, locale: str) -> list[Sheet]:
    columns = [
        Column("stage", "阶段", "Stage"),
        Column("stage_code", "阶段代码", "Stage code"),
        Column("entered", "进入", "Entered"),
        Column("advanced", "推进", "Advanced"),
        Column("dropped", "流失", "Dropped"),
        Column("in_progress", "进行中", "In progress"),
        Column("conversion", "转化率", "Conversion"),
        Column("average_days", "平均停留天数", "Average days"),
        Column("stalled", "停滞", "Stalled"),
    ]
    rows: list[dict[str, Any]] = [
        {**stage.model_dump(), "stage": _localized(locale, stage.name, stage.name_en)}
        for stage in out.stages
    ]
    rows.append(
        {
            "stage": _localized(locale, "合计", "Total"),
            "entered": out.totals.entered,
            "stalled": out.totals.stalled,
        }
    )
    summary = [
        Column("figure", "指标", "Figure"),
        Column("value", "数值", "Value"),
    ]
    figures = [
        (("单位", "Unit"), _localized(locale, out.unit.name, out.unit.name_en)),
        (("开始日期", "From"), out.from_date),
        (("结束日期", "To"), out.to_date),
        (("进入漏斗", "Entered"), out.totals.entered),
        (("赢单", "Won"), out.totals.won),
        (("输单", "Lost"), out.totals.lost),
        (("赢率", "Win rate"), out.totals.win_rate),
        (("停滞", "Stalled"), out.totals.stalled),
    ]
    return [
        Sheet("stages", columns, rows),
        Sheet(
            "summary",
            summary,
            [{"figure": _localized(locale, *title), "value": value} for title, value in figures],
        ),
    ]


def forecast_sheets(out: ForecastOut, locale: str) -> list[Sheet]:
    categories = Sheet(
        "categories",
        [
            Column("category", "预测类别", "Category"),
            Column("count", "商机数", "Deals"),
            Column("amount", f"金额（{out.currency}）", f"Amount ({out.currency})"),
            Column("rate_type", "汇率类型", "Rate type"),
        ],
        [
            {
                **c.model_dump(),
                "category": _localized(locale, *_CATEGORY_TITLES[c.category]),
            }
            for c in out.by_category
        ]
        + [
            {
                "category": _localized(locale, "承诺 + 已赢单", "Commit + closed"),
                "amount": out.committed_plus_closed,
            },
            {
                "category": _localized(locale, "阶段加权", "Stage-weighted"),
                "amount": out.stage_weighted,
            },
            {
                "category": _localized(locale, "统计预测", "Statistical"),
                "amount": out.statistical,
            },
            {
                "category": _localized(locale, "签约目标", "Contract target"),
                "amount": out.target,
            },
        ],
    )
    stages = Sheet(
        "stages",
        [
            Column("stage", "阶段", "Stage"),
            Column("stage_code", "阶段代码", "Stage code"),
            Column("probability", "赢率 %", "Probability %"),
            Column("count", "商机数", "Deals"),
            Column("amount", "金额", "Amount"),
            Column("weighted", "阶段加权", "Stage-weighted"),
            Column("statistical", "统计预测", "Statistical"),
        ],
        [{**s.model_dump(), "stage": _localized(locale, s.name, s.name_en)} for s in out.stages],
    )
    model = Sheet(
        "model",
        [
            Column("stage_code", "阶段代码", "Stage code"),
            Column("age_bucket", "停留天数", "Days in stage"),
            Column("examples", "样本数", "Examples"),
            Column("wins", "赢单数", "Wins"),
            Column("win_rate", "样本赢率", "Win rate"),
            Column("applied_rate", "采用赢率", "Applied rate"),
            Column("basis", "依据", "Basis"),
        ],
        [cell.model_dump() for cell in out.model],
    )
    backtest = Sheet(
        "backtest",
        [
            Column("quarter", "季度", "Quarter"),
            Column("count", "期初商机数", "Deals at start"),
            Column("predicted", "统计预测", "Predicted"),
            Column("actual", "实际赢单", "Actual"),
            Column("error", "误差", "Error"),
            Column("stage_weighted_predicted", "阶段加权预测", "Stage-weighted"),
            Column("stage_weighted_error", "阶段加权误差", "Stage-weighted error"),
        ],
        [q.model_dump() for q in out.backtest.quarters]
        + [
            {
                "quarter": _localized(locale, "平均绝对百分比误差", "MAPE"),
                "error": out.backtest.mean_absolute_percentage_error,
                "stage_weighted_error": out.backtest.stage_weighted_mean_absolute_percentage_error,
            }
        ],
    )
    return [categories, stages, model, backtest]
