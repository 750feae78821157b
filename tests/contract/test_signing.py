"""Signing is guarded by approvals (审批): the ``contract.sign`` policy, and the
``credit.override`` approval while the account is on credit hold. Everything goes through
the API, including the approvers' decisions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.approval import ApprovalRequest
from flotilla.models.identity import User
from flotilla.models.ltc import Contract
from tests.fixtures.contract import (
    make_contract_world,
    make_credit_hold,
    make_fx_rate,
    make_policy,
)
from tests.fixtures.factories import World, as_user, login, make_user
from tests.fixtures.process import make_account

BASE = "/api/v1/contracts"
APPROVALS = "/api/v1/approvals"
EN = {"Accept-Language": "en-US"}
# ¥100,000 in two installments: 40% on signing, 60% on acceptance.
PLAN = [
    {"label": "签约款 40%", "due_date": "2026-06-30", "amount": "40000.00"},
    {"label": "验收款 60%", "due_date": "2026-12-31", "amount": "60000.00"},
]


class Cast:
    """A rep of team A who owns the deal, and finance staff of subsidiary A who approve."""

    def __init__(self, client: TestClient, db: Session) -> None:
        self.client = client
        self.world: World = make_contract_world(db)
        self.rep, self.rep_headers = as_user(client, db, self.world.team_a, "sales_rep")
        self.finance: User = make_user(db, self.world.sub_a, "finance")
        self.account = make_account(db, self.world.team_a, self.rep, name="华南机场集团有限公司")
        db.commit()
        self.finance_headers = login(client, self.finance)

    def new_contract(self, amount: str = "100000.00", **body: Any) -> dict[str, Any]:
        response = self.client.post(
            BASE,
            json={"account_id": str(self.account.id), "amount": amount, **body},
            headers=self.rep_headers,
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def plan(self, contract: dict[str, Any], plan: list[dict[str, str]] = PLAN) -> None:
        response = self.client.put(
            f"{BASE}/{contract['id']}/payment-plan",
            json={"installments": plan},
            headers=self.rep_headers,
        )
        assert response.status_code == 200, response.text

    def post(self, contract: dict[str, Any], action: str, **body: Any) -> Any:
        return self.client.post(
            f"{BASE}/{contract['id']}/{action}", json=body, headers=self.rep_headers | EN
        )

    def get(self, contract: dict[str, Any]) -> dict[str, Any]:
        response = self.client.get(f"{BASE}/{contract['id']}", headers=self.rep_headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def decide(self, request_id: str, verdict: str, comment: str | None = None) -> Any:
        return self.client.post(
            f"{APPROVALS}/{request_id}/{verdict}",
            json={"comment": comment} if comment else {},
            headers=self.finance_headers,
        )


@pytest.fixture
def cast(client: TestClient, db: Session) -> Cast:
    return Cast(client, db)


def stored_request(db: Session, request_id: str) -> ApprovalRequest:
    db.expire_all()
    return db.execute(
        select(ApprovalRequest).where(ApprovalRequest.id == uuid.UUID(request_id))
    ).scalar_one()


def test_signing_is_impossible_until_the_approval_is_granted_and_then_consumes_it(
    cast: Cast, db: Session
) -> None:
    make_policy(db, "contract.sign")
    db.commit()
    contract = cast.new_contract()
    cast.plan(contract)

    blocked = cast.post(contract, "sign", signing_date="2026-06-15")
    assert blocked.status_code == 409
    error = blocked.json()["error"]
    assert error["code"] == "approval_pending"
    request_id = error["approval_request_id"]
    waiting = cast.get(contract)
    assert waiting["status"] == "pending_approval"
    assert waiting["approval"]["id"] == request_id
    assert (waiting["approval"]["status"], waiting["approval"]["step_name"]) == (
        "pending",
        "财务审核",
    )
    # The request is a fact kept although the signing failed.
    request = stored_request(db, request_id)
    assert (request.action, request.record_id, request.owner_id) == (
        "contract.sign",
        db.execute(select(Contract.id).where(Contract.number == contract["number"])).scalar_one(),
        cast.rep.id,
    )
    assert request.facts["amount"] == "100000.00"
    assert request.facts["amount_base"] == "100000.00"
    assert request.facts["credit_hold"] is False

    again = cast.post(contract, "sign", signing_date="2026-06-15")
    assert again.status_code == 409
    assert again.json()["error"]["approval_request_id"] == request_id

    approved = cast.decide(request_id, "approve", "同意签约")
    assert approved.status_code == 200, approved.text
    assert cast.get(contract)["status"] == "approved"

    signed = cast.post(contract, "sign", signing_date="2026-06-15")
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert (body["status"], body["signing_date"]) == ("signed", "2026-06-15")
    assert (body["signed_by_id"], body["approval_request_id"]) == (str(cast.rep.id), request_id)
    assert body["approval"]["consumed_at"] is not None
    assert stored_request(db, request_id).consumed_at is not None

    frozen = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": body["version"], "amount": "90000.00"},
        headers=cast.rep_headers,
    )
    assert frozen.status_code == 409
    assert frozen.json()["error"]["code"] == "contract_frozen"


def test_submit_raises_the_request_and_the_approval_moves_the_contract(
    cast: Cast, db: Session
) -> None:
    make_policy(db, "contract.sign")
    db.commit()
    contract = cast.new_contract()
    submitted = cast.post(contract, "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "pending_approval"
    request_id = submitted.json()["approval"]["id"]
    assert submitted.json()["approval_request_id"] == request_id

    twice = cast.post(contract, "submit")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "contract_bad_state"

    assert cast.decide(request_id, "approve").status_code == 200
    assert cast.get(contract)["status"] == "approved"
    # A plan is still needed before signing, approval or not.
    unplanned = cast.post(contract, "sign", signing_date="2026-06-15")
    assert unplanned.status_code == 422
    error = unplanned.json()["error"]
    assert error["code"] == "payment_plan_incomplete"
    assert (error["expected"], error["planned"]) == ("100000.00", "0.00")
    assert error["message"] == "The payment plan totals 0.00 but the contract amount is 100000.00"
    cast.plan(contract)
    assert cast.post(contract, "sign", signing_date="2026-06-14").status_code == 200


def test_a_rejection_returns_the_contract_to_draft_and_stays_visible(
    cast: Cast, db: Session
) -> None:
    make_policy(db, "contract.sign")
    db.commit()
    contract = cast.new_contract()
    request_id = cast.post(contract, "submit").json()["approval"]["id"]
    rejected = cast.decide(request_id, "reject", "付款条件过于宽松")
    assert rejected.status_code == 200, rejected.text
    detail = cast.get(contract)
    assert detail["status"] == "draft"
    assert (detail["approval"]["id"], detail["approval"]["status"]) == (request_id, "rejected")
    assert detail["approval"]["comment"] == "付款条件过于宽松"
    # A fresh submission raises a fresh request.
    resubmitted = cast.post(contract, "submit")
    assert resubmitted.status_code == 200
    assert resubmitted.json()["approval"]["id"] != request_id


def test_changing_a_fact_the_policy_reads_voids_the_request_and_a_title_does_not(
    cast: Cast, db: Session
) -> None:
    # Finance reviews contracts of ¥50,000 and more, or with payment terms over 60 days.
    make_policy(
        db,
        "contract.sign",
        condition={
            "any": [
                {"field": "amount_base", "op": "gte", "value": "50000"},
                {"field": "payment_days", "op": "gt", "value": 60},
            ]
        },
    )
    db.commit()
    contract = cast.new_contract()
    submitted = cast.post(contract, "submit").json()
    request_id = submitted["approval"]["id"]

    retitled = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": submitted["version"], "title": "航站楼弱电改造合同"},
        headers=cast.rep_headers,
    )
    assert retitled.status_code == 200, retitled.text
    assert retitled.json()["status"] == "pending_approval"
    assert stored_request(db, request_id).status == "pending"

    repriced = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": retitled.json()["version"], "amount": "120000.00"},
        headers=cast.rep_headers,
    )
    assert repriced.status_code == 200, repriced.text
    assert repriced.json()["status"] == "draft"
    assert repriced.json()["approval"]["status"] == "voided"
    voided = stored_request(db, request_id)
    assert voided.status == "voided"
    assert "amount_base" in (voided.void_reason or "")

    # Below the threshold nothing needs approving: submit approves at once.
    small = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": repriced.json()["version"], "amount": "49999.99"},
        headers=cast.rep_headers,
    )
    assert small.status_code == 200, small.text
    approved = cast.post(contract, "submit")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approval_request_id"]) == (
        "approved",
        None,
    )


def test_without_a_policy_a_contract_is_approved_on_submit_and_signs(cast: Cast) -> None:
    contract = cast.new_contract()
    cast.plan(contract)
    assert cast.post(contract, "submit").json()["status"] == "approved"
    signed = cast.post(contract, "sign", signing_date="2026-06-15")
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed"
    assert signed.json()["approval"] is None


def test_an_approval_without_a_request_lapses_when_a_fact_changes(cast: Cast) -> None:
    contract = cast.new_contract()
    approved = cast.post(contract, "submit").json()
    assert (approved["status"], approved["approval_request_id"]) == ("approved", None)
    retitled = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": approved["version"], "title": "新标题", "terms": "新条款"},
        headers=cast.rep_headers,
    )
    assert retitled.json()["status"] == "approved"
    longer_terms = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": retitled.json()["version"], "payment_days": 90},
        headers=cast.rep_headers,
    )
    assert longer_terms.status_code == 200, longer_terms.text
    assert longer_terms.json()["status"] == "draft"


def test_signing_checks_its_own_date_and_the_plan_dates(cast: Cast) -> None:
    contract = cast.new_contract()
    cast.plan(contract)
    future = cast.post(contract, "sign", signing_date="2026-06-16")
    assert future.status_code == 422
    assert {(f["field"], f["code"]) for f in future.json()["error"]["fields"]} == {
        ("signing_date", "signing_date_in_future")
    }
    # The first installment is due 2026-06-30: a signing on 2026-07-01 would come after it.
    with_late_signing = cast.client.patch(
        f"{BASE}/{contract['id']}",
        json={"version": cast.get(contract)["version"], "start_date": "2026-07-01"},
        headers=cast.rep_headers,
    )
    assert with_late_signing.status_code == 200
    assert cast.post(contract, "sign", signing_date="2026-06-15").status_code == 200


def test_a_foreign_currency_contract_needs_this_month_s_average_rate(
    cast: Cast, db: Session
) -> None:
    make_policy(db, "contract.sign")
    db.commit()
    contract = cast.new_contract(amount="10000.00", currency="USD")
    missing = cast.post(contract, "submit")
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["code"] == "fx_rate_missing"
    assert all(part in error["message"] for part in ("USD", "CNY", "2026-06"))
    assert [(f["field"], f["code"]) for f in error["fields"]] == [("currency", "fx_rate_missing")]
    assert cast.get(contract)["status"] == "draft"

    make_fx_rate(db, "USD", "CNY", date(2026, 5, 1), "7.0000")  # last month: not used
    make_fx_rate(db, "USD", "CNY", date(2026, 6, 1), "7.1234")
    db.commit()
    submitted = cast.post(contract, "submit")
    assert submitted.status_code == 200, submitted.text
    # 10,000.00 USD × 7.1234 = 71,234.00 CNY
    request = stored_request(db, submitted.json()["approval"]["id"])
    assert (request.facts["amount"], request.facts["currency"]) == ("10000.00", "USD")
    assert request.facts["amount_base"] == "71234.00"
    assert (str(request.amount_base), request.base_currency) == ("71234.00", "CNY")


def test_an_account_on_credit_hold_needs_an_override_before_submit_and_sign(
    cast: Cast, db: Session
) -> None:
    make_credit_hold(
        db, cast.account, cast.world.sub_a, overdue_amount="87654.32", max_days_overdue=123
    )
    # The same account's hold in another subsidiary is none of this contract's business.
    make_credit_hold(db, cast.account, cast.world.sub_b, overdue_amount="55555.55")
    db.commit()
    contract = cast.new_contract()
    cast.plan(contract)
    assert cast.get(contract)["credit_hold"] is True

    blocked = cast.post(contract, "submit")
    assert blocked.status_code == 409
    error = blocked.json()["error"]
    assert error["code"] == "approval_pending"
    assert "87654" not in blocked.text and "55555" not in blocked.text
    override_id = error["approval_request_id"]
    override = stored_request(db, override_id)
    assert override.action == "credit.override"
    assert (override.facts["overdue_amount_base"], override.facts["max_days_overdue"]) == (
        "87654.32",
        123,
    )
    waiting = cast.get(contract)
    assert waiting["status"] == "draft"
    assert (waiting["credit_override"]["id"], waiting["credit_override"]["status"]) == (
        override_id,
        "pending",
    )
    assert cast.post(contract, "sign", signing_date="2026-06-15").status_code == 409

    assert cast.decide(override_id, "approve", "客户已承诺本月回款").status_code == 200
    submitted = cast.post(contract, "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "approved"  # no contract.sign policy
    signed = cast.post(contract, "sign", signing_date="2026-06-15")
    assert signed.status_code == 200, signed.text
    assert stored_request(db, override_id).consumed_at is not None


def test_terminating_a_contract_voids_its_open_request(cast: Cast, db: Session) -> None:
    make_policy(db, "contract.sign")
    db.commit()
    contract = cast.new_contract()
    request_id = cast.post(contract, "submit").json()["approval"]["id"]
    ended = cast.post(contract, "terminate", reason="客户取消")
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "terminated"
    assert stored_request(db, request_id).status == "voided"
    late = cast.decide(request_id, "approve")
    assert late.status_code == 409
    assert cast.get(contract)["status"] == "terminated"
