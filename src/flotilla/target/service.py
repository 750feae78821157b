"""Targets (目标): set per metric and fiscal period on a unit or a person, cascaded from the
group down to reps, checked for consistency, and measured against the facts.

Invariants:
- One target per (metric, period, unit, person); a unit target has no assignee, a person's
  target names a user holding a position directly in its unit and is owned by that user.
  ``subsidiary_id`` is the unit's subsidiary — the group root's own id for a group target,
  since the column cannot be empty.
- Money targets (contract amount, payment collected) are in the group currency with at most
  two places; count targets are whole numbers with no currency. Values are never negative.
- Writing needs ``target.write`` reaching the target's unit (by the unit tree, not the
  ``own`` rule: nobody sets their own target); a unit the caller cannot reach is ``404``.
- A cascade writes every child's target or none (one transaction; every row is checked
  before anything is written). ``equal`` and ``last_period`` splits add up exactly to the
  parent's value: whole cents (whole items for counts) are handed out by largest remainder,
  ties to the earlier row.
- Achievement comes from ``flotilla.analytics.facts.achieved`` under the caller's own scope,
  one call per metric for a whole page: a unit target measures the unit's subtree, a person's
  target the rows the person owns. Ranks compare visible siblings only, so nothing hidden
  shows through a rank.

Services flush, never commit: the request commits.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from flotilla.analytics import facts
from flotilla.core import lookup
from flotilla.core.errors import Conflict, FieldError, Invalid, NotFound, field_error
from flotilla.core.export import Column, Sheet
from flotilla.core.ids import new_id
from flotilla.core.money import quantize
from flotilla.core.period import (
    Period,
    fiscal_start_month,
    group_currency,
    parse_period,
    period_starting,
)
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.models.analytics import MONEY_METRICS, TARGET_METRICS, Target
from flotilla.models.identity import User
from flotilla.models.org import OrgUnit
from flotilla.org import service as org_service
from flotilla.target import repository
from flotilla.target.repository import TargetRow
from flotilla.target.schemas import (
    AchievementOut,
    CascadeIn,
    ConsistencyIssueOut,
    ConsistencyOut,
    ConsistencyStatus,
    FiscalYearOut,
    MissingRateOut,
    PeriodOut,
    SplitIn,
    TargetCreate,
    TargetListOut,
    TargetOut,
    TargetUpdate,
    UnitRef,
    UserRef,
)

READ = "target.read"
WRITE = "target.write"
# A period's (and a unit's) targets are few; a list beyond this asks for a narrower filter.
MAX_LIST = 500
RATIO = Decimal("0.0001")
CENT = Decimal("0.01")
ONE = Decimal(1)

METRIC_TITLES: dict[str, tuple[str, str]] = {
    "contract_amount": ("签约金额", "Contract amount"),
    "payment_collected": ("回款金额", "Payment collected"),
    "new_customers": ("新增客户", "New customers"),
    "won_deals": ("赢单数", "Won deals"),
    "activities": ("活动数", "Activities"),
}


# --- shared rules ----------------------------------------------------------------------------


def is_money(metric: str) -> bool:
    return metric in MONEY_METRICS


def _step(metric: str) -> Decimal:
    """The smallest unit of a metric's value: a cent for money, one item for counts."""
    return CENT if is_money(metric) else ONE


def _shape(metric: str, value: Decimal) -> Decimal:
    """Money to the cent, counts as whole numbers (how values are shown)."""
    return quantize(value) if is_money(metric) else value.quantize(ONE)


def _checked_value(metric: str, value: Decimal, field: str) -> Decimal:
    """A target value as stored, or 422: counts must be whole (money's two places and the
    sign were checked by the schema)."""
    if not is_money(metric) and value != value.to_integral_value():
        raise Invalid(fields=[field_error(field, "target_whole_number")])
    return _shape(metric, value)


def _period(session: Session, text: str) -> tuple[Period, int]:
    start_month = fiscal_start_month(session)
    return parse_period(text, start_month), start_month


def _period_out(period: Period) -> PeriodOut:
    return PeriodOut.model_validate(
        {"label": period.label, "kind": period.kind, "start": period.start, "end": period.end}
    )


def _unit_ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(id=unit.id, name=unit.name, kind=unit.kind)


def _subsidiary_of(unit: OrgUnit) -> uuid.UUID:
    # The group root belongs to no subsidiary; its targets carry the root's own id.
    return unit.subsidiary_id or unit.id


def _writable_unit(session: Session, scope: Scope, unit_id: uuid.UUID) -> OrgUnit:
    """A unit ``target.write`` reaches through the tree, else 404 (absent or hidden)."""
    scope.require(WRITE)
    if not scope.reaches_unit(session, WRITE, unit_id):
        raise NotFound()
    unit = lookup.unit_by_id(session, unit_id)
    if unit is None:
        raise NotFound()
    return unit


def _writable_target(session: Session, scope: Scope, target_id: uuid.UUID) -> Target:
    target = get_visible(session, scope, Target, WRITE, target_id)
    if not scope.reaches_unit(session, WRITE, target.unit_id):
        raise NotFound()
    return target


# --- create, update, delete ------------------------------------------------------------------


def create_target(session: Session, scope: Scope, data: TargetCreate) -> Target:
    """Set one target. The unit must be reachable with ``target.write`` (else 404) and
    active; a person must be visible and hold a position directly in the unit. A second
    target with the same key is ``409 target_exists`` naming the existing id."""
    unit = _writable_unit(session, scope, data.unit_id)
    period, _start_month = _period(session, data.period)
    if not unit.is_active:
        raise Invalid(fields=[field_error("unit_id", "target_unit_inactive")])
    value = _checked_value(data.metric, data.value, "value")
    assignee: User | None = None
    if data.assignee_user_id is not None:
        assignee = _placed_person(session, scope, unit, data.assignee_user_id)
    assignee_key = assignee.id.hex if assignee else ""
    existing = repository.existing_target_id(
        session,
        metric=data.metric,
        kind=period.kind,
        start=period.start,
        unit_id=unit.id,
        assignee_key=assignee_key,
    )
    if existing is not None:
        raise Conflict("target_exists", extra={"existing_id": str(existing)})
    target = Target(
        id=new_id(),
        metric=data.metric,
        period_kind=period.kind,
        period_start=period.start,
        unit_id=unit.id,
        subsidiary_id=_subsidiary_of(unit),
        assignee_user_id=assignee.id if assignee else None,
        assignee_key=assignee_key,
        owner_id=assignee.id if assignee else None,
        value=value,
        currency=group_currency(session) if is_money(data.metric) else None,
        note=data.note,
    )
    session.add(target)
    ensure_still_visible(session, scope, Target, WRITE, target.id)
    return target


def _placed_person(session: Session, scope: Scope, unit: OrgUnit, user_id: uuid.UUID) -> User:
    field = "assignee_user_id"
    try:
        user = get_visible(session, scope, User, "user.read", user_id)
    except NotFound:
        raise Invalid(fields=[field_error(field, "unknown_reference")]) from None
    if not user.is_active:
        raise Invalid(fields=[field_error(field, "user_inactive")])
    if user.id not in repository.placed_users(session, scope, unit.id, [user.id]):
        raise Invalid(fields=[field_error(field, "target_assignee_not_in_unit")])
    return user


def update_target(
    session: Session, scope: Scope, target_id: uuid.UUID, data: TargetUpdate
) -> Target:
    """Change a target's value or note at the version the caller read (else 409)."""
    target = _writable_target(session, scope, target_id)
    if target.version != data.version:
        raise Conflict("version_conflict")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "value" in changes:
        if changes["value"] is None:
            raise Invalid(fields=[field_error("value", "missing")])
        target.value = _checked_value(target.metric, changes["value"], "value")
    if "note" in changes:
        target.note = changes["note"]
    session.flush()
    return target


def delete_target(session: Session, scope: Scope, target_id: uuid.UUID) -> None:
    target = _writable_target(session, scope, target_id)
    session.delete(target)
    session.flush()


# --- reads -----------------------------------------------------------------------------------


def get_target(session: Session, scope: Scope, target_id: uuid.UUID) -> TargetOut:
    target = get_visible(session, scope, Target, READ, target_id)
    return present_one(session, scope, target)


def present_one(session: Session, scope: Scope, target: Target) -> TargetOut:
    start_month = fiscal_start_month(session)
    period = period_starting(target.period_kind, target.period_start, start_month)
    unit = lookup.unit_by_id(session, target.unit_id)
    assert unit is not None, "a target's unit exists (foreign key)"
    return _view(session, scope, period, [(target, unit)]).items[0]


def list_targets(
    session: Session,
    scope: Scope,
    *,
    period: str,
    metric: str | None = None,
    unit_id: uuid.UUID | None = None,
    assignee_user_id: uuid.UUID | None = None,
    include_children: bool = False,
) -> TargetListOut:
    """The caller's targets of a period with their achievement and rank. ``unit_id`` (a unit
    ``target.read`` reaches, else 404) narrows to the targets set on that unit — its own and
    its persons'; ``include_children`` adds its direct child units' own (the cascade view)."""
    found, _start_month = _period(session, period)
    if include_children and unit_id is None:
        raise Invalid(fields=[field_error("unit_id", "target_children_need_unit")])
    if unit_id is not None:
        get_visible(session, scope, OrgUnit, READ, unit_id)
    rows = repository.list_targets(
        session,
        scope,
        READ,
        kind=found.kind,
        start=found.start,
        metric=metric,
        unit_id=unit_id,
        include_children=include_children,
        assignee_user_id=assignee_user_id,
        limit=MAX_LIST + 1,
    )
    if len(rows) > MAX_LIST:
        raise Invalid("target_too_many", limit=MAX_LIST)
    return _view(session, scope, found, rows)


def _sibling_key(target: Target, unit: OrgUnit) -> Hashable:
    """Targets ranked together: unit targets under one parent unit, person targets in one
    unit (people are not ranked against units), always within one metric."""
    if target.assignee_user_id is None:
        if unit.parent_id is None:
            return ("root", unit.id, target.metric)
        return ("unit", unit.parent_id, target.metric)
    return ("person", target.unit_id, target.metric)


def _ratio(actual: Decimal, value: Decimal) -> Decimal | None:
    if value <= 0:
        return None
    return (actual / value).quantize(RATIO, rounding=ROUND_HALF_UP)


def _ranks(
    members: Iterable[tuple[uuid.UUID, Hashable, Decimal | None, Decimal]],
) -> dict[uuid.UUID, int]:
    """Competition ranks (1, 2, 2, 4) per sibling group by ratio, then actual, descending;
    targets without a ratio (a zero target) are not ranked."""
    groups: dict[Hashable, list[tuple[Decimal, Decimal, uuid.UUID]]] = defaultdict(list)
    for target_id, key, ratio, actual in members:
        if ratio is not None:
            groups[key].append((ratio, actual, target_id))
    ranks: dict[uuid.UUID, int] = {}
    for entries in groups.values():
        entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
        for position, (ratio, actual, target_id) in enumerate(entries):
            previous = entries[position - 1] if position else None
            if previous is not None and (previous[0], previous[1]) == (ratio, actual):
                ranks[target_id] = ranks[previous[2]]
            else:
                ranks[target_id] = position + 1
    return ranks


def _view(
    session: Session, scope: Scope, period: Period, rows: Sequence[TargetRow]
) -> TargetListOut:
    """Targets of one period with achievement (one ``achieved`` call per metric for the page
    and its rank siblings) and rank among visible siblings."""
    currency = group_currency(session)
    metrics = {target.metric for target, _unit in rows}
    siblings = repository.sibling_targets(
        session,
        scope,
        kind=period.kind,
        start=period.start,
        metrics=metrics,
        parent_unit_ids={
            unit.parent_id
            for target, unit in rows
            if target.assignee_user_id is None and unit.parent_id is not None
        },
        person_unit_ids={t.unit_id for t, _unit in rows if t.assignee_user_id is not None},
    )
    everyone: dict[uuid.UUID, TargetRow] = {t.id: (t, u) for t, u in [*rows, *siblings]}
    actuals: dict[uuid.UUID, Decimal] = {}
    missing: dict[str, list[MissingRateOut]] = {}
    rate_types: dict[str, str | None] = {}
    for metric in sorted(metrics, key=TARGET_METRICS.index):
        measured = [t for t, _u in everyone.values() if t.metric == metric]
        unit_ids = sorted({t.unit_id for t in measured if t.assignee_user_id is None})
        owner_ids = sorted({t.assignee_user_id for t in measured if t.assignee_user_id})
        result = facts.achieved(
            session,
            scope,
            metric,
            period.start,
            period.end,
            currency,
            unit_ids=unit_ids,
            owner_ids=owner_ids,
        )
        for target in measured:
            if target.assignee_user_id is None:
                actual = result.by_unit.get(target.unit_id, Decimal(0))
            else:
                actual = result.by_owner.get(target.assignee_user_id, Decimal(0))
            actuals[target.id] = _shape(metric, actual)
        missing[metric] = [
            MissingRateOut(
                from_currency=m.from_currency,
                to_currency=m.to_currency,
                period=m.period,
                rate_type=m.rate_type,
            )
            for m in result.missing_rates
        ]
        rate_types[metric] = result.rate_type
    ratios = {tid: _ratio(actuals[tid], t.value) for tid, (t, _u) in everyone.items()}
    ranks = _ranks(
        (tid, _sibling_key(t, u), ratios[tid], actuals[tid]) for tid, (t, u) in everyone.items()
    )
    names = lookup.user_names(session, (t.assignee_user_id for t, _u in rows))
    ordered = sorted(
        rows,
        key=lambda row: (
            TARGET_METRICS.index(row[0].metric),
            row[1].path,
            row[0].assignee_user_id is not None,
            names.get(row[0].assignee_user_id, "") if row[0].assignee_user_id else "",
            row[0].id,
        ),
    )
    period_out = _period_out(period)
    items = [
        TargetOut(
            id=target.id,
            metric=target.metric,
            period=period_out,
            unit=_unit_ref(unit),
            assignee=UserRef(id=target.assignee_user_id, name=names.get(target.assignee_user_id))
            if target.assignee_user_id
            else None,
            value=_shape(target.metric, target.value),
            currency=target.currency,
            note=target.note,
            version=target.version,
            achievement=AchievementOut(
                actual=actuals[target.id],
                ratio=ratios[target.id],
                rate_type=rate_types[target.metric],
                missing_rates=missing[target.metric],
            ),
            rank=ranks.get(target.id),
            created_at=target.created_at,
            updated_at=target.updated_at,
        )
        for target, unit in ordered
    ]
    return TargetListOut(
        period=period_out,
        currency=currency,
        items=items,
        missing_rates=_distinct(m for found in missing.values() for m in found),
    )


def _distinct(rates: Iterable[MissingRateOut]) -> list[MissingRateOut]:
    seen: dict[tuple[str, str, str, str], MissingRateOut] = {}
    for rate in rates:
        seen.setdefault((rate.period, rate.rate_type, rate.from_currency, rate.to_currency), rate)
    return [seen[key] for key in sorted(seen)]


# --- cascade ---------------------------------------------------------------------------------


def split_by_weight(total: Decimal, weights: Sequence[Decimal], step: Decimal) -> list[Decimal]:
    """Split ``total`` (a whole number of ``step``) in proportion to ``weights`` so the parts
    add up exactly: each part is rounded down to a ``step`` and the steps left over go to
    the largest remainders, ties to the earlier part. Equal weights therefore hand the
    remainder to the first parts. All-zero weights split equally."""
    if not weights:
        return []
    clean = [max(Fraction(w), Fraction(0)) for w in weights]
    if sum(clean) == 0:
        clean = [Fraction(1)] * len(weights)
    steps = int((total / step).to_integral_value())
    whole = sum(clean)
    exact = [Fraction(steps) * w / whole for w in clean]
    parts = [math.floor(x) for x in exact]
    left = steps - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_remainder[:left]:
        parts[index] += 1
    return [Decimal(part) * step for part in parts]


def cascade(session: Session, scope: Scope, data: CascadeIn) -> TargetListOut:
    """Create or update the targets of a unit's direct children (child units, or persons
    placed directly in the unit) for the parent target's metric and period, all or nothing.

    ``manual`` takes each row's value; ``equal`` splits the parent's value evenly;
    ``last_period`` in proportion to each child's actual in the same period a year earlier
    (equal when all are zero). Returns the cascade view of the unit."""
    unit = _writable_unit(session, scope, data.unit_id)
    period, start_month = _period(session, data.period)
    parent = repository.unit_target(
        session,
        scope,
        WRITE,
        metric=data.metric,
        kind=period.kind,
        start=period.start,
        unit_id=unit.id,
    )
    if parent is None:
        raise Invalid(
            "target_parent_missing", fields=[field_error("unit_id", "target_parent_missing")]
        )
    units, people = _check_splits(session, scope, unit, data)
    values = _split_values(session, scope, data, parent, period, start_month, units, people)
    currency = group_currency(session) if is_money(data.metric) else None
    existing = {
        (t.unit_id, t.assignee_key): t
        for t in repository.cascade_targets(
            session,
            scope,
            metric=data.metric,
            kind=period.kind,
            start=period.start,
            parent_unit_id=unit.id,
            child_unit_ids=list(units),
            user_ids=list(people),
        )
    }
    for split, value in zip(data.splits, values, strict=True):
        child_unit = units[split.unit_id] if split.unit_id else unit
        person = people[split.user_id] if split.user_id else None
        key = (child_unit.id, person.id.hex if person else "")
        target = existing.get(key)
        if target is not None:
            if target.value != value:
                target.value = value
            continue
        session.add(
            Target(
                metric=data.metric,
                period_kind=period.kind,
                period_start=period.start,
                unit_id=child_unit.id,
                subsidiary_id=_subsidiary_of(child_unit),
                assignee_user_id=person.id if person else None,
                assignee_key=key[1],
                owner_id=person.id if person else None,
                value=value,
                currency=currency,
            )
        )
    session.flush()
    rows = repository.list_targets(
        session,
        scope,
        READ,
        kind=period.kind,
        start=period.start,
        metric=data.metric,
        unit_id=unit.id,
        include_children=True,
        limit=MAX_LIST + 1,
    )
    return _view(session, scope, period, rows[:MAX_LIST])


def _check_splits(
    session: Session, scope: Scope, unit: OrgUnit, data: CascadeIn
) -> tuple[dict[uuid.UUID, OrgUnit], dict[uuid.UUID, User]]:
    """Every row names exactly one direct child (a child unit ``target.write`` reaches, or a
    visible, active person placed directly in the unit), once, with a value exactly when the
    method is manual. All problems are reported together, per row."""
    errors: list[FieldError] = []
    unit_ids = [s.unit_id for s in data.splits if s.unit_id and not s.user_id]
    user_ids = [s.user_id for s in data.splits if s.user_id and not s.unit_id]
    units = {
        u.id: u for u in repository.child_units(session, scope, WRITE, [unit.id], only=unit_ids)
    }
    people = repository.placed_users(session, scope, unit.id, user_ids)
    first_row: dict[tuple[str, uuid.UUID], int] = {}
    for index, split in enumerate(data.splits):
        prefix = f"splits.{index}."
        errors.extend(_check_split_value(data, split, prefix))
        if (split.unit_id is None) == (split.user_id is None):
            errors.append(field_error(f"{prefix}unit_id", "target_split_one_of"))
            continue
        name, child_id = ("unit_id", split.unit_id) if split.unit_id else ("user_id", split.user_id)
        assert child_id is not None
        if (name, child_id) in first_row:
            errors.append(
                field_error(
                    f"{prefix}{name}", "target_split_duplicate", index=first_row[(name, child_id)]
                )
            )
            continue
        first_row[(name, child_id)] = index
        known: dict[uuid.UUID, OrgUnit] | dict[uuid.UUID, User] = (
            units if name == "unit_id" else people
        )
        if child_id not in known:
            errors.append(field_error(f"{prefix}{name}", "target_not_a_child"))
        elif name == "user_id" and not people[child_id].is_active:
            errors.append(field_error(f"{prefix}{name}", "user_inactive"))
    if errors:
        raise Invalid(fields=errors)
    return units, people


def _check_split_value(data: CascadeIn, split: SplitIn, prefix: str) -> list[FieldError]:
    field = f"{prefix}value"
    if data.method != "manual":
        if split.value is not None:
            return [field_error(field, "target_split_value_computed")]
        return []
    if split.value is None:
        return [field_error(field, "target_split_value_required")]
    if not is_money(data.metric) and split.value != split.value.to_integral_value():
        return [field_error(field, "target_whole_number")]
    return []


def _split_values(
    session: Session,
    scope: Scope,
    data: CascadeIn,
    parent: Target,
    period: Period,
    start_month: int,
    units: dict[uuid.UUID, OrgUnit],
    people: dict[uuid.UUID, User],
) -> list[Decimal]:
    if data.method == "manual":
        return [_shape(data.metric, s.value) for s in data.splits if s.value is not None]
    weights = [Decimal(1)] * len(data.splits)
    if data.method == "last_period":
        earlier = period.year_earlier(start_month)
        result = facts.achieved(
            session,
            scope,
            data.metric,
            earlier.start,
            earlier.end,
            group_currency(session),
            unit_ids=sorted(units),
            owner_ids=sorted(people),
        )
        weights = [
            result.by_unit.get(s.unit_id, Decimal(0))
            if s.unit_id
            else result.by_owner.get(s.user_id, Decimal(0))  # type: ignore[arg-type]
            for s in data.splits
        ]
    parent_value = _shape(data.metric, parent.value)
    return split_by_weight(parent_value, weights, _step(data.metric))


# --- consistency -----------------------------------------------------------------------------


def consistency(
    session: Session,
    scope: Scope,
    *,
    period: str,
    metric: str | None = None,
    unit_id: uuid.UUID | None = None,
    include_all: bool = False,
) -> ConsistencyOut:
    """Where children do not add up to their parent: for every visible unit target (in the
    subtree of ``unit_id`` when given) whose unit has children carrying visible targets of the
    same metric and period, the parent's value, Σ children, the difference and the child
    units without a target. Only mismatches unless ``include_all``."""
    found, _start_month = _period(session, period)
    path = None
    if unit_id is not None:
        path = get_visible(session, scope, OrgUnit, READ, unit_id).path
    parents = repository.unit_targets_in_subtree(
        session, scope, kind=found.kind, start=found.start, metric=metric, path=path
    )
    parent_unit_ids = {unit.id for _target, unit in parents}
    children = repository.children_targets(
        session,
        scope,
        READ,
        kind=found.kind,
        start=found.start,
        metrics=[metric] if metric else None,
        parent_unit_ids=parent_unit_ids,
    )
    child_units: dict[uuid.UUID, list[OrgUnit]] = defaultdict(list)
    for child in repository.child_units(session, scope, READ, parent_unit_ids):
        assert child.parent_id is not None
        child_units[child.parent_id].append(child)
    sums: dict[tuple[uuid.UUID, str], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    carrying: set[tuple[uuid.UUID, str]] = set()
    for target, unit in children:
        if target.assignee_user_id is None:
            assert unit.parent_id is not None
            key = (unit.parent_id, target.metric)
            carrying.add((unit.id, target.metric))
        else:
            key = (target.unit_id, target.metric)
        sums[key] += target.value
        counts[key] += 1
    issues: list[tuple[int, str, ConsistencyIssueOut]] = []
    for target, unit in parents:
        key = (unit.id, target.metric)
        if not counts.get(key):
            continue
        total = _shape(target.metric, sums[key])
        value = _shape(target.metric, target.value)
        status: ConsistencyStatus = (
            "ok" if total == value else ("under" if total < value else "over")
        )
        if status == "ok" and not include_all:
            continue
        issues.append(
            (
                TARGET_METRICS.index(target.metric),
                unit.path,
                ConsistencyIssueOut(
                    target_id=target.id,
                    metric=target.metric,
                    unit=_unit_ref(unit),
                    value=value,
                    children_sum=total,
                    difference=_shape(target.metric, total - value),
                    children_with_target=counts[key],
                    children_without_target=[
                        _unit_ref(child)
                        for child in child_units.get(unit.id, [])
                        if (child.id, target.metric) not in carrying
                    ],
                    status=status,
                    currency=target.currency,
                ),
            )
        )
    issues.sort(key=lambda entry: entry[:2])
    return ConsistencyOut(period=_period_out(found), issues=[entry[2] for entry in issues])


# --- the fiscal-year setting -----------------------------------------------------------------


def fiscal_year(session: Session) -> FiscalYearOut:
    return FiscalYearOut(start_month=fiscal_start_month(session))


def set_fiscal_year(session: Session, scope: Scope, start_month: int) -> FiscalYearOut:
    """Store the start month on the group root (a group administrator only; audited as an
    org-unit change). Refused while quarter or year targets exist."""
    org_service.set_fiscal_year_start(session, scope, start_month, "start_month")
    return FiscalYearOut(start_month=start_month)


# --- export ----------------------------------------------------------------------------------


def _title(metric: str, locale: str) -> str:
    zh, en = METRIC_TITLES[metric]
    return en if locale == "en-US" else zh


def targets_sheet(result: TargetListOut, locale: str) -> Sheet:
    columns = [
        Column("metric", "指标", "Metric"),
        Column("period", "期间", "Period"),
        Column("unit", "组织单元", "Unit"),
        Column("assignee", "人员", "Person"),
        Column("value", "目标", "Target"),
        Column("actual", "完成", "Actual"),
        Column("ratio", "完成率", "Ratio"),
        Column("rank", "排名", "Rank"),
        Column("currency", "币种", "Currency"),
        Column("note", "备注", "Note"),
    ]
    rows = [
        {
            "metric": _title(item.metric, locale),
            "period": item.period.label,
            "unit": item.unit.name,
            "assignee": item.assignee.name if item.assignee else None,
            "value": item.value,
            "actual": item.achievement.actual,
            "ratio": item.achievement.ratio,
            "rank": item.rank,
            "currency": item.currency,
            "note": item.note,
        }
        for item in result.items
    ]
    return Sheet(title="targets", columns=columns, rows=rows)


def consistency_sheet(result: ConsistencyOut, locale: str) -> Sheet:
    columns = [
        Column("metric", "指标", "Metric"),
        Column("period", "期间", "Period"),
        Column("unit", "组织单元", "Unit"),
        Column("value", "目标", "Target"),
        Column("children_sum", "下级合计", "Children's sum"),
        Column("difference", "差额", "Difference"),
        Column("status", "状态", "Status"),
        Column("children_without_target", "未设目标的下级单元", "Child units without a target"),
    ]
    rows = [
        {
            "metric": _title(issue.metric, locale),
            "period": result.period.label,
            "unit": issue.unit.name,
            "value": issue.value,
            "children_sum": issue.children_sum,
            "difference": issue.difference,
            "status": issue.status,
            "children_without_target": [u.name for u in issue.children_without_target],
        }
        for issue in result.issues
    ]
    return Sheet(title="consistency", columns=columns, rows=rows)
