"""All queries of the analytics feature.

Every read of business data starts from ``Scope.restrict`` with the read permission of the
table it reads (``contract.read``, ``payment.read``, ``account.read``, ``opportunity.read``,
``activity.read``); org units are read through ``analytics.read``. Each query is one
``GROUP BY`` over the owning unit (with its materialized path, so the caller can roll units up
into subtrees without another query), the owner, the currency and the month where those
matter: the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    String,
    and_,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from flotilla.core.money import MoneyType
from flotilla.core.scope import Scope, system_access
from flotilla.models.analytics import ActivityMonth, Target
from flotilla.models.customer import Account
from flotilla.models.identity import Position, User
from flotilla.models.ltc import Contract, Payment, PaymentInstallment
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, ProcessStage
from flotilla.opportunity.repository import stalled_condition
from flotilla.receivable import aging
from flotilla.receivable.repository import (
    HAS_OUTSTANDING,
    OUTSTANDING_CENTS,
    RECEIVABLE_CONTRACT_STATUSES,
)

ANALYTICS_READ = "analytics.read"
TARGET_READ = "target.read"
USER_READ = "analytics.read"

# Contracts count as signed business while in force or done (a terminated contract does not).
SIGNED_CONTRACT_STATUSES = ("signed", "active", "completed")


# --- portable SQL helpers -----------------------------------------------------------------


class year_month(FunctionElement[str]):
    """``'YYYY-MM'`` of a date or a UTC timestamp, on SQLite and PostgreSQL."""

    type = String()
    name = "year_month"
    inherit_cache = True


@compiles(year_month)
def _year_month_sqlite(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps dates as 'YYYY-MM-DD' and UTC timestamps as 'YYYY-MM-DD HH:MM:SS…'.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses.clauses
    inner = compiler.process(column, **kw)
    column_type = getattr(column, "type", None)
    if isinstance(getattr(column_type, "impl", column_type), DateTime):
        # timestamptz: take the month in UTC, whatever the session's TimeZone is.
        inner = f"timezone('UTC', {inner})"
    return f"to_char({inner}, 'YYYY-MM')"


class days_between(FunctionElement[Any]):
    """Elapsed days (fractional) from the first timestamp to the second."""

    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = element.clauses.clauses
    later, earlier = compiler.process(end, **kw), compiler.process(start, **kw)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = element.clauses.clauses
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


def month_of(key: str | date) -> date:
    """The first day of the month a ``year_month`` value (or a month date) names."""
    if isinstance(key, date):
        return key.replace(day=1)
    return date(int(key[0:4]), int(key[5:7]), 1)


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _in_subtrees(
    unit_path: Any, owner_column: Any, paths: Sequence[str], owners: Sequence[Any]
) -> Any:
    """Rows in any of the subtrees ``paths`` or owned by any of ``owners``; ``None`` when
    neither narrows anything (every row the scope lets through counts)."""
    conditions: list[Any] = [unit_path.startswith(p) for p in sorted(set(paths))]
    if owners:
        conditions.append(owner_column.in_(sorted(set(owners))))
    return or_(*conditions) if conditions else None


# --- the facts behind the target metrics --------------------------------------------------


def _grouped(
    stmt: Select[*tuple[Any, ...]],
    model: Any,
    *,
    scope: Scope,
    permission: str,
    paths: Sequence[str],
    owners: Sequence[uuid.UUID],
    group_by: Sequence[Any],
) -> Select[*tuple[Any, ...]]:
    stmt = stmt.join(OrgUnit, OrgUnit.id == model.unit_id).group_by(
        model.unit_id, OrgUnit.path, model.owner_id, *group_by
    )
    narrowing = _in_subtrees(OrgUnit.path, model.owner_id, paths, owners)
    if narrowing is not None:
        stmt = stmt.where(narrowing)
    return scope.restrict(stmt, model, permission)


def fact_rows(
    session: Session,
    scope: Scope,
    metric: str,
    start: date,
    end: date,
    *,
    paths: Sequence[str] = (),
    owners: Sequence[uuid.UUID] = (),
) -> list[tuple[uuid.UUID, str, uuid.UUID | None, str | None, date, Any]]:
    """``(unit_id, unit_path, owner_id, currency, month, value)`` for one metric between
    ``start`` (inclusive) and ``end`` (exclusive): one GROUP BY query. ``value`` is a money
    sum (Decimal) for money metrics and a count otherwise; ``currency`` is ``None`` for
    counts. Only rows in the subtrees ``paths`` or owned by ``owners`` are read (all the
    scope reaches when both are empty)."""
    stmt: Select[*tuple[Any, ...]]
    if metric == "contract_amount":
        month = year_month(Contract.signing_date)
        stmt = select(
            Contract.unit_id,
            OrgUnit.path,
            Contract.owner_id,
            Contract.currency,
            month,
            type_coerce(func.sum(Contract.amount), MoneyType()),
        ).where(
            Contract.status.in_(SIGNED_CONTRACT_STATUSES),
            Contract.signing_date >= start,
            Contract.signing_date < end,
        )
        stmt = _grouped(
            stmt,
            Contract,
            scope=scope,
            permission="contract.read",
            paths=paths,
            owners=owners,
            group_by=(Contract.currency, month),
        )
    elif metric == "payment_collected":
        month = year_month(Payment.received_on)
        stmt = select(
            Payment.unit_id,
            OrgUnit.path,
            Payment.owner_id,
            Payment.currency,
            month,
            type_coerce(func.sum(Payment.amount), MoneyType()),
        ).where(
            Payment.status == "recorded",
            Payment.received_on >= start,
            Payment.received_on < end,
        )
        stmt = _grouped(
            stmt,
            Payment,
            scope=scope,
            permission="payment.read",
            paths=paths,
            owners=owners,
            group_by=(Payment.currency, month),
        )
    elif metric == "new_customers":
        month = year_month(Account.created_at)
        stmt = select(
            Account.unit_id,
            OrgUnit.path,
            Account.owner_id,
            literal(None, String()),
            month,
            func.count(),
        ).where(
            Account.created_at >= utc_midnight(start),
            Account.created_at < utc_midnight(end),
        )
        stmt = _grouped(
            stmt,
            Account,
            scope=scope,
            permission="account.read",
            paths=paths,
            owners=owners,
            group_by=(month,),
        )
    elif metric in ("won_deals", "won_amount"):
        month = year_month(Opportunity.closed_at)
        value: Any = (
            func.count()
            if metric == "won_deals"
            else type_coerce(func.sum(Opportunity.amount), MoneyType())
        )
        currency: Any = literal(None, String()) if metric == "won_deals" else Opportunity.currency
        stmt = select(
            Opportunity.unit_id, OrgUnit.path, Opportunity.owner_id, currency, month, value
        ).where(
            Opportunity.status == "won",
            Opportunity.closed_at >= utc_midnight(start),
            Opportunity.closed_at < utc_midnight(end),
        )
        extra = (month,) if metric == "won_deals" else (Opportunity.currency, month)
        stmt = _grouped(
            stmt,
            Opportunity,
            scope=scope,
            permission="opportunity.read",
            paths=paths,
            owners=owners,
            group_by=extra,
        )
    elif metric == "activities":
        stmt = (
            select(
                ActivityMonth.unit_id,
                OrgUnit.path,
                ActivityMonth.owner_id,
                literal(None, String()),
                ActivityMonth.month,
                func.sum(ActivityMonth.count),
            )
            .join(OrgUnit, OrgUnit.id == ActivityMonth.unit_id)
            .where(ActivityMonth.month >= start, ActivityMonth.month < end)
            .group_by(
                ActivityMonth.unit_id, OrgUnit.path, ActivityMonth.owner_id, ActivityMonth.month
            )
        )
        narrowing = _in_subtrees(OrgUnit.path, ActivityMonth.owner_id, paths, owners)
        if narrowing is not None:
            stmt = stmt.where(narrowing)
        stmt = scope.restrict(stmt, ActivityMonth, "activity.read")
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return [
        (row[0], row[1], row[2], row[3], month_of(row[4]), row[5])
        for row in session.execute(stmt).all()
    ]


# --- deals: closed, open pipeline, stalled -------------------------------------------------


def closed_deal_rows(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    *,
    paths: Sequence[str],
    owners: Sequence[uuid.UUID] = (),
) -> list[Any]:
    """Won and lost deals closed in ``[start, end)`` by unit, owner, status, currency and
    close month: ``deals``, ``amount`` (money) and ``days`` (Σ days from creation to close)."""
    month = year_month(Opportunity.closed_at)
    stmt = select(
        Opportunity.unit_id.label("unit_id"),
        OrgUnit.path.label("path"),
        Opportunity.owner_id.label("owner_id"),
        Opportunity.status.label("status"),
        Opportunity.currency.label("currency"),
        month.label("month"),
        func.count().label("deals"),
        type_coerce(func.sum(Opportunity.amount), MoneyType()).label("amount"),
        func.sum(days_between(Opportunity.created_at, Opportunity.closed_at)).label("days"),
    ).where(
        Opportunity.status.in_(("won", "lost")),
        Opportunity.closed_at >= utc_midnight(start),
        Opportunity.closed_at < utc_midnight(end),
    )
    stmt = _grouped(
        stmt,
        Opportunity,
        scope=scope,
        permission="opportunity.read",
        paths=paths,
        owners=owners,
        group_by=(Opportunity.status, Opportunity.currency, month),
    )
    return list(session.execute(stmt).all())


def open_pipeline_rows(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    *,
    paths: Sequence[str],
    owners: Sequence[uuid.UUID] = (),
) -> list[Any]:
    """Open deals expected to close in ``[start, end)`` by unit, owner and currency:
    ``amount`` (money) and ``weighted_cents`` (Σ amount in hundredths × stage probability
    in percent, so ÷ 10 000 gives the weighted money exactly)."""
    stmt = (
        select(
            Opportunity.unit_id.label("unit_id"),
            OrgUnit.path.label("path"),
            Opportunity.owner_id.label("owner_id"),
            Opportunity.currency.label("currency"),
            type_coerce(func.sum(Opportunity.amount), MoneyType()).label("amount"),
            func.sum(Opportunity.amount * ProcessStage.probability).label("weighted_cents"),
        )
        .join(ProcessStage, ProcessStage.id == Opportunity.stage_id)
        .where(
            Opportunity.status == "open",
            Opportunity.expected_close_date >= start,
            Opportunity.expected_close_date < end,
        )
    )
    stmt = _grouped(
        stmt,
        Opportunity,
        scope=scope,
        permission="opportunity.read",
        paths=paths,
        owners=owners,
        group_by=(Opportunity.currency,),
    )
    return list(session.execute(stmt).all())


def stalled_deal_rows(
    session: Session,
    scope: Scope,
    now: datetime,
    *,
    paths: Sequence[str],
    owners: Sequence[uuid.UUID] = (),
) -> list[Any]:
    """Stalled deals (the opportunity list's ``stalled=true``) counted by unit and owner."""
    stmt = select(
        Opportunity.unit_id.label("unit_id"),
        OrgUnit.path.label("path"),
        Opportunity.owner_id.label("owner_id"),
        func.count().label("deals"),
    ).where(stalled_condition(session, now))
    stmt = _grouped(
        stmt,
        Opportunity,
        scope=scope,
        permission="opportunity.read",
        paths=paths,
        owners=owners,
        group_by=(),
    )
    return list(session.execute(stmt).all())


# --- receivables ---------------------------------------------------------------------------


def aging_rows(
    session: Session,
    scope: Scope,
    as_of: date,
    *,
    paths: Sequence[str],
    owners: Sequence[uuid.UUID] = (),
) -> list[Any]:
    """Outstanding receivables by unit, owner and currency with one ``SUM(CASE …)`` column
    per aging bucket (the receivable aging kernel: ``aging.bucket_sums`` over the same
    receivable definition as the receivables list)."""
    stmt = (
        select(
            PaymentInstallment.unit_id.label("unit_id"),
            OrgUnit.path.label("path"),
            PaymentInstallment.owner_id.label("owner_id"),
            PaymentInstallment.currency.label("currency"),
            *aging.bucket_sums(PaymentInstallment.due_date, OUTSTANDING_CENTS, as_of),
        )
        .join(Contract, Contract.id == PaymentInstallment.contract_id)
        .where(HAS_OUTSTANDING, Contract.status.in_(RECEIVABLE_CONTRACT_STATUSES))
    )
    stmt = _grouped(
        stmt,
        PaymentInstallment,
        scope=scope,
        permission="payment.read",
        paths=paths,
        owners=owners,
        group_by=(PaymentInstallment.currency,),
    )
    return list(session.execute(stmt).all())


# --- units, people, targets ----------------------------------------------------------------


def unit_paths(session: Session, unit_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Materialized paths of units the caller named (the tree's shape, not business data)."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    stmt = select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(wanted))
    return {row[0]: row[1] for row in session.execute(system_access(stmt))}


def child_units(session: Session, scope: Scope, parent_id: uuid.UUID) -> list[OrgUnit]:
    """Active children of a unit that ``analytics.read`` reaches, by code."""
    stmt = (
        select(OrgUnit)
        .where(OrgUnit.parent_id == parent_id, OrgUnit.is_active.is_(True))
        .order_by(OrgUnit.code, OrgUnit.id)
    )
    return list(session.execute(scope.restrict(stmt, OrgUnit, ANALYTICS_READ)).scalars())


def people_in(session: Session, scope: Scope, unit_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """Active people holding a position directly in the unit, as ``(id, display name)``."""
    holds = select(Position.user_id).where(Position.unit_id == unit_id)
    stmt = (
        select(User.id, User.display_name)
        .where(User.id.in_(holds), User.is_active.is_(True))
        .order_by(User.display_name, User.id)
    )
    return [(row[0], row[1]) for row in session.execute(scope.restrict(stmt, User, USER_READ))]


def targets_for(
    session: Session,
    scope: Scope,
    *,
    period_kind: str,
    period_start: date,
    unit_ids: Sequence[uuid.UUID],
    user_ids: Sequence[uuid.UUID],
) -> list[Target]:
    """Unit targets of ``unit_ids`` and person targets of ``user_ids`` for one period that
    ``target.read`` reaches."""
    whom: list[ColumnElement[bool]] = []
    if unit_ids:
        whom.append(
            and_(Target.unit_id.in_(sorted(set(unit_ids))), Target.assignee_user_id.is_(None))
        )
    if user_ids:
        whom.append(Target.assignee_user_id.in_(sorted(set(user_ids))))
    if not whom:
        return []
    stmt = (
        select(Target)
        .where(
            Target.period_kind == period_kind,
            Target.period_start == period_start,
            or_(*whom),
        )
        .order_by(Target.created_at, Target.id)
    )
    return list(session.execute(scope.restrict(stmt, Target, TARGET_READ)).scalars())
