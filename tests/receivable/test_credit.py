"""Credit control: rules per subsidiary, holds placed by the daily review, released by a
payment. Figures come from the worked example (``tests.fixtures.receivable.Example``): as of
2026-06-30, account X owes ¥20,000 (10 days), ¥30,000 (61), ¥40,000 (150) and ¥50,000
(211 days) overdue — ¥140,000 — plus ¥10,000 not yet due."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import clock
from flotilla.core.jobs import JobReport, get_job, run_job
from flotilla.models.ltc import CreditHold
from flotilla.receivable import credit
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.receivable import (
    AS_OF,
    AS_OF_NOON,
    Example,
    grant,
    make_credit_rule,
    make_example,
    make_rate,
)

RULES = "/api/v1/credit-rules"
HOLDS = "/api/v1/credit-holds"


def review(session_factory: sessionmaker[Session], now: datetime = AS_OF_NOON) -> JobReport:
    return run_job(session_factory, "credit-review", now=now)


def holds(db: Session, status: str | None = None) -> list[CreditHold]:
    db.expire_all()
    stmt = select(CreditHold).order_by(CreditHold.placed_at, CreditHold.id)
    if status is not None:
        stmt = stmt.where(CreditHold.status == status)
    return list(db.execute(stmt).scalars())


@pytest.fixture
def arranged(db: Session) -> tuple[World, Example]:
    world = make_world(db)
    example = make_example(db, world)
    make_credit_rule(db, world.sub_a, max_overdue_days=90, min_overdue_amount="50000")
    db.commit()
    return world, example


def test_the_job_is_registered_daily() -> None:
    definition = get_job("credit-review")
    assert definition.schedule == "20 18 * * *"


def test_the_review_puts_an_account_on_hold_once_and_a_payment_releases_it(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    arranged: tuple[World, Example],
) -> None:
    world, example = arranged
    first = review(session_factory)
    assert (first.processed, first.counts) == (1, {"placed": 1})
    [hold] = holds(db)
    assert (hold.account_id, hold.subsidiary_id, hold.status) == (
        example.x.id,
        world.sub_a.id,
        "active",
    )
    # Oldest: 2025-12-01 → 211 days; overdue: 20,000 + 30,000 + 40,000 + 50,000.
    assert (hold.max_days_overdue, hold.overdue_amount) == (211, Decimal("140000.00"))
    assert "211" in hold.reason and "CNY 140000.00" in hold.reason
    assert hold.placed_at == AS_OF_NOON
    # Y (29 days) is inside the limit; Z's subsidiary B has no rule.

    second = review(session_factory)
    assert (second.processed, second.counts) == (0, {})
    [same] = holds(db)
    assert (same.id, same.version) == (hold.id, hold.version)

    _finance, finance = as_user(client, db, world.sub_a, "finance")
    with clock.frozen_at(AS_OF_NOON):
        partial = client.post(
            "/api/v1/payments",
            json={
                "account_id": str(example.x.id),
                "amount": "10000",
                "currency": "CNY",
                "received_on": "2026-06-30",
                "allocations": [{"installment_id": str(example.i5.id), "amount": "10000"}],
            },
            headers=finance,
        )
        assert partial.status_code == 201, partial.text
        [refreshed] = holds(db, "active")
        assert (refreshed.id, refreshed.overdue_amount) == (hold.id, Decimal("130000.00"))
        assert refreshed.max_days_overdue == 211

        paid = client.post(
            "/api/v1/payments",
            json={
                "account_id": str(example.x.id),
                "amount": "80000",
                "currency": "CNY",
                "received_on": "2026-06-30",
                "allocations": [
                    {"installment_id": str(example.i5.id), "amount": "40000"},
                    {"installment_id": str(example.i4.id), "amount": "40000"},
                ],
            },
            headers=finance,
        )
        assert paid.status_code == 201, paid.text
    # Left overdue: 61 days at most — inside the 90-day limit, so the hold ends at once.
    [released] = holds(db)
    assert (released.status, released.released_at) == ("released", AS_OF_NOON)
    assert review(session_factory).processed == 0

    listed = client.get(HOLDS, params={"status": "released"}, headers=finance).json()
    assert [h["id"] for h in listed["items"]] == [str(hold.id)]
    assert client.get(HOLDS, params={"status": "active"}, headers=finance).json()["items"] == []


def test_reversing_the_payment_puts_the_account_back_on_hold(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    arranged: tuple[World, Example],
) -> None:
    world, example = arranged
    review(session_factory)
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    with clock.frozen_at(AS_OF_NOON):
        paid = client.post(
            "/api/v1/payments",
            json={
                "account_id": str(example.x.id),
                "amount": "90000",
                "currency": "CNY",
                "received_on": "2026-06-30",
                "auto_allocate": True,
            },
            headers=finance,
        ).json()
        assert holds(db, "active") == []
        client.post(
            f"/api/v1/payments/{paid['id']}/reverse", json={"reason": "退票"}, headers=finance
        )
    [old, new] = holds(db)
    assert (old.status, new.status) == ("released", "active")
    assert new.overdue_amount == Decimal("140000.00")


@pytest.mark.parametrize(
    ("max_days", "min_amount", "on_hold"),
    [(210, "140000", True), (211, "0", False), (90, "140000.01", False), (0, "0", True)],
)
def test_the_limits_are_more_than_max_days_and_at_least_min_amount(
    db: Session,
    session_factory: sessionmaker[Session],
    max_days: int,
    min_amount: str,
    on_hold: bool,
) -> None:
    world = make_world(db)
    example = make_example(db, world)
    make_credit_rule(db, world.sub_a, max_overdue_days=max_days, min_overdue_amount=min_amount)
    db.commit()
    review(session_factory)
    held = {h.account_id for h in holds(db, "active")}
    assert (example.x.id in held) is on_hold
    # With no limit at all, Y (29 days, ¥8,000) is on hold as well.
    assert (example.y.id in held) is (max_days == 0)


def test_a_deactivated_rule_releases_its_holds_on_the_next_review(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    arranged: tuple[World, Example],
) -> None:
    world, _example = arranged
    review(session_factory)
    _admin, headers = as_user(client, db, world.sub_a, "finance")
    rule = client.get(f"{RULES}/{world.sub_a.id}", headers=headers).json()
    off = client.put(
        f"{RULES}/{world.sub_a.id}",
        json={
            "max_overdue_days": 90,
            "min_overdue_amount": "50000",
            "is_active": False,
            "version": rule["version"],
        },
        headers=headers,
    )
    assert off.status_code == 200, off.text
    report = review(session_factory)
    assert report.counts == {"released": 1}
    assert holds(db, "active") == []


def test_foreign_currency_overdue_is_converted_and_missing_rates_are_named(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    world = make_world(db)
    example = make_example(db, world)
    # Subsidiary B keeps its books in HKD: HK$100,000 at 91 days, US$1,000 at 1 day.
    make_credit_rule(db, world.sub_b, max_overdue_days=60, min_overdue_amount="100000")
    db.commit()
    review(session_factory)
    [hold] = holds(db, "active")
    assert (hold.account_id, hold.subsidiary_id) == (example.z.id, world.sub_b.id)
    assert (hold.max_days_overdue, hold.overdue_amount) == (91, Decimal("100000.00"))
    assert "USD" in hold.reason  # not converted: no USD rate for June 2026

    make_rate(db, "USD", "HKD", AS_OF, "7.8")
    db.commit()
    assert review(session_factory).counts == {"updated": 1}
    [updated] = holds(db, "active")
    assert (updated.id, updated.overdue_amount) == (hold.id, Decimal("107800.00"))
    assert "USD" not in updated.reason


def test_review_account_returns_the_hold_and_today_is_local(
    db: Session, arranged: tuple[World, Example]
) -> None:
    world, example = arranged
    hold = credit.review_account(db, example.x.id, world.sub_a.id, AS_OF, now=AS_OF_NOON)
    assert hold is not None and hold.max_days_overdue == 211
    assert credit.review_account(db, example.y.id, world.sub_a.id, AS_OF) is None
    # Reviewing on 2025-11-30, before anything was overdue beyond 90 days, releases it.
    assert credit.review_account(db, example.x.id, world.sub_a.id, date(2025, 11, 30)) is None
    # 17:00 UTC on 30 June is already 1 July in Beijing.
    evening = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    assert credit.local_today(world.sub_a, evening) == date(2026, 7, 1)
    assert credit.local_today(None, AS_OF_NOON) == AS_OF


def test_credit_holds_are_seen_through_the_account(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    arranged: tuple[World, Example],
) -> None:
    world, example = arranged
    review(session_factory)
    [hold] = holds(db, "active")

    _director_a, director_a = as_user(client, db, world.sub_a, "sales_director")
    listed = client.get(HOLDS, params={"include_total": "true"}, headers=director_a).json()
    assert [h["id"] for h in listed["items"]] == [str(hold.id)]
    assert listed["total"] == 1
    item = listed["items"][0]
    assert (item["account_name"], item["subsidiary_name"], item["currency"]) == (
        "星河科技有限公司",
        "甲子公司",
        "CNY",
    )
    assert item["overdue_amount"] == "140000.00"
    filtered = client.get(
        HOLDS, params={"subsidiary_id": str(world.sub_b.id)}, headers=director_a
    ).json()
    assert filtered["items"] == []

    _director_b, director_b = as_user(client, db, world.sub_b, "sales_director")
    assert client.get(HOLDS, headers=director_b).json()["items"] == []
    _nobody, nobody = as_user(client, db, world.team_a, None)
    empty = client.get(HOLDS, params={"include_total": "true"}, headers=nobody).json()
    assert (empty["items"], empty["total"]) == ([], 0)

    credit_view = client.get(f"/api/v1/accounts/{example.x.id}/credit", headers=director_a)
    assert credit_view.status_code == 200, credit_view.text
    body = credit_view.json()
    assert body["on_hold"] is True
    assert [h["id"] for h in body["holds"]] == [str(hold.id)]
    assert body["aging"]["group_by"] == "subsidiary"
    assert (
        client.get(f"/api/v1/accounts/{example.x.id}/credit", headers=director_b).status_code == 404
    )


def test_credit_rules_are_read_where_payments_are_and_set_with_credit_admin(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    finance_user, finance = as_user(client, db, world.sub_a, "finance")

    listed = client.get(RULES, headers=finance).json()
    assert [(r["subsidiary_id"], r["configured"], r["is_active"]) for r in listed["items"]] == [
        (str(world.sub_a.id), False, False)
    ]
    created = client.put(
        f"{RULES}/{world.sub_a.id}",
        json={"max_overdue_days": 60, "min_overdue_amount": "20000.50"},
        headers=finance,
    )
    assert created.status_code == 200, created.text
    assert (created.json()["configured"], created.json()["version"]) == (True, 1)
    assert created.json()["min_overdue_amount"] == "20000.50"
    stale = client.put(f"{RULES}/{world.sub_a.id}", json={"max_overdue_days": 30}, headers=finance)
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "version_conflict")
    updated = client.put(
        f"{RULES}/{world.sub_a.id}", json={"max_overdue_days": 30, "version": 1}, headers=finance
    )
    assert (updated.json()["max_overdue_days"], updated.json()["version"]) == (30, 2)
    bad = client.put(f"{RULES}/{world.sub_a.id}", json={"max_overdue_days": -1}, headers=finance)
    assert bad.status_code == 422

    # A manager of one department still reads their subsidiary's rule; a director without
    # credit.admin may not change it; subsidiary B's rule is not A's business.
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
    assert [r["max_overdue_days"] for r in client.get(RULES, headers=manager).json()["items"]] == [
        30
    ]
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    forbidden = client.put(
        f"{RULES}/{world.sub_a.id}", json={"max_overdue_days": 1}, headers=director
    )
    assert forbidden.status_code == 403
    assert (
        client.put(
            f"{RULES}/{world.sub_b.id}", json={"max_overdue_days": 1}, headers=finance
        ).status_code
        == 404
    )
    assert client.get(f"{RULES}/{world.sub_b.id}", headers=finance).status_code == 404
    assert (
        client.put(
            f"{RULES}/{world.dept_a.id}", json={"max_overdue_days": 1}, headers=finance
        ).status_code
        == 404
    )
    # Reading B (as a group auditor too) without credit.admin there: 403 out_of_scope.
    grant(db, finance_user, "auditor", world.group)
    db.commit()
    assert len(client.get(RULES, headers=finance).json()["items"]) == 2
    seen = client.put(f"{RULES}/{world.sub_b.id}", json={"max_overdue_days": 1}, headers=finance)
    assert (seen.status_code, seen.json()["error"]["code"]) == (403, "out_of_scope")
