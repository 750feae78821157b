"""Payment plans (回款计划): exact sums, re-planning around invoiced and paid installments,
and the plan as collections sees it (outstanding, days overdue)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.ltc import Contract, Invoice, PaymentInstallment
from tests.fixtures.contract import make_contract, make_contract_world, make_plan
from tests.fixtures.factories import World, as_user

BASE = "/api/v1/contracts"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    return make_contract_world(db)


@pytest.fixture
def director(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.sub_a, "sales_director")[1]


def plan_url(contract: Contract) -> str:
    return f"{BASE}/{contract.id}/payment-plan"


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def field_codes(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in error(response)["fields"]}


def installments(db: Session, contract: Contract) -> list[tuple[int, str, str, Decimal]]:
    db.expire_all()
    rows = db.execute(
        select(PaymentInstallment)
        .where(PaymentInstallment.contract_id == contract.id)
        .order_by(PaymentInstallment.seq)
    ).scalars()
    return [(r.seq, r.label, r.due_date.isoformat(), r.amount) for r in rows]


def test_a_plan_adding_up_exactly_to_the_amount_replaces_the_old_one(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(db, world.team_a, amount="123456.78")
    make_plan(db, contract, [("旧计划", date(2026, 12, 31), "123456.78")])
    db.commit()
    # 30% / 60% / 10% of ¥123,456.78, rounded by hand so they still add up to the cent:
    # 37,037.03 + 74,074.07 + 12,345.68 = 123,456.78
    plan = [
        {"label": "预付款 30%", "due_date": "2026-07-15", "amount": "37037.03"},
        {"label": "到货款 60%", "due_date": "2026-09-30", "amount": "74074.07"},
        {"label": "质保金 10%", "due_date": "2027-09-30", "amount": "12345.68"},
    ]
    response = client.put(plan_url(contract), json={"installments": plan}, headers=director)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["planned"], body["contract_amount"], body["complete"]) == (
        "123456.78",
        "123456.78",
        True,
    )
    assert [(i["seq"], i["label"], i["amount"], i["currency"]) for i in body["installments"]] == [
        (1, "预付款 30%", "37037.03", "CNY"),
        (2, "到货款 60%", "74074.07", "CNY"),
        (3, "质保金 10%", "12345.68", "CNY"),
    ]
    assert installments(db, contract) == [
        (1, "预付款 30%", "2026-07-15", Decimal("37037.03")),
        (2, "到货款 60%", "2026-09-30", Decimal("74074.07")),
        (3, "质保金 10%", "2027-09-30", Decimal("12345.68")),
    ]
    stored = db.execute(
        select(PaymentInstallment).where(PaymentInstallment.contract_id == contract.id)
    ).scalars()
    assert {(r.subsidiary_id, r.unit_id, r.owner_id, r.account_id) for r in stored} == {
        (contract.subsidiary_id, contract.unit_id, contract.owner_id, contract.account_id)
    }


def test_a_plan_that_misses_by_a_cent_is_refused_with_expected_and_actual(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(db, world.team_a, amount="100000.00")
    db.commit()
    thirds = [
        {"label": f"第{n}期", "due_date": f"2026-0{6 + n}-01", "amount": "33333.33"}
        for n in (1, 2, 3)
    ]
    response = client.put(plan_url(contract), json={"installments": thirds}, headers=director | EN)
    assert response.status_code == 422
    assert error(response)["code"] == "payment_plan_sum_mismatch"
    # 3 × 33,333.33 = 99,999.99
    assert (error(response)["expected"], error(response)["actual"]) == ("100000.00", "99999.99")
    assert error(response)["message"] == (
        "The installments total 99999.99; they must add up to exactly 100000.00"
    )
    assert installments(db, contract) == []


@pytest.mark.parametrize(
    ("installments_in", "field", "code"),
    [
        ([], "installments", "too_short"),
        (
            [{"label": "a", "due_date": "2026-07-01", "amount": "0"}],
            "installments.0.amount",
            "greater_than",
        ),
        (
            [{"label": "a", "due_date": "2026-07-01", "amount": "-5.00"}],
            "installments.0.amount",
            "greater_than",
        ),
        (
            [{"label": "a", "due_date": "2026-07-01", "amount": "1.005"}],
            "installments.0.amount",
            "decimal_max_places",
        ),
        (
            [{"label": "", "due_date": "2026-07-01", "amount": "1.00"}],
            "installments.0.label",
            "string_too_short",
        ),
        (
            [{"label": "a", "due_date": "2026-13-01", "amount": "1.00"}],
            "installments.0.due_date",
            "date_from_datetime_parsing",
        ),
    ],
)
def test_installment_shapes_are_validated(
    client: TestClient,
    db: Session,
    world: World,
    director: dict[str, str],
    installments_in: list[dict[str, str]],
    field: str,
    code: str,
) -> None:
    contract = make_contract(db, world.team_a, amount="1.00")
    db.commit()
    response = client.put(
        plan_url(contract), json={"installments": installments_in}, headers=director
    )
    assert response.status_code == 422
    assert field in {f for f, _c in field_codes(response)}, response.text


def test_at_most_sixty_installments(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(db, world.team_a, amount="61.00")
    sixty = make_contract(db, world.team_a, amount="60.00")
    db.commit()
    month = [{"label": f"{n}", "due_date": "2026-07-01", "amount": "1.00"} for n in range(61)]
    too_many = client.put(plan_url(contract), json={"installments": month}, headers=director)
    assert too_many.status_code == 422
    assert {f for f, _c in field_codes(too_many)} == {"installments"}
    ok = client.put(plan_url(sixty), json={"installments": month[:60]}, headers=director)
    assert ok.status_code == 200, ok.text
    assert len(ok.json()["installments"]) == 60


def test_due_dates_cannot_precede_the_signing_or_start_date(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(db, world.team_a, amount="100.00", start_date=date(2026, 7, 1))
    db.commit()
    response = client.put(
        plan_url(contract),
        json={
            "installments": [
                {"label": "a", "due_date": "2026-06-30", "amount": "50.00"},
                {"label": "b", "due_date": "2026-07-01", "amount": "50.00"},
            ]
        },
        headers=director | EN,
    )
    assert response.status_code == 422
    assert field_codes(response) == {("installments.0.due_date", "installment_due_before_start")}
    assert "2026-07-01" in error(response)["fields"][0]["message"]


def test_invoiced_and_paid_installments_stay_and_the_rest_is_replanned(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(
        db, world.team_a, amount="100000.00", status="active", signing_date=date(2026, 5, 1)
    )
    first, second, third = make_plan(
        db,
        contract,
        [
            ("预付款", date(2026, 5, 15), "30000.00"),
            ("进度款", date(2026, 8, 31), "50000.00"),
            ("尾款", date(2026, 12, 31), "20000.00"),
        ],
        invoiced=["30000.00", "20000.00"],
        paid=["30000.00", "0.00"],
    )
    db.commit()

    def put(plan: list[dict[str, Any]]) -> Any:
        return client.put(plan_url(contract), json={"installments": plan}, headers=director | EN)

    removed = put(
        [
            {
                "id": str(first.id),
                "label": "预付款",
                "due_date": "2026-05-15",
                "amount": "30000.00",
            },
            {"label": "尾款", "due_date": "2026-12-31", "amount": "70000.00"},
        ]
    )
    assert removed.status_code == 422
    assert ("installments", "installment_in_use") in field_codes(removed)
    assert "进度款" in error(removed)["fields"][0]["message"]

    below = put(
        [
            {
                "id": str(first.id),
                "label": "预付款",
                "due_date": "2026-05-15",
                "amount": "30000.00",
            },
            {
                "id": str(second.id),
                "label": "进度款",
                "due_date": "2026-08-31",
                "amount": "19999.99",
            },
            {"label": "尾款", "due_date": "2026-12-31", "amount": "50000.01"},
        ]
    )
    assert below.status_code == 422
    assert field_codes(below) == {("installments.1.amount", "installment_below_invoiced")}
    assert "below 20000.00" in error(below)["fields"][0]["message"]

    # The invoiced part of the second installment is split off; the rest moves to two new
    # installments: 30,000 + 20,000 + 25,000 + 25,000 = 100,000.
    replanned = put(
        [
            {
                "id": str(first.id),
                "label": "预付款",
                "due_date": "2026-05-15",
                "amount": "30000.00",
            },
            {"label": "二期A", "due_date": "2026-10-31", "amount": "25000.00"},
            {
                "id": str(second.id),
                "label": "进度款(已开票)",
                "due_date": "2026-08-31",
                "amount": "20000.00",
            },
            {"label": "二期B", "due_date": "2027-01-31", "amount": "25000.00"},
        ]
    )
    assert replanned.status_code == 200, replanned.text
    rows = replanned.json()["installments"]
    assert [(r["seq"], r["label"], r["amount"]) for r in rows] == [
        (1, "预付款", "30000.00"),
        (2, "二期A", "25000.00"),
        (3, "进度款(已开票)", "20000.00"),
        (4, "二期B", "25000.00"),
    ]
    # Kept installments keep their identity, and with it their invoiced and paid amounts.
    assert (rows[0]["id"], rows[0]["paid_amount"]) == (str(first.id), "30000.00")
    assert (rows[2]["id"], rows[2]["invoiced_amount"]) == (str(second.id), "20000.00")
    assert str(third.id) not in {r["id"] for r in rows}


def test_an_installment_an_invoice_refers_to_cannot_be_removed_even_after_voiding(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(
        db, world.team_a, amount="100.00", status="signed", signing_date=date(2026, 6, 1)
    )
    (only,) = make_plan(db, contract, [("全款", date(2026, 7, 1), "100.00")])
    db.add(
        Invoice(
            number="TEST-FP-1",
            contract_id=contract.id,
            installment_id=only.id,
            account_id=contract.account_id,
            amount=Decimal("100.00"),
            currency="CNY",
            issued_on=date(2026, 6, 2),
            status="void",
            subsidiary_id=contract.subsidiary_id,
            unit_id=contract.unit_id,
            owner_id=contract.owner_id,
        )
    )
    db.commit()
    response = client.put(
        plan_url(contract),
        json={"installments": [{"label": "新", "due_date": "2026-07-01", "amount": "100.00"}]},
        headers=director,
    )
    assert response.status_code == 422
    assert field_codes(response) == {("installments", "installment_in_use")}


def test_unknown_or_repeated_installment_ids_are_refused(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(db, world.team_a, amount="100.00")
    other = make_contract(db, world.team_a, amount="100.00")
    (mine,) = make_plan(db, contract, [("全款", date(2026, 7, 1), "100.00")])
    (theirs,) = make_plan(db, other, [("全款", date(2026, 7, 1), "100.00")])
    db.commit()
    response = client.put(
        plan_url(contract),
        json={
            "installments": [
                {"id": str(mine.id), "label": "a", "due_date": "2026-07-01", "amount": "40.00"},
                {"id": str(mine.id), "label": "b", "due_date": "2026-07-01", "amount": "30.00"},
                {"id": str(theirs.id), "label": "c", "due_date": "2026-07-01", "amount": "30.00"},
            ]
        },
        headers=director,
    )
    assert response.status_code == 422
    assert field_codes(response) == {
        ("installments.1.id", "installment_duplicate"),
        ("installments.2.id", "unknown_reference"),
    }
    assert installments(db, other) == [(1, "全款", "2026-07-01", Decimal("100.00"))]


def test_no_replanning_once_completed_or_terminated(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    plan = {"installments": [{"label": "a", "due_date": "2026-07-01", "amount": "1.00"}]}
    for status in ("completed", "terminated"):
        contract = make_contract(db, world.team_a, amount="1.00", status=status)
        db.commit()
        response = client.put(plan_url(contract), json=plan, headers=director)
        assert response.status_code == 409
        assert error(response)["code"] == "contract_bad_state"


def test_two_replacements_from_the_same_version_cannot_both_win(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    contract = make_contract(db, world.team_a, amount="10.00")
    db.commit()
    plan = {
        "installments": [{"label": "a", "due_date": "2026-07-01", "amount": "10.00"}],
        "version": contract.version,
    }
    assert client.put(plan_url(contract), json=plan, headers=director).status_code == 200
    late = client.put(plan_url(contract), json=plan, headers=director)
    assert late.status_code == 409
    assert error(late)["code"] == "version_conflict"
    count = db.execute(
        select(func.count())
        .select_from(PaymentInstallment)
        .where(PaymentInstallment.contract_id == contract.id)
    ).scalar_one()
    assert count == 1


def test_the_plan_shows_invoiced_paid_outstanding_and_days_overdue(
    client: TestClient, db: Session, world: World, director: dict[str, str]
) -> None:
    # Today (frozen) is 2026-06-15 in Shanghai.
    assert clock.now().date() == date(2026, 6, 15)
    contract = make_contract(
        db, world.team_a, amount="100000.00", status="active", signing_date=date(2026, 3, 1)
    )
    make_plan(
        db,
        contract,
        [
            ("预付款", date(2026, 3, 15), "30000.00"),  # paid in full: never overdue
            ("到货款", date(2026, 5, 31), "50000.00"),  # 15 days overdue, 20,000 outstanding
            ("尾款", date(2026, 9, 30), "20000.00"),  # not due yet
        ],
        invoiced=["30000.00", "50000.00"],
        paid=["30000.00", "30000.00"],
    )
    db.commit()
    response = client.get(plan_url(contract), headers=director)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [
        (i["label"], i["invoiced_amount"], i["paid_amount"], i["outstanding"], i["days_overdue"])
        for i in body["installments"]
    ] == [
        ("预付款", "30000.00", "30000.00", "0.00", 0),
        ("到货款", "50000.00", "30000.00", "20000.00", 15),
        ("尾款", "0.00", "0.00", "20000.00", 0),
    ]
    assert (body["planned"], body["invoiced"], body["paid"], body["outstanding"]) == (
        "100000.00",
        "80000.00",
        "60000.00",
        "40000.00",
    )
    assert body["as_of"] == "2026-06-15"
    detail = client.get(f"{BASE}/{contract.id}", headers=director).json()
    assert detail["payment_plan"] == body
