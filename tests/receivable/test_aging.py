"""The worked aging example, computed by hand (see ``tests.fixtures.receivable.Example``).

As of 2026-06-30. Account X: I1 ¥10,000 due 07-15 (not due); I2 ¥20,000 due 06-20 of which
¥5,000 is paid first → ¥15,000 at 10 days; I3 ¥30,000 due 04-30 → 61 days; I4 ¥40,000 due
01-31 → 150 days; I5 ¥50,000 due 2025-12-01 → 211 days. Then ¥55,000 is auto-allocated
oldest first: I5 is paid in full (¥50,000) and I4 gets ¥5,000 (¥35,000 left).
Account Y: ¥8,000 at 29 days. Account Z (subsidiary B): HK$100,000 at 91 days and US$1,000 at
1 day. HKD→CNY period_end for 2026-06 is 0.92; USD has no rate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.receivable import aging
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.receivable import (
    AS_OF,
    Example,
    make_contract,
    make_example,
    make_installment,
)

AGING = "/api/v1/receivables/aging"
BUCKETS = ("not_due", "d1_30", "d31_90", "d91_180", "over_180", "overdue", "total")


def amounts(values: tuple[str, str, str, str, str, str, str]) -> dict[str, str]:
    return dict(zip(BUCKETS, values, strict=True))


def row_amounts(row: dict[str, Any]) -> dict[str, str]:
    return {key: row[key] for key in BUCKETS}


def rows_by_key(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["key"], row["currency"]): row_amounts(row) for row in body["rows"]}


def record_payments(client: TestClient, headers: dict[str, str], example: Example) -> None:
    """¥5,000 on I2, then ¥55,000 auto-allocated across X's oldest installments."""
    first = client.post(
        "/api/v1/payments",
        json={
            "account_id": str(example.x.id),
            "contract_id": str(example.c1.id),
            "amount": "5000",
            "currency": "CNY",
            "received_on": "2026-06-25",
            "reference": "BANK-001",
            "allocations": [{"installment_id": str(example.i2.id), "amount": "5000"}],
        },
        headers=headers,
    )
    assert first.status_code == 201, first.text
    second = client.post(
        "/api/v1/payments",
        json={
            "account_id": str(example.x.id),
            "amount": "55000",
            "currency": "CNY",
            "received_on": "2026-06-28",
            "reference": "BANK-002",
            "auto_allocate": True,
        },
        headers=headers,
    )
    assert second.status_code == 201, second.text
    allocated = [(a["installment_id"], a["amount"]) for a in second.json()["allocations"]]
    assert allocated == [(str(example.i5.id), "50000.00"), (str(example.i4.id), "5000.00")]
    assert second.json()["allocated_amount"] == "55000.00"
    assert second.json()["unapplied_amount"] == "0.00"


@pytest.fixture
def arranged(client: TestClient, db: Session) -> tuple[World, Example, dict[str, str]]:
    world = make_world(db)
    example = make_example(db, world)
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    return world, example, vp


def test_bucket_boundaries_follow_the_documented_days() -> None:
    cases = {-15: "not_due", 0: "not_due", 1: "d1_30", 30: "d1_30", 31: "d31_90"}
    cases |= {90: "d31_90", 91: "d91_180", 180: "d91_180", 181: "over_180", 211: "over_180"}
    for days, code in cases.items():
        assert aging.bucket_for(days) == code, days
    assert aging.days_overdue(AS_OF, date(2025, 12, 1)) == 211
    assert aging.days_overdue(AS_OF, date(2026, 4, 30)) == 61


def test_aging_by_account_before_and_after_an_auto_allocation(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, vp = arranged
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    first = client.post(
        "/api/v1/payments",
        json={
            "account_id": str(example.x.id),
            "contract_id": str(example.c1.id),
            "amount": "5000",
            "currency": "CNY",
            "received_on": "2026-06-25",
            "allocations": [{"installment_id": str(example.i2.id), "amount": "5000"}],
        },
        headers=finance,
    )
    assert first.status_code == 201, first.text

    before = client.get(AGING, params={"as_of": "2026-06-30"}, headers=vp)
    assert before.status_code == 200, before.text
    assert rows_by_key(before.json())[(str(example.x.id), "CNY")] == amounts(
        ("10000.00", "15000.00", "30000.00", "40000.00", "50000.00", "135000.00", "145000.00")
    )

    auto = client.post(
        "/api/v1/payments",
        json={
            "account_id": str(example.x.id),
            "amount": "55000",
            "currency": "CNY",
            "received_on": "2026-06-28",
            "auto_allocate": True,
        },
        headers=finance,
    )
    assert auto.status_code == 201, auto.text

    after = client.get(AGING, params={"as_of": "2026-06-30", "group_by": "account"}, headers=vp)
    body = after.json()
    assert body["group_by"] == "account"
    assert body["currency"] == "CNY"
    assert rows_by_key(body) == {
        (str(example.x.id), "CNY"): amounts(
            ("10000.00", "15000.00", "30000.00", "35000.00", "0.00", "80000.00", "90000.00")
        ),
        (str(example.y.id), "CNY"): amounts(
            ("0.00", "8000.00", "0.00", "0.00", "0.00", "8000.00", "8000.00")
        ),
        (str(example.z.id), "HKD"): amounts(
            ("0.00", "0.00", "0.00", "100000.00", "0.00", "100000.00", "100000.00")
        ),
        (str(example.z.id), "USD"): amounts(
            ("0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00", "1000.00")
        ),
    }
    x_row = next(r for r in body["rows"] if r["key"] == str(example.x.id))
    assert x_row["label"] == "星河科技有限公司"
    assert x_row["installments"] == 4  # I5 is paid in full and no longer a receivable
    assert x_row["oldest_due_date"] == "2026-01-31"
    assert x_row["max_days_overdue"] == 150


def test_aging_by_subsidiary_and_unit_with_converted_totals(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, vp = arranged
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    record_payments(client, finance, example)

    by_subsidiary = client.get(
        AGING, params={"as_of": "2026-06-30", "group_by": "subsidiary"}, headers=vp
    ).json()
    assert rows_by_key(by_subsidiary) == {
        (str(world.sub_a.id), "CNY"): amounts(
            ("10000.00", "23000.00", "30000.00", "35000.00", "0.00", "88000.00", "98000.00")
        ),
        (str(world.sub_b.id), "HKD"): amounts(
            ("0.00", "0.00", "0.00", "100000.00", "0.00", "100000.00", "100000.00")
        ),
        (str(world.sub_b.id), "USD"): amounts(
            ("0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00", "1000.00")
        ),
    }
    labels = {row["key"]: row["label"] for row in by_subsidiary["rows"]}
    assert labels[str(world.sub_a.id)] == "甲子公司"

    totals = by_subsidiary["totals"]
    assert {t["currency"]: row_amounts(t) for t in totals["by_currency"]} == {
        "CNY": amounts(
            ("10000.00", "23000.00", "30000.00", "35000.00", "0.00", "88000.00", "98000.00")
        ),
        "HKD": amounts(("0.00", "0.00", "0.00", "100000.00", "0.00", "100000.00", "100000.00")),
        "USD": amounts(("0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00", "1000.00")),
    }
    # HK$100,000 × 0.92 = ¥92,000 joins ¥35,000 in 91–180; USD has no rate and stays out.
    converted = totals["converted"]
    assert converted["currency"] == "CNY"
    assert row_amounts(converted) == amounts(
        ("10000.00", "23000.00", "30000.00", "127000.00", "0.00", "180000.00", "190000.00")
    )
    assert totals["missing_rates"] == ["USD"]
    assert {r["currency"]: r["rate"] for r in converted["rates"]} == {
        "CNY": "1",
        "HKD": "0.92000000",
    }

    by_unit = client.get(AGING, params={"as_of": "2026-06-30", "group_by": "unit"}, headers=vp)
    assert {key: row["total"] for key, row in rows_by_key(by_unit.json()).items()} == {
        (str(world.team_a.id), "CNY"): "90000.00",
        (str(world.dept_a.id), "CNY"): "8000.00",
        (str(world.dept_b.id), "HKD"): "100000.00",
        (str(world.dept_b.id), "USD"): "1000.00",
    }
    assert by_unit.json()["totals"]["converted"]["total"] == "190000.00"


def test_converting_into_hkd_uses_the_inverse_rate_bucket_by_bucket(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, vp = arranged
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    record_payments(client, finance, example)

    body = client.get(
        AGING,
        params={"as_of": "2026-06-30", "group_by": "subsidiary", "currency": "HKD"},
        headers=vp,
    ).json()
    # 1 / 0.92 = 1.08695652 (eight places). Each CNY bucket is converted and rounded on its
    # own: 10,000 → 10,869.57; 23,000 → 25,000.00 (24,999.99996); 30,000 → 32,608.70;
    # 35,000 → 38,043.48, plus HK$100,000 → 138,043.48. Overdue and total are their sums.
    converted = body["totals"]["converted"]
    assert row_amounts(converted) == amounts(
        ("10869.57", "25000.00", "32608.70", "138043.48", "0.00", "195652.18", "206521.75")
    )
    assert body["totals"]["missing_rates"] == ["USD"]


def test_a_director_ages_only_their_own_subsidiary(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, _vp = arranged
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    body = client.get(
        AGING, params={"as_of": "2026-06-30", "group_by": "subsidiary"}, headers=director
    ).json()
    assert [(row["key"], row["currency"]) for row in body["rows"]] == [(str(world.sub_a.id), "CNY")]
    assert body["rows"][0]["total"] == "158000.00"  # 150,000 of X and 8,000 of Y, nothing paid
    assert body["totals"]["missing_rates"] == []
    assert [t["currency"] for t in body["totals"]["by_currency"]] == ["CNY"]
    assert str(example.z.id) not in str(body)

    # A caller with no payment.read at all gets an empty report, not an error.
    _nobody, nobody = as_user(client, db, world.team_a, None)
    empty = client.get(AGING, params={"as_of": "2026-06-30"}, headers=nobody)
    assert empty.status_code == 200
    assert empty.json()["rows"] == []
    assert empty.json()["totals"]["converted"]["total"] == "0.00"


def test_aging_filters_by_subsidiary_and_account_and_ignores_unsigned_contracts(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, vp = arranged
    draft = make_contract(db, world.team_a, example.x, status="draft")
    make_installment(db, draft, due_date=date(2026, 1, 1), amount="999")
    db.commit()

    only_b = client.get(
        AGING, params={"as_of": "2026-06-30", "subsidiary_id": str(world.sub_b.id)}, headers=vp
    ).json()
    assert {row["key"] for row in only_b["rows"]} == {str(example.z.id)}

    only_x = client.get(
        AGING, params={"as_of": "2026-06-30", "account_id": str(example.x.id)}, headers=vp
    ).json()
    assert [row["total"] for row in only_x["rows"]] == ["150000.00"]  # the draft's 999 is no debt


def test_account_receivables_is_the_aging_of_one_visible_account(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, _vp = arranged
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    record_payments(client, finance, example)

    got = client.get(
        f"/api/v1/accounts/{example.x.id}/receivables",
        params={"as_of": "2026-06-30"},
        headers=finance,
    )
    assert got.status_code == 200, got.text
    assert got.json()["group_by"] == "subsidiary"
    assert rows_by_key(got.json()) == {
        (str(world.sub_a.id), "CNY"): amounts(
            ("10000.00", "15000.00", "30000.00", "35000.00", "0.00", "80000.00", "90000.00")
        )
    }
    # Subsidiary A's finance cannot see account Z of subsidiary B: 404, as if absent.
    hidden = client.get(f"/api/v1/accounts/{example.z.id}/receivables", headers=finance)
    assert hidden.status_code == 404


def test_receivables_list_gives_days_overdue_and_bucket_sorted_by_due_date(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    world, example, _vp = arranged
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    record_payments(client, finance, example)

    listed = client.get(
        "/api/v1/receivables",
        params={"as_of": "2026-06-30", "include_total": "true"},
        headers=finance,
    )
    assert listed.status_code == 200, listed.text
    items = [
        (i["id"], i["outstanding"], i["days_overdue"], i["bucket"]) for i in listed.json()["items"]
    ]
    assert items == [
        (str(example.i4.id), "35000.00", 150, "d91_180"),
        (str(example.i3.id), "30000.00", 61, "d31_90"),
        (str(example.i6.id), "8000.00", 29, "d1_30"),
        (str(example.i2.id), "15000.00", 10, "d1_30"),
        (str(example.i1.id), "10000.00", -15, "not_due"),
    ]
    assert listed.json()["total"] == 5
    first = listed.json()["items"][0]
    assert first["contract_number"] == example.c2.number
    assert first["account_name"] == "星河科技有限公司"
    assert first["paid_amount"] == "5000.00"

    overdue = client.get(
        "/api/v1/receivables",
        params={"as_of": "2026-06-30", "overdue_only": "true", "account_id": str(example.x.id)},
        headers=finance,
    )
    assert [i["id"] for i in overdue.json()["items"]] == [
        str(example.i4.id),
        str(example.i3.id),
        str(example.i2.id),
    ]
    by_outstanding = client.get(
        "/api/v1/receivables", params={"sort": "-outstanding", "limit": 2}, headers=finance
    ).json()
    assert [i["outstanding"] for i in by_outstanding["items"]] == ["35000.00", "30000.00"]
    rest = client.get(
        "/api/v1/receivables",
        params={"sort": "-outstanding", "limit": 2, "cursor": by_outstanding["next_cursor"]},
        headers=finance,
    ).json()
    assert [i["outstanding"] for i in rest["items"]] == ["15000.00", "10000.00"]


def test_aging_refuses_an_unknown_report_currency(
    client: TestClient, db: Session, arranged: tuple[World, Example, dict[str, str]]
) -> None:
    _world, _example, vp = arranged
    response = client.get(
        AGING, params={"currency": "XYZ"}, headers={**vp, "Accept-Language": "en-US"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "currency"
    assert response.json()["error"]["fields"][0]["code"] == "invalid_currency"
