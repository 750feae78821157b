"""Creating contracts from their source, editing them before and after signing, and the
status machine (without approvals: no policy applies in these tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.identity import Role, RoleGrant
from flotilla.models.ltc import Contract, PaymentInstallment
from flotilla.models.sales import ProcessVersion
from tests.fixtures.contract import (
    make_contract,
    make_contract_world,
    make_plan,
    make_quote,
)
from tests.fixtures.factories import World, as_user, login, make_user, make_world, unknown_id
from tests.fixtures.process import (
    SIMPLE_STAGES,
    latest_version,
    make_account,
    make_opportunity,
    make_template,
)

BASE = "/api/v1/contracts"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    return make_contract_world(db)


@pytest.fixture
def version(db: Session) -> ProcessVersion:
    return latest_version(db, make_template(db, SIMPLE_STAGES, code="SIMPLE-C"))


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def field_codes(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in error(response)["fields"]}


# --- create -------------------------------------------------------------------------------


def test_a_contract_from_an_accepted_quote_copies_its_commercial_terms(
    client: TestClient, db: Session, world: World, version: ProcessVersion
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, rep, name="华北电网物资有限公司")
    deal = make_opportunity(db, world.team_a, rep, version=version, account=account)
    quote = make_quote(
        db, deal, total="1130000.00", tax_amount="130000.00", payment_days=60, title="变电站改造"
    )
    db.commit()

    response = client.post(BASE, json={"quote_id": str(quote.id)}, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "SUB-A-HT-2026-000001"
    assert body["status"] == "draft"
    assert (body["amount"], body["tax_amount"], body["currency"]) == (
        "1130000.00",
        "130000.00",
        "CNY",
    )
    assert body["payment_days"] == 60
    assert body["title"] == "变电站改造"
    assert (body["quote_id"], body["opportunity_id"], body["account_id"]) == (
        str(quote.id),
        str(deal.id),
        str(account.id),
    )
    assert body["account_name"] == "华北电网物资有限公司"
    assert (body["subsidiary_id"], body["unit_id"], body["owner_id"]) == (
        str(world.sub_a.id),
        str(world.team_a.id),
        str(rep.id),
    )
    assert (body["selling_entity_id"], body["selling_entity_name"]) == (
        str(world.sub_a.id),
        "甲子公司",
    )
    assert body["credit_hold"] is False
    assert body["approval"] is None
    assert body["payment_plan"]["installments"] == []
    assert body["payment_plan"]["complete"] is False


def test_a_quote_backs_at_most_one_live_contract(
    client: TestClient, db: Session, world: World, version: ProcessVersion
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    quote = make_quote(db, make_opportunity(db, world.dept_a, version=version))
    db.commit()
    first = client.post(BASE, json={"quote_id": str(quote.id)}, headers=headers)
    assert first.status_code == 201, first.text

    again = client.post(BASE, json={"quote_id": str(quote.id)}, headers=headers | EN)
    assert again.status_code == 409
    assert error(again)["code"] == "contract_quote_in_use"
    assert error(again)["message"] == (
        "This quote already backs a contract; terminate that contract first"
    )

    ended = client.post(
        f"{BASE}/{first.json()['id']}/terminate", json={"reason": "客户改签"}, headers=headers
    )
    assert ended.status_code == 200, ended.text
    replacement = client.post(BASE, json={"quote_id": str(quote.id)}, headers=headers)
    assert replacement.status_code == 201, replacement.text
    # The refused attempt gave its number back: the series has no gap.
    assert replacement.json()["number"] == "SUB-A-HT-2026-000002"


def test_a_quote_must_be_accepted_and_fixes_the_commercial_terms(
    client: TestClient, db: Session, world: World, version: ProcessVersion
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    deal = make_opportunity(db, world.dept_a, version=version)
    sent = make_quote(db, deal, status="sent")
    accepted = make_quote(db, deal)
    db.commit()

    refused = client.post(BASE, json={"quote_id": str(sent.id)}, headers=headers | EN)
    assert refused.status_code == 409
    assert error(refused)["code"] == "contract_quote_not_accepted"
    assert "(status: sent)" in error(refused)["message"]

    overridden = client.post(
        BASE, json={"quote_id": str(accepted.id), "amount": "1.00"}, headers=headers
    )
    assert overridden.status_code == 422
    assert field_codes(overridden) == {("amount", "contract_quote_field")}


def test_a_contract_from_a_won_opportunity(
    client: TestClient, db: Session, world: World, version: ProcessVersion
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    won = make_opportunity(
        db, world.team_a, rep, version=version, stage_code="won", amount="560000.00"
    )
    open_deal = make_opportunity(db, world.team_a, rep, version=version)
    db.commit()

    response = client.post(
        BASE,
        json={
            "opportunity_id": str(won.id),
            "amount": "565000.00",
            "tax_amount": "65000.00",
            "start_date": "2026-07-01",
            "end_date": "2027-06-30",
            "terms": "验收后 30 日内付款",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["amount"], body["tax_amount"]) == ("565000.00", "65000.00")
    assert (body["opportunity_id"], body["account_id"]) == (str(won.id), str(won.account_id))
    assert body["title"] == won.name
    assert (body["start_date"], body["end_date"], body["terms"]) == (
        "2026-07-01",
        "2027-06-30",
        "验收后 30 日内付款",
    )

    not_won = client.post(BASE, json={"opportunity_id": str(open_deal.id)}, headers=headers)
    assert not_won.status_code == 409
    assert error(not_won)["code"] == "contract_opportunity_not_won"


def test_a_contract_for_an_account_takes_the_subsidiary_currency_and_its_own_series(
    client: TestClient, db: Session, world: World
) -> None:
    _vp, headers = as_user(client, db, world.group, "group_admin")
    account_a = make_account(db, world.team_a)
    account_b = make_account(db, world.dept_b)
    db.commit()
    first_a = client.post(
        BASE, json={"account_id": str(account_a.id), "amount": "100.00"}, headers=headers
    )
    first_b = client.post(
        BASE,
        json={"account_id": str(account_b.id), "amount": "2500.50", "title": "港岛项目"},
        headers=headers,
    )
    second_a = client.post(
        BASE,
        json={"account_id": str(account_a.id), "amount": "300.00", "currency": "usd"},
        headers=headers,
    )
    assert [r.status_code for r in (first_a, first_b, second_a)] == [201, 201, 201]
    assert [r.json()["number"] for r in (first_a, first_b, second_a)] == [
        "SUB-A-HT-2026-000001",
        "SUB-B-HT-2026-000001",
        "SUB-A-HT-2026-000002",
    ]
    assert [r.json()["currency"] for r in (first_a, first_b, second_a)] == ["CNY", "HKD", "USD"]
    assert first_b.json()["selling_entity_id"] == str(world.sub_b.id)


def test_the_number_follows_the_subsidiary_s_local_year(
    client: TestClient, db: Session, world: World
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a)
    db.commit()
    # 2026-12-31 17:30 UTC is already 2027-01-01 01:30 in Shanghai.
    with clock.frozen_at(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)):
        headers = as_user(client, db, world.sub_a, "sales_director")[1]
        response = client.post(
            BASE, json={"account_id": str(account.id), "amount": "1.00"}, headers=headers
        )
    assert response.status_code == 201, response.text
    assert response.json()["number"] == "SUB-A-HT-2027-000001"


def test_exactly_one_source_is_required(client: TestClient, db: Session, world: World) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a)
    db.commit()
    nothing = client.post(BASE, json={"amount": "1.00"}, headers=headers | EN)
    assert nothing.status_code == 422
    assert error(nothing)["code"] == "contract_source_required"
    assert error(nothing)["message"] == (
        "Give exactly one source: a quote, an opportunity or an account"
    )
    both = client.post(
        BASE,
        json={"account_id": str(account.id), "opportunity_id": str(unknown_id()), "amount": "1"},
        headers=headers,
    )
    assert both.status_code == 422
    assert field_codes(both) == {
        ("opportunity_id", "contract_source_required"),
        ("account_id", "contract_source_required"),
    }
    no_amount = client.post(BASE, json={"account_id": str(account.id)}, headers=headers)
    assert no_amount.status_code == 422
    assert field_codes(no_amount) == {("amount", "missing")}


def test_bad_input_is_refused_field_by_field_in_both_languages(
    client: TestClient, db: Session, world: World
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a)
    db.commit()
    body = {
        "account_id": str(account.id),
        "amount": "100.00",
        "tax_amount": "100.01",
        "start_date": "2026-07-01",
        "end_date": "2026-06-30",
    }
    zh = client.post(BASE, json=body, headers=headers)
    en = client.post(BASE, json=body, headers=headers | EN)
    assert zh.status_code == en.status_code == 422
    assert field_codes(en) == {
        ("tax_amount", "contract_tax_exceeds_amount"),
        ("end_date", "contract_end_before_start"),
    }
    assert {f["message"] for f in error(zh)["fields"]} == {
        "税额不能大于合同金额（含税）",
        "结束日期不能早于开始日期",
    }
    assert {f["message"] for f in error(en)["fields"]} == {
        "The tax cannot exceed the contract amount (tax included)",
        "The end date cannot be before the start date",
    }
    shapes = client.post(
        BASE,
        json={
            "account_id": str(account.id),
            "amount": "100.001",
            "currency": "RMB",
            "surprise": 1,
        },
        headers=headers,
    )
    assert shapes.status_code == 422
    assert {f for f, _code in field_codes(shapes)} == {"amount", "surprise"}
    bad_currency = client.post(
        BASE,
        json={"account_id": str(account.id), "amount": "1", "currency": "XYZ"},
        headers=headers,
    )
    assert field_codes(bad_currency) == {("currency", "invalid_currency")}
    assert db.execute(select(Contract)).first() is None


def test_the_source_must_be_within_the_caller_s_write_reach(
    client: TestClient, db: Session, world: World
) -> None:
    _rep, rep_headers = as_user(client, db, world.team_a, "sales_rep")
    colleague = make_user(db, world.team_a, "sales_rep")
    theirs = make_account(db, world.team_a, colleague)
    other_subsidiary = make_account(db, world.dept_b)
    _director, director = as_user(client, db, world.sub_a, "sales_director")
    db.commit()
    for headers, account in ((rep_headers, theirs), (director, other_subsidiary)):
        response = client.post(
            BASE, json={"account_id": str(account.id), "amount": "1.00"}, headers=headers
        )
        assert response.status_code == 422
        assert field_codes(response) == {("account_id", "unknown_reference")}
        assert str(account.id) not in response.text


def test_a_source_the_caller_sees_but_cannot_contract_for_is_403(
    client: TestClient, db: Session, world: World
) -> None:
    # A clerk who reads every account of the group but writes contracts for their own only.
    clerk_role = Role(
        code="contract_clerk",
        name="合同专员",
        data_scope="own",
        permissions=["contract.read", "contract.write"],
    )
    db.add(clerk_role)
    clerk = make_user(db, world.team_a, "auditor", grant_unit=world.group)
    db.add(RoleGrant(user_id=clerk.id, role_id=clerk_role.id, unit_id=world.team_a.id))
    someone_elses = make_account(db, world.team_a, make_user(db, world.team_a, "sales_rep"))
    own = make_account(db, world.team_a, clerk)
    db.commit()
    headers = login(client, clerk)
    refused = client.post(
        BASE, json={"account_id": str(someone_elses.id), "amount": "1.00"}, headers=headers
    )
    assert refused.status_code == 403
    assert error(refused)["code"] == "out_of_scope"
    allowed = client.post(BASE, json={"account_id": str(own.id), "amount": "1.00"}, headers=headers)
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["owner_id"] == str(clerk.id)


def test_a_subsidiary_without_a_uscc_cannot_sell(client: TestClient, db: Session) -> None:
    world = make_world(db)  # no USCC on the subsidiaries
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a)
    db.commit()
    response = client.post(
        BASE, json={"account_id": str(account.id), "amount": "1.00"}, headers=headers | EN
    )
    assert response.status_code == 409
    assert error(response)["code"] == "contract_entity_no_uscc"
    assert "甲子公司" in error(response)["message"]


# --- list -----------------------------------------------------------------------------------


def test_the_list_filters_and_sorts_on_the_server(
    client: TestClient, db: Session, world: World
) -> None:
    rep = make_user(db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, rep)
    signed_early = make_contract(
        db,
        world.team_a,
        rep,
        account=account,
        status="signed",
        signing_date=date(2026, 2, 1),
        amount="300.00",
        title="早签合同",
    )
    signed_late = make_contract(
        db, world.dept_a, status="active", signing_date=date(2026, 5, 1), amount="100.00"
    )
    draft = make_contract(db, world.dept_a, amount="200.00", title="草稿合同")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    def ids(**params: Any) -> list[str]:
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(sort="amount") == [str(signed_late.id), str(draft.id), str(signed_early.id)]
    assert ids(sort="-amount") == [str(signed_early.id), str(draft.id), str(signed_late.id)]
    # Unsigned contracts sort last either way.
    assert ids(sort="signing_date") == [str(signed_early.id), str(signed_late.id), str(draft.id)]
    assert ids(sort="-signing_date") == [str(signed_late.id), str(signed_early.id), str(draft.id)]
    assert ids(status="draft") == [str(draft.id)]
    assert ids(account_id=str(account.id)) == [str(signed_early.id)]
    assert ids(owner_id=str(rep.id)) == [str(signed_early.id)]
    assert ids(signed_from="2026-03-01") == [str(signed_late.id)]
    assert ids(signed_to="2026-03-01") == [str(signed_early.id)]
    assert ids(q="早签") == [str(signed_early.id)]
    assert ids(q=signed_late.number.lower()) == [str(signed_late.id)]
    paged = client.get(BASE, params={"limit": 2, "sort": "amount"}, headers=headers).json()
    rest = client.get(
        BASE, params={"limit": 2, "sort": "amount", "cursor": paged["next_cursor"]}, headers=headers
    ).json()
    assert [i["id"] for i in paged["items"] + rest["items"]] == ids(sort="amount")
    bad = client.get(BASE, params={"sort": "title"}, headers=headers)
    assert bad.status_code == 422


# --- edit -----------------------------------------------------------------------------------


def test_commercial_fields_are_editable_before_signing(
    client: TestClient, db: Session, world: World
) -> None:
    contract = make_contract(db, world.team_a, amount="1000.00")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.patch(
        f"{BASE}/{contract.id}",
        json={
            "version": contract.version,
            "amount": "1200.00",
            "tax_amount": "138.05",
            "payment_days": 90,
            "terms": "分三期付款",
            "end_date": "2027-01-31",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["amount"], body["tax_amount"], body["payment_days"]) == ("1200.00", "138.05", 90)
    assert (body["terms"], body["end_date"], body["status"]) == (
        "分三期付款",
        "2027-01-31",
        "draft",
    )
    stale = client.patch(
        f"{BASE}/{contract.id}", json={"version": contract.version, "title": "x"}, headers=headers
    )
    assert stale.status_code == 409
    assert error(stale)["code"] == "version_conflict"
    cleared = client.patch(
        f"{BASE}/{contract.id}",
        json={"version": body["version"], "amount": None},
        headers=headers,
    )
    assert field_codes(cleared) == {("amount", "missing")}


@pytest.mark.parametrize("status", ["signed", "active", "completed"])
def test_after_signing_commercial_fields_are_frozen(
    client: TestClient, db: Session, world: World, status: str
) -> None:
    contract = make_contract(
        db, world.team_a, amount="1000.00", status=status, signing_date=date(2026, 6, 1)
    )
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.patch(
        f"{BASE}/{contract.id}",
        json={"version": contract.version, "amount": "900.00", "terms": "新条款"},
        headers=headers | EN,
    )
    assert response.status_code == 409
    assert error(response)["code"] == "contract_frozen"
    assert field_codes(response) == {("amount", "contract_frozen"), ("terms", "contract_frozen")}
    assert "only through an amendment" in error(response)["message"]
    # Sending the value it already has is not a change.
    same = client.patch(
        f"{BASE}/{contract.id}",
        json={"version": contract.version, "amount": "1000.00"},
        headers=headers,
    )
    assert same.status_code == 200, same.text
    db.expire_all()
    assert db.execute(select(Contract.amount).where(Contract.id == contract.id)).scalar_one() == (
        contract.amount
    )


def test_a_signed_contract_can_change_hands_and_its_plan_follows(
    client: TestClient, db: Session, world: World
) -> None:
    contract = make_contract(db, world.team_a, status="signed", signing_date=date(2026, 6, 1))
    make_plan(
        db,
        contract,
        [("首付", date(2026, 7, 1), "40000.00"), ("尾款", date(2026, 9, 1), "60000.00")],
    )
    successor = make_user(db, world.dept_a, "sales_rep")
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")
    response = client.patch(
        f"{BASE}/{contract.id}",
        json={
            "version": contract.version,
            "unit_id": str(world.dept_a.id),
            "owner_id": str(successor.id),
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["unit_id"], response.json()["owner_id"]) == (
        str(world.dept_a.id),
        str(successor.id),
    )
    db.expire_all()
    placements = {
        (row.unit_id, row.owner_id)
        for row in db.execute(
            select(PaymentInstallment).where(PaymentInstallment.contract_id == contract.id)
        ).scalars()
    }
    assert placements == {(world.dept_a.id, successor.id)}


def test_a_contract_stays_in_its_subsidiary(client: TestClient, db: Session, world: World) -> None:
    contract = make_contract(db, world.team_a)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.patch(
        f"{BASE}/{contract.id}",
        json={"version": contract.version, "unit_id": str(world.dept_b.id)},
        headers=headers,
    )
    assert response.status_code == 422
    assert field_codes(response) == {("unit_id", "contract_other_subsidiary")}


# --- status machine -------------------------------------------------------------------------


def test_wrong_state_transitions_are_refused_with_the_state(
    client: TestClient, db: Session, world: World
) -> None:
    draft = make_contract(db, world.team_a)
    completed = make_contract(db, world.team_a, status="completed", signing_date=date(2026, 1, 1))
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    for contract, action, body in (
        (draft, "activate", {}),
        (draft, "complete", {}),
        (completed, "terminate", {"reason": "x"}),
        (completed, "submit", {}),
        (completed, "sign", {"signing_date": "2026-06-01"}),
    ):
        response = client.post(f"{BASE}/{contract.id}/{action}", json=body, headers=headers | EN)
        assert response.status_code == 409, (action, response.text)
        assert error(response)["code"] == "contract_bad_state"
        assert error(response)["message"] == f"Not possible while the contract is {contract.status}"


def test_a_draft_is_ended_by_termination_and_keeps_its_number(
    client: TestClient, db: Session, world: World
) -> None:
    contract = make_contract(db, world.team_a)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.post(
        f"{BASE}/{contract.id}/terminate", json={"reason": "客户取消采购"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["termination_reason"], body["number"]) == (
        "terminated",
        "客户取消采购",
        contract.number,
    )
    assert body["terminated_at"] is not None
    again = client.post(f"{BASE}/{contract.id}/terminate", json={"reason": "x"}, headers=headers)
    assert again.status_code == 409
    edit = client.patch(
        f"{BASE}/{contract.id}", json={"version": body["version"], "title": "x"}, headers=headers
    )
    assert edit.status_code == 409
    assert error(edit)["code"] == "contract_bad_state"
    assert client.delete(f"{BASE}/{contract.id}", headers=headers).status_code == 405


def test_an_active_contract_completes_only_when_fully_paid(
    client: TestClient, db: Session, world: World
) -> None:
    contract = make_contract(
        db, world.team_a, amount="100000.00", status="signed", signing_date=date(2026, 3, 1)
    )
    make_plan(
        db,
        contract,
        [("预付款", date(2026, 3, 15), "30000.00"), ("验收款", date(2026, 6, 1), "70000.00")],
        paid=["30000.00", "69999.99"],
    )
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    early = client.post(f"{BASE}/{contract.id}/complete", json={}, headers=headers)
    assert early.status_code == 409
    assert error(early)["code"] == "contract_bad_state"
    activated = client.post(f"{BASE}/{contract.id}/activate", headers=headers)
    assert activated.status_code == 200, activated.text
    assert activated.json()["status"] == "active"

    refused = client.post(f"{BASE}/{contract.id}/complete", json={}, headers=headers | EN)
    assert refused.status_code == 409
    assert error(refused)["code"] == "contract_not_fully_paid"
    assert "(0.01 CNY outstanding)" in error(refused)["message"]

    last = db.execute(
        select(PaymentInstallment).where(
            PaymentInstallment.contract_id == contract.id, PaymentInstallment.seq == 2
        )
    ).scalar_one()
    last.paid_amount = last.amount
    db.commit()
    done = client.post(f"{BASE}/{contract.id}/complete", json={}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert done.json()["completed_at"] is not None
