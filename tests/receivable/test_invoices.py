"""Invoices (开票): gap-free numbers, never more than the installment, void gives it back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.ltc import Invoice, PaymentInstallment
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.receivable import grant, make_contract, make_installment, make_invoice
from tests.fixtures.sales import make_account

BASE = "/api/v1/invoices"
EN = {"Accept-Language": "en-US"}


def _installment(
    db: Session, world: World, amount: str = "30000", status: str = "active"
) -> PaymentInstallment:
    account = make_account(db, world.team_a, name="星河科技有限公司")
    deal = make_contract(db, world.team_a, account, status=status)
    return make_installment(db, deal, due_date=date(2026, 4, 30), amount=amount, label="验收款")


def _reload(db: Session, installment: PaymentInstallment) -> PaymentInstallment:
    db.expire_all()
    return db.execute(
        select(PaymentInstallment).where(PaymentInstallment.id == installment.id)
    ).scalar_one()


def _invoice_body(
    installment: PaymentInstallment, amount: str, **extra: object
) -> dict[str, object]:
    return {
        "installment_id": str(installment.id),
        "amount": amount,
        "tax_amount": "0",
        "kind": "vat_special",
        "issued_on": "2026-06-30",
        **extra,
    }


def test_an_invoice_takes_the_next_number_and_raises_the_invoiced_amount(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    installment = _installment(db, world)
    _finance, finance = as_user(client, db, world.sub_a, "finance")

    first = client.post(
        BASE,
        json=_invoice_body(installment, "11300.00", tax_amount="1300.00", external_number="0451"),
        headers=finance,
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["number"] == "SUB-A-FP-2026-000001"
    assert (body["amount"], body["tax_amount"], body["currency"]) == ("11300.00", "1300.00", "CNY")
    assert body["status"] == "issued"
    assert body["installment_label"] == "验收款"
    assert body["unit_id"] == str(world.team_a.id)
    second = client.post(BASE, json=_invoice_body(installment, "8700"), headers=finance)
    assert second.json()["number"] == "SUB-A-FP-2026-000002"
    assert _reload(db, installment).invoiced_amount == Decimal("20000.00")
    assert client.get(f"{BASE}/{body['id']}", headers=finance).json()["number"] == body["number"]


def test_an_invoice_beyond_the_installment_is_refused_and_nothing_is_written(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    installment = _installment(db, world)
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    assert client.post(BASE, json=_invoice_body(installment, "25000"), headers=finance).is_success
    version = _reload(db, installment).version

    refused = client.post(BASE, json=_invoice_body(installment, "5000.01"), headers=finance | EN)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invoice_exceeds_installment"
    assert error["remaining"] == "5000.00"
    assert "5000.00 CNY" in error["message"]
    assert error["fields"][0]["field"] == "amount"

    reloaded = _reload(db, installment)
    assert (reloaded.invoiced_amount, reloaded.version) == (Decimal("25000.00"), version)
    assert db.execute(select(func.count()).select_from(Invoice)).scalar_one() == 1
    # The refused invoice gave its number back: the series stays gap-free.
    exact = client.post(BASE, json=_invoice_body(installment, "5000"), headers=finance)
    assert exact.json()["number"] == "SUB-A-FP-2026-000002"


def test_voiding_gives_the_amount_back_once(client: TestClient, db: Session) -> None:
    world = make_world(db)
    installment = _installment(db, world)
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    issued = client.post(BASE, json=_invoice_body(installment, "30000"), headers=finance).json()
    assert (
        client.post(BASE, json=_invoice_body(installment, "1"), headers=finance).status_code == 422
    )

    voided = client.post(
        f"{BASE}/{issued['id']}/void", json={"reason": "抬头错误"}, headers=finance
    )
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["void_reason"]) == ("void", "抬头错误")
    assert _reload(db, installment).invoiced_amount == Decimal("0.00")
    again = client.post(f"{BASE}/{issued['id']}/void", json={"reason": "x"}, headers=finance)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invoice_already_void")
    reissued = client.post(BASE, json=_invoice_body(installment, "30000"), headers=finance)
    assert reissued.status_code == 201
    assert reissued.json()["number"] == "SUB-A-FP-2026-000002"


def test_only_signed_active_or_completed_contracts_are_invoiced(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _finance, finance = as_user(client, db, world.sub_a, "finance")
    for status, expected in (("draft", 422), ("approved", 422), ("terminated", 422)):
        installment = _installment(db, world, status=status)
        db.commit()
        response = client.post(BASE, json=_invoice_body(installment, "100"), headers=finance)
        assert response.status_code == expected, (status, response.text)
        assert response.json()["error"]["code"] == "invoice_contract_status"
    for status in ("signed", "completed"):
        installment = _installment(db, world, status=status)
        db.commit()
        assert client.post(BASE, json=_invoice_body(installment, "100"), headers=finance).is_success


def test_bad_invoice_input_is_refused_with_field_errors(client: TestClient, db: Session) -> None:
    world = make_world(db)
    installment = _installment(db, world)
    _finance, finance = as_user(client, db, world.sub_a, "finance")

    tax = client.post(
        BASE, json=_invoice_body(installment, "100", tax_amount="100.01"), headers=finance
    )
    assert tax.status_code == 422
    assert tax.json()["error"]["fields"] == [
        {
            "field": "tax_amount",
            "code": "invoice_tax_exceeds_amount",
            "message": "税额不能大于含税金额",
        }
    ]
    for amount in ("0", "-5", "1.005"):
        bad = client.post(BASE, json=_invoice_body(installment, amount), headers=finance)
        assert bad.status_code == 422, amount
        assert bad.json()["error"]["fields"][0]["field"] == "amount"
    extra = client.post(BASE, json=_invoice_body(installment, "1", unit_id="x"), headers=finance)
    assert extra.json()["error"]["fields"][0]["code"] == "extra_forbidden"
    kind = client.post(BASE, json=_invoice_body(installment, "1", kind="receipt"), headers=finance)
    assert kind.json()["error"]["fields"][0]["field"] == "kind"
    assert db.execute(select(func.count()).select_from(Invoice)).scalar_one() == 0


def test_invoicing_outside_ones_reach(client: TestClient, db: Session) -> None:
    world = make_world(db)
    in_a = _installment(db, world)
    account_b = make_account(db, world.dept_b)
    in_b = make_installment(
        db,
        make_contract(db, world.dept_b, account_b, currency="HKD"),
        due_date=date(2026, 5, 1),
        amount="500",
    )
    # No payment.write at all: 403.
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    assert client.post(BASE, json=_invoice_body(in_a, "1"), headers=vp).status_code == 403
    # An installment one cannot see does not exist for them.
    finance_user, finance = as_user(client, db, world.sub_a, "finance")
    hidden = client.post(BASE, json=_invoice_body(in_b, "1"), headers=finance)
    assert hidden.status_code == 422
    assert hidden.json()["error"]["fields"][0] == {
        "field": "installment_id",
        "code": "unknown_reference",
        "message": "引用的记录不存在",
    }
    # One they read (auditor over the group) but may not write: 403 out_of_scope.
    grant(db, finance_user, "auditor", world.group)
    db.commit()
    seen = client.post(BASE, json=_invoice_body(in_b, "1"), headers=finance)
    assert (seen.status_code, seen.json()["error"]["code"]) == (403, "out_of_scope")
    # A rep (own scope) invoices their own deals only.
    rep, rep_headers = as_user(client, db, world.team_a, "sales_rep")
    mine = make_account(db, world.team_a, owner=rep)
    own = make_installment(
        db, make_contract(db, world.team_a, mine), due_date=date(2026, 5, 1), amount="800"
    )
    db.commit()
    assert client.post(BASE, json=_invoice_body(own, "800"), headers=rep_headers).status_code == 201
    assert client.post(BASE, json=_invoice_body(in_a, "1"), headers=rep_headers).status_code == 422


def test_the_invoice_list_filters_on_the_server(client: TestClient, db: Session) -> None:
    world = make_world(db)
    first = _installment(db, world)
    second = _installment(db, world)
    a = make_invoice(db, first, amount="100", number="SUB-A-FP-2026-000101")
    b = make_invoice(db, second, amount="200", number="SUB-A-FP-2026-000102")
    b.issued_on = b.issued_on.replace(day=1)
    b.external_number = "EXT-778"
    c = make_invoice(db, second, amount="300", number="SUB-A-FP-2026-000103")
    c.status = "void"
    _finance, finance = as_user(client, db, world.sub_a, "finance")

    def ids(**params: str) -> list[str]:
        response = client.get(BASE, params=params, headers=finance)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert set(ids()) == {str(a.id), str(b.id), str(c.id)}
    assert ids(contract_id=str(first.contract_id)) == [str(a.id)]
    assert ids(account_id=str(second.account_id), status="issued") == [str(b.id)]
    assert ids(status="void") == [str(c.id)]
    assert ids(issued_to="2026-06-15") == [str(b.id)]
    assert set(ids(issued_from="2026-06-15")) == {str(a.id), str(c.id)}
    assert ids(q="ext-778") == [str(b.id)]
    assert ids(q="000103") == [str(c.id)]
    assert ids(sort="amount") == [str(a.id), str(b.id), str(c.id)]
    assert client.get(BASE, params={"sort": "nope"}, headers=finance).status_code == 422
