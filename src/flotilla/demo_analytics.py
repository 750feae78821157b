"""Demo targets and the derived analytics tables (activity roll-up, pipeline snapshots).

The targets are fitted to the demo's own facts on the day it is seeded, so the group
dashboard tells the same story whatever that day is:

- 北京 (BJ) is ahead of target (120 % to date), 上海 (SH) behind (65 %), 香港 (HK) about on
  track (98 %), 深圳 (SZ) close to target but with the group's worst overdue receivables (the
  lead-to-cash demo makes its customers pay late), and 新加坡 (SG) behind with **thin
  coverage**: its weighted open pipeline for the quarter covers only 40 % of the contract
  amount it still has to sign.
- Targets cascade group → subsidiaries → departments → teams → people (managers positioned in
  a department, reps in a team); children add up to their parent exactly, except one
  deliberate gap the consistency check reports: 上海's key-account team carries 10 % less
  contract amount than its share of the department's target.

How a value is made: every target is built per calendar month and summed into its quarter
and the fiscal year, so quarters add up to the year and months to their quarter at every
node. A subsidiary's month that has begun gets ``actual to date ÷ story ratio``; a month of a
later quarter gets the subsidiary's run rate (mean of the last 12 full months) ÷ the same
ratio; months of the current quarter that have not begun get nothing (no target row), so the
current quarter's achievement is the story ratio. Below the subsidiary a month's value splits
over the children in proportion to each child's own actual (run rate for a later quarter),
nudged by a fixed per-child weight so the league tables inside a subsidiary differ.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.activity import rollup
from flotilla.analytics.facts import achieved
from flotilla.analytics.repository import open_pipeline_rows
from flotilla.core import clock
from flotilla.core.fx import RateTable
from flotilla.core.period import (
    Period,
    add_months,
    fiscal_start_month,
    group_currency,
    period_containing,
)
from flotilla.core.scope import Reach, Scope, system_access
from flotilla.models.analytics import MONEY_METRICS, TARGET_METRICS, Target
from flotilla.models.identity import Role, RoleGrant, User
from flotilla.models.org import OrgUnit
from flotilla.pipeline import snapshot

SEED = 20261124
SNAPSHOT_WEEKS = 26
# Months of history a later quarter's run rate is the mean of.
RUN_RATE_MONTHS = 12
# A child with no actual yet still gets a small share: this part of its siblings' mean.
SHARE_FLOOR = Decimal("0.10")
# How much less contract amount 上海's key-account team carries than its share (the gap
# the consistency check reports on the targets screen).
MISMATCH_UNIT_CODE = "SH-KA-1"
MISMATCH_METRIC = "contract_amount"
MISMATCH_SHORTFALL = Decimal("0.10")
# The permissions the facts of the five target metrics are read through.
FACT_PERMISSIONS = (
    "contract.read",
    "payment.read",
    "account.read",
    "opportunity.read",
    "activity.read",
)


@dataclass(frozen=True)
class Story:
    """What a subsidiary's dashboard should show: achievement to date on every metric, and
    for a thin-coverage subsidiary the pipeline coverage of the current quarter's contract
    amount still to sign."""

    ratio: Decimal
    coverage: Decimal | None = None


STORIES: dict[str, Story] = {
    "BJ": Story(Decimal("1.20")),
    "SH": Story(Decimal("0.65")),
    "SZ": Story(Decimal("0.95")),
    "HK": Story(Decimal("0.98")),
    "SG": Story(Decimal("0.90"), coverage=Decimal("0.40")),
}
# With little open pipeline, thin coverage still needs something left to sign: at least this
# part of the quarter's actual stays as remaining target (coverage then falls below the story's).
MIN_REMAINING_SHARE = Decimal(1) / Decimal(3)


@dataclass
class _Node:
    """One assignee of the cascade: an org unit, or a person positioned in ``unit``."""

    unit: OrgUnit
    user: User | None = None
    children: list[_Node] = field(default_factory=list)

    @property
    def key(self) -> uuid.UUID:
        return self.user.id if self.user is not None else self.unit.id

    @property
    def code(self) -> str:
        return self.user.username if self.user is not None else self.unit.code

    @property
    def weight(self) -> Decimal:
        """A fixed nudge in [0.800, 1.250], so siblings do not all reach the same ratio."""
        return Decimal(random.Random(f"{SEED}:{self.code}").randint(800, 1250)) / 1000

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def seed_analytics_demo(session: Session) -> dict[str, int]:
    """Fill the derived tables from the bulk-loaded demo rows and set the group's targets.

    Expects the sales and lead-to-cash demo in this session, which runs as the system (so
    every target is audited as created by the system)."""
    today = clock.now().date()
    rollup_rows = rollup.rebuild(session)
    days = _snapshot_days(today)
    for day in days:
        snapshot.take(session, day, from_history=True)
    snapshot.take(session, today)
    session.flush()
    targets = _seed_targets(session, today)
    return {
        "target": targets,
        "activity_month": rollup_rows,
        "pipeline_snapshot_days": len(days) + 1,
    }


def _snapshot_days(today: date) -> list[date]:
    """Every Monday of the last ``SNAPSHOT_WEEKS`` weeks before today, oldest first."""
    last_monday = today - timedelta(days=today.weekday() or 7)
    return [last_monday - timedelta(weeks=w) for w in reversed(range(SNAPSHOT_WEEKS))]


# --- targets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """The fiscal periods the demo sets targets for, seen from the seeding day."""

    today: date
    start_month: int

    @property
    def year(self) -> Period:
        return period_containing("year", self.today, self.start_month)

    @property
    def quarter(self) -> Period:
        return period_containing("quarter", self.today, self.start_month)

    @property
    def current_month(self) -> date:
        return self.today.replace(day=1)

    @property
    def history(self) -> list[date]:
        """The full months a later quarter's run rate is measured over."""
        return [add_months(self.current_month, -n) for n in range(RUN_RATE_MONTHS, 0, -1)]

    def has_begun(self, month: date) -> bool:
        return month <= self.current_month

    def is_planned(self, month: date) -> bool:
        """Months of the year that carry a value: begun ones and those of later quarters
        (the current quarter is measured to date)."""
        return self.has_begun(month) or not self.quarter.contains(month)

    def target_periods(self) -> list[tuple[Period, list[date]]]:
        """Each period a target row is made for, with the months it sums: the year, its
        quarters and the current quarter's begun months."""
        periods: list[tuple[Period, list[date]]] = [(self.year, self.year.months)]
        for first in self.year.months[::3]:
            quarter = period_containing("quarter", first, self.start_month)
            periods.append((quarter, quarter.months))
        for month in self.quarter.months:
            if self.has_begun(month):
                periods.append((period_containing("month", month, self.start_month), [month]))
        return periods


def _seed_targets(session: Session, today: date) -> int:
    root = session.execute(
        system_access(select(OrgUnit).where(OrgUnit.parent_id.is_(None)))
    ).scalar_one()
    tree = _cascade_tree(session, root)
    if not tree.children:
        return 0
    calendar = _Calendar(today, fiscal_start_month(session))
    currency = group_currency(session)
    begun = [m for m in calendar.year.months if calendar.has_begun(m)]
    facts = _monthly_facts(session, tree, sorted({*calendar.history, *begun}), currency)
    remaining = _thin_coverage_remaining(session, tree, facts, calendar, currency)
    values: dict[tuple[str, date], dict[uuid.UUID, int]] = {}
    for metric in TARGET_METRICS:
        run_rate = _run_rate(facts[metric], calendar.history)
        fixed = _story_totals(tree, metric, facts[metric], calendar, remaining)
        for month in filter(calendar.is_planned, calendar.year.months):
            basis = facts[metric][month] if calendar.has_begun(month) else run_rate
            values[(metric, month)] = _month_values(tree, metric, month, basis, fixed)
    return _create_targets(session, tree, values, calendar, currency)


def _run_rate(
    facts: dict[date, dict[uuid.UUID, Decimal]], history: list[date]
) -> dict[uuid.UUID, Decimal]:
    keys = {key for month in history for key in facts[month]}
    return {
        key: sum((facts[m].get(key, Decimal(0)) for m in history), Decimal(0)) / len(history)
        for key in keys
    }


def _month_values(
    tree: _Node,
    metric: str,
    month: date,
    basis: dict[uuid.UUID, Decimal],
    fixed: dict[tuple[uuid.UUID, date], int],
) -> dict[uuid.UUID, int]:
    """Every assignee's value for one month: each subsidiary's from its story, split down
    its subtree; the group's is the sum of its subsidiaries'."""
    out: dict[uuid.UUID, int] = {}
    total = 0
    for sub in tree.children:
        value = fixed.get((sub.key, month))
        if value is None:
            value = _whole(basis.get(sub.key, Decimal(0)) / STORIES[sub.unit.code].ratio)
        _split_down(sub, value, metric, basis, out)
        total += value
    out[tree.key] = total
    return out


def _cascade_tree(session: Session, root: OrgUnit) -> _Node:
    """The group root over the demo subsidiaries, their units and the sellers seated in them
    (sales reps and managers: the people who own the demo's deals)."""
    units = list(
        session.execute(
            system_access(
                select(OrgUnit)
                .where(OrgUnit.path.startswith(root.path), OrgUnit.is_active.is_(True))
                .order_by(OrgUnit.depth, OrgUnit.code)
            )
        ).scalars()
    )
    sellers = session.execute(
        system_access(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .join(Role, Role.id == RoleGrant.role_id)
            .where(Role.code.in_(("sales_rep", "sales_manager")), User.is_active.is_(True))
            .order_by(User.username)
        )
    ).scalars()
    nodes = {unit.id: _Node(unit) for unit in units}
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        if parent is None:
            continue
        if parent.unit.id == root.id and (unit.kind != "subsidiary" or unit.code not in STORIES):
            continue  # the group office and any non-demo subsidiary carry no demo target
        parent.children.append(nodes[unit.id])
    seen: set[uuid.UUID] = set()
    for seller in sellers:
        seat = nodes.get(seller.primary_unit_id)
        # People carry targets from the department down, where the demo seats its sellers.
        if seat is None or seat.unit.kind in ("group", "subsidiary") or seller.id in seen:
            continue
        seat.children.append(_Node(seat.unit, seller))
        seen.add(seller.id)
    return nodes[root.id]


def _system_scope() -> Scope:
    """The whole group, for reading the facts targets are fitted to (a seeding job)."""
    return Scope(
        user_id=uuid.UUID(int=0),
        username="system",
        display_name="system",
        grants=(),
        reaches={permission: Reach(everything=True) for permission in FACT_PERMISSIONS},
    )


def _monthly_facts(
    session: Session, tree: _Node, months: Sequence[date], currency: str
) -> dict[str, dict[date, dict[uuid.UUID, Decimal]]]:
    """metric → month → assignee key → actual (units: their subtree; people: rows they own),
    by the analytics definitions (``flotilla.analytics.facts``)."""
    scope = _system_scope()
    nodes = list(tree.walk())
    unit_ids = [n.unit.id for n in nodes if n.user is None]
    owner_ids = [n.user.id for n in nodes if n.user is not None]
    facts: dict[str, dict[date, dict[uuid.UUID, Decimal]]] = defaultdict(dict)
    for metric in TARGET_METRICS:
        for month in months:
            result = achieved(
                session,
                scope,
                metric,
                month,
                add_months(month, 1),
                currency,
                unit_ids=unit_ids,
                owner_ids=owner_ids,
            )
            facts[metric][month] = {**result.by_unit, **result.by_owner}
    return facts


def _weighted_open_pipeline(
    session: Session, subsidiary: OrgUnit, quarter: Period, today: date, currency: str
) -> Decimal:
    """Σ amount × stage probability of the subsidiary's open deals expected to close in the
    quarter, at the period-end rate of today's month: the KPI's weighted pipeline, read
    through the same repository query (a group without a rate counts nothing, as there)."""
    rows = open_pipeline_rows(
        session, _system_scope(), quarter.start, quarter.end, paths=[subsidiary.path]
    )
    rates = RateTable.load(
        session, {currency, *(r.currency for r in rows)}, [today], ["period_end"]
    )
    total = Decimal(0)
    for row in rows:
        weighted = Decimal(int(row.weighted_cents or 0)) / 10_000
        converted = rates.convert(weighted, row.currency, currency, today, "period_end")
        total += converted or Decimal(0)
    return total


def _thin_coverage_remaining(
    session: Session,
    tree: _Node,
    facts: dict[str, dict[date, dict[uuid.UUID, Decimal]]],
    calendar: _Calendar,
    currency: str,
) -> dict[uuid.UUID, Decimal]:
    """subsidiary → contract amount still to sign this quarter, sized so its weighted open
    pipeline covers only the story's share of it."""
    remaining: dict[uuid.UUID, Decimal] = {}
    begun = [m for m in calendar.quarter.months if calendar.has_begun(m)]
    for sub in tree.children:
        coverage = STORIES[sub.unit.code].coverage
        if coverage is None:
            continue
        signed = [facts["contract_amount"][m].get(sub.key, Decimal(0)) for m in begun]
        weighted = _weighted_open_pipeline(
            session, sub.unit, calendar.quarter, calendar.today, currency
        )
        remaining[sub.key] = max(weighted / coverage, sum(signed) * MIN_REMAINING_SHARE)
    return remaining


def _story_totals(
    tree: _Node,
    metric: str,
    facts: dict[date, dict[uuid.UUID, Decimal]],
    calendar: _Calendar,
    remaining: dict[uuid.UUID, Decimal],
) -> dict[tuple[uuid.UUID, date], int]:
    """Month values that do not follow ``actual ÷ ratio``: a thin-coverage subsidiary's
    contract amount this quarter is its actual plus the remaining target, spread over the
    begun months like the actual."""
    if metric != "contract_amount":
        return {}
    begun = [m for m in calendar.quarter.months if calendar.has_begun(m)]
    totals: dict[tuple[uuid.UUID, date], int] = {}
    for sub in tree.children:
        if sub.key not in remaining:
            continue
        actuals = [facts[m].get(sub.key, Decimal(0)) for m in begun]
        total = _whole(sum(actuals, Decimal(0)) + remaining[sub.key])
        for month, part in zip(begun, _split(total, actuals), strict=True):
            totals[(sub.key, month)] = part
    return totals


def _split_down(
    node: _Node,
    value: int,
    metric: str,
    basis: dict[uuid.UUID, Decimal],
    out: dict[uuid.UUID, int],
) -> None:
    """Give ``node`` the value and split it over its children (exactly, except the one
    deliberate gap)."""
    out[node.key] = value
    if not node.children:
        return
    actuals = [basis.get(child.key, Decimal(0)) for child in node.children]
    floor = SHARE_FLOOR * sum(actuals, Decimal(0)) / len(actuals)
    weights = [(a + floor) * child.weight for a, child in zip(actuals, node.children, strict=True)]
    for child, part in zip(node.children, _split(value, weights), strict=True):
        if _is_deliberate_gap(child, metric):
            part -= _whole(part * MISMATCH_SHORTFALL)
        _split_down(child, part, metric, basis, out)


def _is_deliberate_gap(node: _Node, metric: str) -> bool:
    return metric == MISMATCH_METRIC and node.user is None and node.unit.code == MISMATCH_UNIT_CODE


def _split(total: int, weights: Sequence[Decimal]) -> list[int]:
    """Whole parts of ``total`` in proportion to ``weights`` that add up to it exactly
    (largest remainder; equal shares when every weight is zero)."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [Decimal(1)] * len(weights)
    whole = sum(weights, Decimal(0))
    raw = [Decimal(total) * w / whole for w in weights]
    parts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _whole(amount: Decimal) -> int:
    """Whole yuan (or whole units for counts), half up."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _create_targets(
    session: Session,
    tree: _Node,
    values: dict[tuple[str, date], dict[uuid.UUID, int]],
    calendar: _Calendar,
    currency: str,
) -> int:
    """Target rows through the ORM, so each is on the audit trail."""
    periods = calendar.target_periods()
    taken = _existing_root_targets(session, tree.unit)
    created = 0
    for node in tree.walk():
        for metric in TARGET_METRICS:
            for period, months in periods:
                key = (metric, period.kind, period.start, node.unit.id, _assignee_key(node))
                if key in taken:
                    continue
                value = sum(values.get((metric, m), {}).get(node.key, 0) for m in months)
                session.add(
                    Target(
                        metric=metric,
                        period_kind=period.kind,
                        period_start=period.start,
                        unit_id=node.unit.id,
                        # The group root has no subsidiary: its rows carry its own id.
                        subsidiary_id=node.unit.subsidiary_id or node.unit.id,
                        owner_id=node.user.id if node.user is not None else None,
                        assignee_user_id=node.user.id if node.user is not None else None,
                        assignee_key=_assignee_key(node),
                        value=Decimal(value),
                        currency=currency if metric in MONEY_METRICS else None,
                    )
                )
                created += 1
    session.flush()
    return created


def _assignee_key(node: _Node) -> str:
    return node.user.id.hex if node.user is not None else ""


def _existing_root_targets(
    session: Session, root: OrgUnit
) -> set[tuple[str, str, date, uuid.UUID, str]]:
    """The group root may predate the demo (``demo --force``) and carry targets already."""
    rows = session.execute(
        system_access(
            select(
                Target.metric,
                Target.period_kind,
                Target.period_start,
                Target.unit_id,
                Target.assignee_key,
            ).where(Target.unit_id == root.id)
        )
    ).all()
    return {(r[0], r[1], r[2], r[3], r[4]) for r in rows}
