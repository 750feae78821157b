"""Amendments (合同变更): the only way to change a signed contract's commercial terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.ltc import Contract, ContractAmendment, PaymentInstallment
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


@pytest.fixture
def signed(db: Session, world: World) -> Contract:
    contract = make_contract(
        db,
        world.team_a,
        amount="100000.00",
        tax_amount="11504.42",
        status="signed",
        signing_date=date(2026, 6, 1),
        end_date=date(2026, 12, 31),
        title="数据中心运维服务",
    )
    make_plan(
        db,
        contract,
        [("预付款", date(2026, 6, 10), "30000.00"), ("尾款", date(2026, 12, 31), "70000.00")],
        invoiced=["30000.00"],
        paid=["30000.00"],
    )
    db.commit()
    return contract


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def field_codes(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in error(response)["fields"]}


def snapshot(db: Session, contract: Contract) -> tuple[Any, ...]:
    db.expire_all()
    stored = db.execute(select(Contract).where(Contract.id == contract.id)).scalar_one()
    plan = db.execute(
        select(PaymentInstallment.seq, PaymentInstallment.amount, PaymentInstallment.due_date)
        .where(PaymentInstallment.contract_id == contract.id)
        .order_by(PaymentInstallment.seq)
    ).all()
    amendments = db.execute(
        select(func.count())
        .select_from(ContractAmendment)
        .where(ContractAmendment.contract_id == contract.id)
    ).scalar_one()
    return (stored.amount, stored.tax_amount, stored.end_date, stored.version, plan, amendments)


def installment_ids(db: Session, contract: Contract) -> list[str]:
    return [
        str(i)
        for i in db.execute(
            select(PaymentInstallment.id)
            .where(PaymentInstallment.contract_id == contract.id)
            .order_by(PaymentInstallment.seq)
        ).scalars()
    ]


def test_an_amendment_changes_the_amount_with_a_new_plan_and_records_before_and_after(
    client: TestClient, db: Session, signed: Contract, director: dict[str, str]
) -> None:
    paid_first, _rest = installment_ids(db, signed)
    response = client.post(
        f"{BASE}/{signed.id}/amendments",
        json={
            "reason": "客户追加两台设备的运维",
            "effective_date": "2026-07-01",
            "changes": {"amount": "120000.00", "tax_amount": "13805.31", "end_date": "2027-03-31"},
            # 30,000 (already paid, kept) + 50,000 + 40,000 = 120,000
            "payment_plan": [
                {
                    "id": paid_first,
                    "label": "预付款",
                    "due_date": "2026-06-10",
                    "amount": "30000.00",
                },
                {"label": "进度款", "due_date": "2026-12-31", "amount": "50000.00"},
                {"label": "尾款", "due_date": "2027-03-31", "amount": "40000.00"},
            ],
        },
        headers=director,
    )
    assert response.status_code == 201, response.text
    amendment = response.json()
    assert amendment["seq"] == 1
    assert amendment["reason"] == "客户追加两台设备的运维"
    assert amendment["effective_date"] == "2026-07-01"
    assert amendment["changes"] == {
        "amount": ["100000.00", "120000.00"],
        "tax_amount": ["11504.42", "13805.31"],
        "end_date": ["2026-12-31", "2027-03-31"],
        "payment_plan": [
            "2026-06-10 30000.00; 2026-12-31 70000.00",
            "2026-06-10 30000.00; 2026-12-31 50000.00; 2027-03-31 40000.00",
        ],
    }
    detail = client.get(f"{BASE}/{signed.id}", headers=director).json()
    assert (detail["amount"], detail["tax_amount"], detail["end_date"]) == (
        "120000.00",
        "13805.31",
        "2027-03-31",
    )
    assert detail["status"] == "signed"
    assert detail["payment_plan"]["planned"] == "120000.00"
    assert detail["payment_plan"]["installments"][0]["id"] == paid_first
    assert [a["seq"] for a in detail["amendments"]] == [1]

    second = client.post(
        f"{BASE}/{signed.id}/amendments",
        json={
            "reason": "项目更名",
            "effective_date": "2026-07-02",
            "changes": {"title": "数据中心运维服务（扩容）", "payment_days": 45},
        },
        headers=director,
    )
    assert second.status_code == 201, second.text
    assert second.json()["seq"] == 2
    assert second.json()["changes"] == {
        "title": ["数据中心运维服务", "数据中心运维服务（扩容）"],
        "payment_days": ["30", "45"],
    }
    listed = client.get(f"{BASE}/{signed.id}/amendments", headers=director).json()
    assert [(a["seq"], a["created_by_name"] is not None) for a in listed] == [(1, True), (2, True)]
    # Each amendment is on the audit trail with the contract's own change.
    actions = db.execute(
        select(AuditEvent.action).where(AuditEvent.entity_id.in_([signed.id]))
    ).scalars()
    assert "contract.update" in set(actions)


def test_an_amount_change_needs_a_plan_that_adds_up_to_the_new_amount(
    client: TestClient, db: Session, signed: Contract, director: dict[str, str]
) -> None:
    before = snapshot(db, signed)
    paid_first, _rest = installment_ids(db, signed)
    url = f"{BASE}/{signed.id}/amendments"
    no_plan = client.post(
        url,
        json={"reason": "加量", "effective_date": "2026-07-01", "changes": {"amount": "120000.00"}},
        headers=director | EN,
    )
    assert no_plan.status_code == 422
    assert field_codes(no_plan) == {("payment_plan", "amendment_plan_required")}

    short = client.post(
        url,
        json={
            "reason": "加量",
            "effective_date": "2026-07-01",
            "changes": {"amount": "120000.00"},
            "payment_plan": [
                {
                    "id": paid_first,
                    "label": "预付款",
                    "due_date": "2026-06-10",
                    "amount": "30000.00",
                },
                {"label": "尾款", "due_date": "2026-12-31", "amount": "89999.99"},
            ],
        },
        headers=director | EN,
    )
    assert short.status_code == 422
    assert error(short)["code"] == "payment_plan_sum_mismatch"
    assert (error(short)["expected"], error(short)["actual"]) == ("120000.00", "119999.99")

    dropped_paid = client.post(
        url,
        json={
            "reason": "加量",
            "effective_date": "2026-07-01",
            "changes": {"amount": "120000.00"},
            "payment_plan": [{"label": "全款", "due_date": "2026-12-31", "amount": "120000.00"}],
        },
        headers=director,
    )
    assert dropped_paid.status_code == 422
    assert field_codes(dropped_paid) == {("payment_plan", "installment_in_use")}
    assert snapshot(db, signed) == before


def test_amendments_refuse_no_change_early_dates_and_bad_terms(
    client: TestClient, db: Session, signed: Contract, director: dict[str, str]
) -> None:
    url = f"{BASE}/{signed.id}/amendments"
    before = snapshot(db, signed)
    same = client.post(
        url,
        json={"reason": "x", "effective_date": "2026-07-01", "changes": {"amount": "100000.00"}},
        headers=director | EN,
    )
    assert field_codes(same) == {("changes", "amendment_no_change")}
    early = client.post(
        url,
        json={"reason": "x", "effective_date": "2026-05-31", "changes": {"payment_days": 60}},
        headers=director | EN,
    )
    assert field_codes(early) == {("effective_date", "amendment_before_signing")}
    assert "2026-06-01" in error(early)["fields"][0]["message"]
    tax = client.post(
        url,
        json={
            "reason": "x",
            "effective_date": "2026-07-01",
            "changes": {"tax_amount": "100000.01"},
        },
        headers=director,
    )
    assert field_codes(tax) == {("tax_amount", "contract_tax_exceeds_amount")}
    currency = client.post(
        url,
        json={"reason": "x", "effective_date": "2026-07-01", "changes": {"currency": "USD"}},
        headers=director,
    )
    assert currency.status_code == 422
    assert ("changes.currency", "extra_forbidden") in field_codes(currency)
    assert snapshot(db, signed) == before


@pytest.mark.parametrize("status", ["draft", "approved", "completed", "terminated"])
def test_only_signed_or_active_contracts_are_amended(
    client: TestClient, db: Session, world: World, director: dict[str, str], status: str
) -> None:
    contract = make_contract(db, world.team_a, status=status)
    db.commit()
    response = client.post(
        f"{BASE}/{contract.id}/amendments",
        json={"reason": "x", "effective_date": "2026-07-01", "changes": {"payment_days": 60}},
        headers=director,
    )
    assert response.status_code == 409
    assert error(response)["code"] == "contract_bad_state"


def test_a_crash_part_way_through_an_amendment_leaves_nothing_behind(
    client: TestClient,
    db: Session,
    signed: Contract,
    director: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(db, signed)
    events = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    paid_first, _rest = installment_ids(db, signed)

    def crash(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("power cut")  # the plan and the amount are already flushed

    monkeypatch.setattr("flotilla.contract.service.repository.last_amendment_seq", crash)
    response = client.post(
        f"{BASE}/{signed.id}/amendments",
        json={
            "reason": "加量",
            "effective_date": "2026-07-01",
            "changes": {"amount": "120000.00"},
            "payment_plan": [
                {
                    "id": paid_first,
                    "label": "预付款",
                    "due_date": "2026-06-10",
                    "amount": "30000.00",
                },
                {"label": "尾款", "due_date": "2026-12-31", "amount": "90000.00"},
            ],
        },
        headers=director,
    )
    assert response.status_code == 500
    assert snapshot(db, signed) == before
    assert db.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == events
    stored = db.execute(select(Contract.amount).where(Contract.id == signed.id)).scalar_one()
    assert stored == Decimal("100000.00")
