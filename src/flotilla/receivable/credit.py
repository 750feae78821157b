"""Credit control (信用管控): accounts with receivables overdue beyond a subsidiary's limit go
on credit hold there, and come off it as soon as they are back inside the limit.

A subsidiary's active ``CreditRule`` says ``max_overdue_days`` and ``min_overdue_amount``
(in the subsidiary's currency). An account is **on hold** in a subsidiary when

- one of its outstanding installments there is overdue by more than ``max_overdue_days``, and
- its overdue outstanding there (every installment past due, converted into the
  subsidiary's currency at the ``period_end`` rate of the review month) is at least
  ``min_overdue_amount``.

An amount in a currency without a rate for that month cannot be converted (never at 1): it
is left out of the overdue amount and named in the hold's reason. Receivables are the
installments of signed, active and completed contracts; "today" is the date in the
subsidiary's time zone.

The state is kept as ``CreditHold`` rows: at most one ``active`` hold per account and
subsidiary, whose figures are refreshed on every review; a hold that no longer applies is
``released`` (the row stays as history) and a later breach places a new one. Reviews in one
subsidiary are serialized by locking its rule row, so concurrent reviews (the daily job,
payments recorded at the same time) cannot place two holds.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from flotilla.core import clock, lookup
from flotilla.core.fx import RateTable
from flotilla.core.jobs import JobResult
from flotilla.models.ltc import CreditHold, CreditRule
from flotilla.models.org import OrgUnit
from flotilla.receivable import repository

DEFAULT_TIMEZONE = "Asia/Shanghai"
RATE_TYPE = "period_end"
REVIEW_BATCH_SIZE = 200
ZERO = Decimal("0.00")


def local_today(unit: OrgUnit | None, now: datetime) -> date:
    """The calendar date at ``now`` in the unit's time zone (the group default otherwise)."""
    name = (unit.timezone if unit is not None else None) or DEFAULT_TIMEZONE
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class Assessment:
    """What the rule says about one account in one subsidiary on one day."""

    on_hold: bool
    max_days_overdue: int
    overdue_amount: Decimal
    missing_rates: tuple[str, ...]
    reason: str


def assess(
    rule: CreditRule | None,
    rows: Sequence[Any],
    *,
    today: date,
    currency: str,
    rates: RateTable,
) -> Assessment:
    """Judge an account from its overdue rows (``overdue_by_account``: currency, oldest due
    date, overdue outstanding). Pure: the daily job and a single review decide alike."""
    max_days = max(((today - row.oldest_due_date).days for row in rows), default=0)
    amount = ZERO
    missing: list[str] = []
    for row in rows:
        converted = rates.convert(Decimal(row.overdue), row.currency, currency, today, RATE_TYPE)
        if converted is None:
            missing.append(row.currency)
        else:
            amount += converted
    on_hold = bool(
        rule is not None
        and rule.is_active
        and max_days > rule.max_overdue_days
        and amount >= rule.min_overdue_amount
    )
    reason = _reason(rule, max_days, amount, currency, missing) if on_hold else ""
    return Assessment(on_hold, max_days, amount, tuple(sorted(set(missing))), reason)


def _reason(
    rule: CreditRule | None, max_days: int, amount: Decimal, currency: str, missing: list[str]
) -> str:
    assert rule is not None
    text = (
        f"逾期超过 {rule.max_overdue_days} 天：最长逾期 {max_days} 天，"
        f"逾期金额 {currency} {amount}（起点 {rule.min_overdue_amount}）"
        f" / Overdue beyond {rule.max_overdue_days} days: {max_days} days, "
        f"{currency} {amount} overdue (threshold {rule.min_overdue_amount})"
    )
    if missing:
        codes = ", ".join(sorted(set(missing)))
        text += f"；未折算（无汇率）/ not converted (no rate): {codes}"
    return text[:500]


def _needs_change(assessment: Assessment, holds: Sequence[CreditHold]) -> bool:
    if not assessment.on_hold:
        return bool(holds)
    if len(holds) != 1:
        return True
    hold = holds[0]
    return (
        hold.max_days_overdue != assessment.max_days_overdue
        or hold.overdue_amount != assessment.overdue_amount
        or hold.reason != assessment.reason
    )


def _apply(
    session: Session,
    account_id: uuid.UUID,
    subsidiary_id: uuid.UUID,
    assessment: Assessment,
    holds: Sequence[CreditHold],
    now: datetime,
) -> tuple[CreditHold | None, str]:
    """Bring the account's holds in line with the assessment; says what changed."""
    if not assessment.on_hold:
        for hold in holds:
            hold.status = "released"
            hold.released_at = now
        return None, "released" if holds else "unchanged"
    if not _needs_change(assessment, holds):
        return holds[0], "unchanged"
    keep, extra = (holds[0], holds[1:]) if holds else (None, [])
    for duplicate in extra:  # never expected (reviews are serialized); heal it if found
        duplicate.status = "released"
        duplicate.released_at = now
    if keep is None:
        keep = CreditHold(
            account_id=account_id,
            subsidiary_id=subsidiary_id,
            status="active",
            placed_at=now,
            reason=assessment.reason,
            max_days_overdue=assessment.max_days_overdue,
            overdue_amount=assessment.overdue_amount,
        )
        session.add(keep)
        outcome = "placed"
    else:
        keep.reason = assessment.reason
        keep.max_days_overdue = assessment.max_days_overdue
        keep.overdue_amount = assessment.overdue_amount
        outcome = "updated"
    return keep, outcome


def _review(
    session: Session,
    account_id: uuid.UUID,
    subsidiary_id: uuid.UUID,
    today: date,
    now: datetime,
) -> tuple[CreditHold | None, str]:
    rule = repository.lock_rule(session, subsidiary_id)
    holds = repository.active_holds(session, subsidiary_id, account_id)
    rows = repository.overdue_by_account(session, subsidiary_id, today, account_id)
    if not rows and not holds:
        return None, "unchanged"
    subsidiary = lookup.unit_by_id(session, subsidiary_id)
    currency = (subsidiary.currency if subsidiary else None) or "CNY"
    rates = RateTable.load(session, {currency, *(r.currency for r in rows)}, [today], [RATE_TYPE])
    assessment = assess(rule, rows, today=today, currency=currency, rates=rates)
    result = _apply(session, account_id, subsidiary_id, assessment, holds, now)
    session.flush()
    return result


def review_account(
    session: Session,
    account_id: uuid.UUID,
    subsidiary_id: uuid.UUID,
    today: date,
    *,
    now: datetime | None = None,
) -> CreditHold | None:
    """Re-judge one account in one subsidiary as of ``today``: place, refresh or release its
    hold. Returns the active hold afterwards, or ``None`` when the account is not on hold.
    Idempotent; runs in the caller's transaction (it flushes, never commits)."""
    hold, _outcome = _review(session, account_id, subsidiary_id, today, now or clock.now())
    return hold


def review_after_payment(
    session: Session, account_id: uuid.UUID, subsidiary_ids: set[uuid.UUID]
) -> None:
    """Recording, allocating or reversing a payment re-judges the account at once in every
    subsidiary it touched, so a customer who pays comes off hold immediately."""
    now = clock.now()
    units = lookup.units_by_id(session, subsidiary_ids)
    for subsidiary_id in sorted(subsidiary_ids):
        review_account(
            session,
            account_id,
            subsidiary_id,
            local_today(units.get(subsidiary_id), now),
            now=now,
        )


def review_all(
    session: Session, now: datetime, *, batch_size: int = REVIEW_BATCH_SIZE
) -> JobResult:
    """The daily ``credit-review``: every account with overdue receivables in a subsidiary
    with an active rule, and every account on hold, is judged; those whose holds must change
    are reviewed, at most ``batch_size`` per call (``more`` asks for another call). Pairs
    already in line are left alone, so a second run the same day changes nothing."""
    pending: list[tuple[uuid.UUID, uuid.UUID, date]] = []
    rules = {rule.subsidiary_id: rule for rule in repository.active_rules(session)}
    held = set(repository.subsidiaries_with_active_holds(session))
    units = lookup.units_by_id(session, set(rules) | held)
    for subsidiary_id in sorted(set(rules) | held):
        unit = units.get(subsidiary_id)
        today = local_today(unit, now)
        currency = (unit.currency if unit else None) or "CNY"
        rule = rules.get(subsidiary_id)
        by_account: dict[uuid.UUID, list[Any]] = defaultdict(list)
        if rule is not None:
            for row in repository.overdue_by_account(session, subsidiary_id, today):
                by_account[row.account_id].append(row)
        holds: dict[uuid.UUID, list[CreditHold]] = defaultdict(list)
        if subsidiary_id in held:
            for hold in repository.active_holds(session, subsidiary_id):
                holds[hold.account_id].append(hold)
        codes = {currency, *(row.currency for rows in by_account.values() for row in rows)}
        rates = RateTable.load(session, codes, [today], [RATE_TYPE])
        for account_id in sorted(set(by_account) | set(holds)):
            assessment = assess(
                rule, by_account.get(account_id, []), today=today, currency=currency, rates=rates
            )
            if _needs_change(assessment, holds.get(account_id, [])):
                pending.append((account_id, subsidiary_id, today))
    counts: dict[str, int] = {}
    batch = pending[:batch_size]
    for account_id, subsidiary_id, today in batch:
        _hold, outcome = _review(session, account_id, subsidiary_id, today, now)
        if outcome != "unchanged":
            counts[outcome] = counts.get(outcome, 0) + 1
    return JobResult(processed=len(batch), more=len(pending) > len(batch), counts=counts)
