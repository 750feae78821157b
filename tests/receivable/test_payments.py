"""Payments (回款) and their allocation (核销) to installments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account
from flotilla.models.ltc import Contract, Payment, PaymentAllocation, PaymentInstallment
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.receivable import grant, make_contract, make_installment
from tests.fixtures.sales import make_account

BASE = "/api/v1/payments"
EN = {"Accept-Language": "en-US"}


@dataclass
class Setup:
    world: World
    account: Account
    contract: Contract
    other_contract: Contract
    early: PaymentInstallment  # due 2026-03-31, ¥20,000
    late: PaymentInstallment  # due 2026-05-31, ¥30,000
    other: PaymentInstallment  # other contract, due 2026-01-31, ¥10,000
    finance: dict[str, str]


@pytest.fixture
def setup(client: TestClient, db: Session) -> Setup:
    world = make_world(db)
    account = make_account(db, world.team_a, name="星河科技有限公司")
    contract = make_contract(db, world.team_a, account, title="一期")
    other_contract = make_contract(db, world.dept_a, account, title="二期")
    early = make_installment(db, contract, due_date=date(2026, 3, 31), amount="20000", label="首款")
    late = make_installment(db, contract, due_date=date(2026, 5, 31), amount="30000", label="尾款")
    other = make_installment(db, other_contract, due_date=date(2026, 1, 31), amount="10000")
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    return Setup(world, account, contract, other_contract, early, late, other, finance)


def body(setup: Setup, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "account_id": str(setup.account.id),
        "amount": amount,
        "currency": "CNY",
        "received_on": "2026-06-20",
        "method": "bank_transfer",
        "reference": "招行回单 0620",
        "payer_name": "星河科技有限公司",
        **extra,
    }


def alloc(installment: PaymentInstallment, amount: str) -> dict[str, str]:
    return {"installment_id": str(installment.id), "amount": amount}


def reload(db: Session, installment: PaymentInstallment) -> PaymentInstallment:
    db.expire_all()
    return db.execute(
        select(PaymentInstallment).where(PaymentInstallment.id == installment.id)
    ).scalar_one()


def count(db: Session, model: type[Any]) -> int:
    return db.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_payment_allocated_to_installments_updates_paid_amounts(
    client: TestClient, db: Session, setup: Setup
) -> None:
    response = client.post(
        BASE,
        json=body(
            setup,
            "26000",
            contract_id=str(setup.contract.id),
            allocations=[alloc(setup.early, "20000"), alloc(setup.late, "6000")],
        ),
        headers=setup.finance,
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert (payment["allocated_amount"], payment["unapplied_amount"]) == ("26000.00", "0.00")
    assert payment["status"] == "recorded"
    assert payment["contract_number"] == setup.contract.number
    assert [(a["label"], a["amount"]) for a in payment["allocations"]] == [
        ("首款", "20000.00"),
        ("尾款", "6000.00"),
    ]
    early, late = reload(db, setup.early), reload(db, setup.late)
    assert (early.paid_amount, early.paid_at) == (Decimal("20000.00"), date(2026, 6, 20))
    assert (late.paid_amount, late.paid_at) == (Decimal("6000.00"), None)
    assert early.version == 2  # the row was updated, so the version check guards it
    # Placed at the contract: its unit, subsidiary and owner.
    assert (payment["unit_id"], payment["subsidiary_id"]) == (
        str(setup.world.team_a.id),
        str(setup.world.sub_a.id),
    )


def test_an_over_payment_is_refused_and_nothing_is_written(
    client: TestClient, db: Session, setup: Setup
) -> None:
    events_before = count(db, AuditEvent)
    response = client.post(
        BASE,
        json=body(
            setup, "50000", allocations=[alloc(setup.late, "5000"), alloc(setup.early, "25000")]
        ),
        headers=setup.finance | EN,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "allocation_exceeds_outstanding"
    assert error["message"] == (
        f"The allocation exceeds the outstanding 20000.00 CNY of {setup.contract.number} "
        f"#{setup.early.seq} 首款"
    )
    assert [(f["field"], f["code"]) for f in error["fields"]] == [
        ("allocations.1.amount", "allocation_exceeds_outstanding")
    ]
    assert error["installments"] == [
        {
            "installment_id": str(setup.early.id),
            "installment": f"{setup.contract.number} #{setup.early.seq} 首款",
            "outstanding": "20000.00",
            "currency": "CNY",
        }
    ]
    assert count(db, Payment) == count(db, PaymentAllocation) == 0
    assert count(db, AuditEvent) == events_before
    early = reload(db, setup.early)
    assert (early.paid_amount, early.version) == (Decimal("0.00"), 1)


def test_allocations_cannot_exceed_the_payment(
    client: TestClient, db: Session, setup: Setup
) -> None:
    response = client.post(
        BASE,
        json=body(
            setup, "10000", allocations=[alloc(setup.early, "6000"), alloc(setup.late, "6000")]
        ),
        headers=setup.finance,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["allocated"], error["available"]) == (
        "allocation_exceeds_payment",
        "12000.00",
        "10000.00",
    )
    assert error["message"] == "分配合计 12000.00 超过回款可分配余额 10000.00 CNY"
    assert count(db, Payment) == 0


def test_each_allocation_must_fit_the_payment(
    client: TestClient, db: Session, setup: Setup
) -> None:
    world = setup.world
    stranger = make_account(db, world.team_a)
    foreign = make_installment(
        db, make_contract(db, world.team_a, stranger), due_date=date(2026, 1, 1), amount="100"
    )
    dollars = make_installment(
        db,
        make_contract(db, world.team_a, setup.account, currency="USD"),
        due_date=date(2026, 1, 1),
        amount="100",
    )
    draft = make_installment(
        db,
        make_contract(db, world.team_a, setup.account, status="draft"),
        due_date=date(2026, 1, 1),
        amount="100",
    )
    completed = make_installment(
        db,
        make_contract(db, world.team_a, setup.account, status="completed"),
        due_date=date(2026, 1, 1),
        amount="100",
    )
    hidden = make_installment(
        db,
        make_contract(db, world.dept_b, make_account(db, world.dept_b), currency="HKD"),
        due_date=date(2026, 1, 1),
        amount="100",
    )
    db.commit()
    response = client.post(
        BASE,
        json=body(
            setup,
            "1000",
            contract_id=str(setup.contract.id),
            allocations=[
                alloc(foreign, "1"),
                alloc(setup.other, "1"),  # same account, another contract than the payment's
                alloc(dollars, "1"),
                alloc(draft, "1"),
                alloc(completed, "1"),
                alloc(hidden, "1"),
                alloc(setup.early, "1"),
                alloc(setup.early, "1"),
            ],
        ),
        headers=setup.finance,
    )
    assert response.status_code == 422
    fields = [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]
    assert fields == [
        ("allocations.0.installment_id", "allocation_account_mismatch"),
        ("allocations.1.installment_id", "allocation_account_mismatch"),
        ("allocations.2.installment_id", "allocation_account_mismatch"),
        ("allocations.3.installment_id", "allocation_account_mismatch"),
        ("allocations.4.installment_id", "allocation_account_mismatch"),
        ("allocations.5.installment_id", "unknown_reference"),
        ("allocations.7.installment_id", "duplicate"),
    ]
    # Without a contract on the payment, the account's other installments qualify and the
    # currency and contract status rules speak.
    response = client.post(
        BASE,
        json=body(
            setup,
            "1000",
            allocations=[alloc(dollars, "1"), alloc(draft, "1"), alloc(completed, "1")],
        ),
        headers=setup.finance | EN,
    )
    messages = [(f["field"], f["code"], f["message"]) for f in response.json()["error"]["fields"]]
    assert messages == [
        (
            "allocations.0.installment_id",
            "allocation_currency_mismatch",
            "This installment is in USD, the payment in CNY",
        ),
        (
            "allocations.1.installment_id",
            "allocation_contract_status",
            "Payments are allocated to signed or active contracts only (status: draft)",
        ),
        (
            "allocations.2.installment_id",
            "allocation_contract_status",
            "Payments are allocated to signed or active contracts only (status: completed)",
        ),
    ]
    assert count(db, Payment) == 0


def test_auto_allocation_fills_the_oldest_due_first_and_keeps_the_rest(
    client: TestClient, db: Session, setup: Setup
) -> None:
    def auto(amount: str, **extra: Any) -> dict[str, Any]:
        response = client.post(
            BASE, json=body(setup, amount, auto_allocate=True, **extra), headers=setup.finance
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def lines(payment: dict[str, Any]) -> list[tuple[str, str]]:
        return [(a["installment_id"], a["amount"]) for a in payment["allocations"]]

    # With a contract, only its installments are filled: ¥20,000 (due 03-31), then ¥20,000
    # of the ¥30,000 due 05-31.
    scoped = auto("40000", contract_id=str(setup.contract.id))
    assert lines(scoped) == [(str(setup.early.id), "20000.00"), (str(setup.late.id), "20000.00")]
    # Without one, the account's oldest first: the other contract's ¥10,000 (due 01-31), then
    # what is left of 05-31; the paid-up 03-31 installment is skipped.
    broad = auto("15000")
    assert lines(broad) == [(str(setup.other.id), "10000.00"), (str(setup.late.id), "5000.00")]
    leftover = auto("10000")
    assert lines(leftover) == [(str(setup.late.id), "5000.00")]
    assert (leftover["allocated_amount"], leftover["unapplied_amount"]) == ("5000.00", "5000.00")
    late = reload(db, setup.late)
    assert (late.paid_amount, late.paid_at) == (Decimal("30000.00"), date(2026, 6, 20))


def test_unapplied_cash_is_allocated_later_by_the_same_rules(
    client: TestClient, db: Session, setup: Setup
) -> None:
    prepaid = client.post(BASE, json=body(setup, "25000"), headers=setup.finance).json()
    assert (prepaid["allocated_amount"], prepaid["unapplied_amount"]) == ("0.00", "25000.00")
    url = f"{BASE}/{prepaid['id']}/allocations"

    neither = client.post(url, json={}, headers=setup.finance)
    assert neither.json()["error"]["fields"][0]["code"] == "allocation_required"
    both = client.post(
        url,
        json={"allocations": [alloc(setup.early, "1")], "auto_allocate": True},
        headers=setup.finance,
    )
    assert both.json()["error"]["fields"][0]["code"] == "allocation_mode_conflict"
    too_much = client.post(
        url, json={"allocations": [alloc(setup.late, "25000.01")]}, headers=setup.finance
    )
    assert too_much.json()["error"]["code"] == "allocation_exceeds_payment"

    first = client.post(
        url, json={"allocations": [alloc(setup.late, "5000")]}, headers=setup.finance
    )
    assert first.status_code == 200, first.text
    assert first.json()["unapplied_amount"] == "20000.00"
    second = client.post(
        url, json={"allocations": [alloc(setup.late, "4000")]}, headers=setup.finance
    )
    # A second allocation to the same installment adds to the payment's existing line.
    assert [(a["installment_id"], a["amount"]) for a in second.json()["allocations"]] == [
        (str(setup.late.id), "9000.00")
    ]
    auto = client.post(url, json={"auto_allocate": True}, headers=setup.finance).json()
    assert auto["unapplied_amount"] == "0.00"
    assert {a["installment_id"]: a["amount"] for a in auto["allocations"]} == {
        str(setup.late.id): "9000.00",
        str(setup.other.id): "10000.00",
        str(setup.early.id): "6000.00",
    }
    done = client.post(url, json={"auto_allocate": True}, headers=setup.finance)
    assert (done.status_code, done.json()["error"]["code"]) == (409, "payment_fully_allocated")
    assert reload(db, setup.late).paid_amount == Decimal("9000.00")


def test_auto_allocation_later_with_nothing_outstanding_is_refused(
    client: TestClient, db: Session, setup: Setup
) -> None:
    for installment in (setup.early, setup.late, setup.other):
        installment.paid_amount = installment.amount
    db.commit()
    prepaid = client.post(BASE, json=body(setup, "100", auto_allocate=True), headers=setup.finance)
    assert prepaid.status_code == 201  # nothing to fill: the money is a prepayment
    assert prepaid.json()["unapplied_amount"] == "100.00"
    later = client.post(
        f"{BASE}/{prepaid.json()['id']}/allocations",
        json={"auto_allocate": True},
        headers=setup.finance,
    )
    assert (later.status_code, later.json()["error"]["code"]) == (
        422,
        "allocation_nothing_outstanding",
    )


def test_reversing_a_payment_gives_every_allocation_back(
    client: TestClient, db: Session, setup: Setup
) -> None:
    paid = client.post(
        BASE,
        json=body(
            setup, "25000", allocations=[alloc(setup.early, "20000"), alloc(setup.late, "5000")]
        ),
        headers=setup.finance,
    ).json()
    other = client.post(
        BASE,
        json=body(setup, "1000", allocations=[alloc(setup.late, "1000")]),
        headers=setup.finance,
    ).json()

    reversed_ = client.post(
        f"{BASE}/{paid['id']}/reverse", json={"reason": "退票"}, headers=setup.finance
    )
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["status"] == "reversed"
    assert reversed_.json()["allocations"] == []
    assert reversed_.json()["allocated_amount"] == "0.00"
    early, late = reload(db, setup.early), reload(db, setup.late)
    assert (early.paid_amount, early.paid_at) == (Decimal("0.00"), None)
    assert late.paid_amount == Decimal("1000.00")  # the other payment's allocation stays
    event = db.execute(
        select(AuditEvent).where(AuditEvent.action == "payment.reverse")
    ).scalar_one()
    assert event.entity_id == uuid.UUID(paid["id"])
    assert event.changes["reason"] == "退票"

    again = client.post(f"{BASE}/{paid['id']}/reverse", json={"reason": "x"}, headers=setup.finance)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "payment_reversed")
    allocate = client.post(
        f"{BASE}/{paid['id']}/allocations", json={"auto_allocate": True}, headers=setup.finance
    )
    assert allocate.json()["error"]["code"] == "payment_reversed"
    assert client.get(f"{BASE}/{other['id']}", headers=setup.finance).json()[
        "allocated_amount"
    ] == ("1000.00")


def test_references_and_placement(client: TestClient, db: Session, setup: Setup) -> None:
    world = setup.world
    plain = client.post(BASE, json=body(setup, "10"), headers=setup.finance)
    assert plain.json()["unit_id"] == str(world.team_a.id)  # the account's unit
    on_other = client.post(
        BASE,
        json=body(setup, "10", contract_id=str(setup.other_contract.id)),
        headers=setup.finance,
    )
    assert on_other.json()["unit_id"] == str(world.dept_a.id)  # the contract's unit

    stranger = make_account(db, world.team_a)
    mismatch = make_contract(db, world.team_a, stranger)
    account_b = make_account(db, world.dept_b)
    db.commit()
    wrong = client.post(
        BASE, json=body(setup, "10", contract_id=str(mismatch.id)), headers=setup.finance
    )
    assert wrong.json()["error"]["fields"][0]["code"] == "payment_contract_account_mismatch"
    hidden = client.post(
        BASE, json=body(setup, "10", account_id=str(account_b.id)), headers=setup.finance
    )
    assert hidden.json()["error"]["fields"][0] == {
        "field": "account_id",
        "code": "unknown_reference",
        "message": "引用的记录不存在",
    }
    currency = client.post(BASE, json=body(setup, "10", currency="XYZ"), headers=setup.finance)
    assert currency.json()["error"]["fields"][0]["code"] == "invalid_currency"
    bad = client.post(BASE, json=body(setup, "0", method="bitcoin"), headers=setup.finance)
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"amount", "method"}


def test_who_may_record_a_payment(client: TestClient, db: Session, setup: Setup) -> None:
    world = setup.world
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    assert client.post(BASE, json=body(setup, "10"), headers=vp).status_code == 403  # no write

    # Reading subsidiary B's account (as an auditor too) does not let A's finance book there.
    finance_user, finance = as_user(client, db, world.sub_a, "finance")
    grant(db, finance_user, "auditor", world.group)
    account_b = make_account(db, world.dept_b)
    db.commit()
    placed_b = client.post(
        BASE, json=body(setup, "10", account_id=str(account_b.id), currency="HKD"), headers=finance
    )
    assert (placed_b.status_code, placed_b.json()["error"]["code"]) == (403, "out_of_scope")
    assert count(db, Payment) == 0

    rep, rep_headers = as_user(client, db, world.team_a, "sales_rep")
    own = make_account(db, world.team_a, owner=rep)
    own_contract = make_contract(db, world.team_a, own)
    own_installment = make_installment(db, own_contract, due_date=date(2026, 5, 1), amount="500")
    db.commit()
    mine = client.post(
        BASE,
        json=body(
            setup, "600", account_id=str(own.id), allocations=[alloc(own_installment, "500")]
        ),
        headers=rep_headers,
    )
    assert mine.status_code == 201, mine.text
    assert mine.json()["owner_id"] == str(rep.id)
    theirs = client.post(BASE, json=body(setup, "10"), headers=rep_headers)
    assert theirs.json()["error"]["fields"][0]["code"] == "unknown_reference"
    # The rep cannot touch the colleague's installment even on their own payment.
    sneaky = client.post(
        f"{BASE}/{mine.json()['id']}/allocations",
        json={"allocations": [alloc(setup.early, "1")]},
        headers=rep_headers,
    )
    assert sneaky.json()["error"]["fields"][0]["code"] == "unknown_reference"


def test_the_payment_list_filters_on_the_server(
    client: TestClient, db: Session, setup: Setup
) -> None:
    def post(amount: str, **extra: Any) -> str:
        response = client.post(BASE, json=body(setup, amount, **extra), headers=setup.finance)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    a = post("100", received_on="2026-06-01", reference="A-100")
    b = post("200", received_on="2026-06-10", contract_id=str(setup.contract.id), reference="B-200")
    c = post("300", received_on="2026-06-20", reference="C-300", payer_name="代付方有限公司")
    client.post(f"{BASE}/{c}/reverse", json={"reason": "错账"}, headers=setup.finance)

    def ids(**params: str) -> list[str]:
        response = client.get(BASE, params=params, headers=setup.finance)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [c, b, a]  # newest receipt first
    assert ids(sort="amount") == [a, b, c]
    assert ids(contract_id=str(setup.contract.id)) == [b]
    assert ids(account_id=str(setup.account.id), status="recorded") == [b, a]
    assert ids(received_from="2026-06-05", received_to="2026-06-15") == [b]
    assert ids(q="代付") == [c]
    assert ids(q="a-1") == [a]
    listed = client.get(BASE, params={"include_total": "true"}, headers=setup.finance).json()
    assert listed["total"] == 3
    assert listed["items"][0]["account_name"] == "星河科技有限公司"
