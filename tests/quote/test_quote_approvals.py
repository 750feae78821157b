"""Submitting quotes through the approval engine (action ``quote.submit``).

One group-wide policy: a discount beyond the rep's own authority needs the lowest of
sales manager / sales director whose discount authority covers it. The subsidiaries'
authority matrices differ, so the same 15% quote goes to different people."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.approval import ApprovalRequest, ApprovalTask
from flotilla.models.identity import User
from flotilla.models.ltc import PriceBook, Product, Quote
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.quote import (
    make_deal,
    make_fx_rate,
    make_price_book,
    make_product,
    make_quote_policy,
    set_limits,
    set_price,
)

BASE = "/api/v1/quotes"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@dataclass
class Seat:
    user: User
    headers: dict[str, str]


@dataclass
class Setup:
    world: World
    rep_a: Seat
    manager_a: Seat
    director_a: Seat
    rep_b: Seat
    manager_b: Seat
    director_b: Seat
    book: PriceBook
    product: Product


@pytest.fixture
def s(client: TestClient, db: Session) -> Setup:
    world = make_world(db)

    def seat(unit: OrgUnit, role: str) -> Seat:
        return Seat(*as_user(client, db, unit, role))

    setup = Setup(
        world=world,
        rep_a=seat(world.team_a, "sales_rep"),
        manager_a=seat(world.dept_a, "sales_manager"),
        director_a=seat(world.sub_a, "sales_director"),
        rep_b=seat(world.dept_b, "sales_rep"),
        manager_b=seat(world.dept_b, "sales_manager"),
        director_b=seat(world.sub_b, "sales_director"),
        book=make_price_book(db, currency="CNY"),
        product=make_product(db, code="MES-LIC", tax_rate="13"),
    )
    set_price(db, setup.book, setup.product, "10000.00", floor_price="7000")
    # Subsidiary A: manager 10%, director 20%. Subsidiary B: manager 20%, director 30%.
    for subsidiary, manager, director in ((world.sub_a, 10, 20), (world.sub_b, 20, 30)):
        set_limits(db, subsidiary, "sales_rep", discount_pct=5)
        set_limits(db, subsidiary, "sales_manager", discount_pct=manager)
        set_limits(db, subsidiary, "sales_director", discount_pct=director)
    make_quote_policy(db)
    # B keeps its books in HKD: a CNY quote there is converted at the month's average rate.
    make_fx_rate(db, "HKD", "CNY", "0.92")
    db.commit()
    return setup


def _quote(client: TestClient, db: Session, s: Setup, rep: Seat, discount: str) -> dict[str, Any]:
    unit = s.world.team_a if rep is s.rep_a else s.world.dept_b
    deal = make_deal(db, unit, rep.user)
    db.commit()
    response = client.post(
        BASE,
        json={
            "opportunity_id": str(deal.id),
            "price_book_id": str(s.book.id),
            "title": "MES 软件报价",
            "lines": [{"product_id": str(s.product.id), "quantity": 1, "discount_pct": discount}],
        },
        headers=rep.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _submit(client: TestClient, rep: Seat, quote: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{BASE}/{quote['id']}/submit", headers=rep.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _pending_approvers(db: Session, request_id: str) -> set[uuid.UUID]:
    db.expire_all()
    stmt = select(ApprovalTask.approver_id).where(
        ApprovalTask.request_id == uuid.UUID(request_id), ApprovalTask.status == "pending"
    )
    return set(db.execute(stmt).scalars())


def _request(db: Session, request_id: str) -> ApprovalRequest:
    db.expire_all()
    stmt = select(ApprovalRequest).where(ApprovalRequest.id == uuid.UUID(request_id))
    return db.execute(stmt).scalar_one()


def _status(db: Session, quote_id: str) -> str:
    db.expire_all()
    return db.execute(select(Quote.status).where(Quote.id == uuid.UUID(quote_id))).scalar_one()


def _put_discount(client: TestClient, s: Setup, rep: Seat, quote_id: str, discount: str) -> Any:
    current = client.get(f"{BASE}/{quote_id}", headers=rep.headers).json()
    return client.put(
        f"{BASE}/{quote_id}/lines",
        json={
            "version": current["version"],
            "lines": [{"product_id": str(s.product.id), "quantity": 1, "discount_pct": discount}],
        },
        headers=rep.headers,
    )


# --- the case -------------------------------------------------------------------------


def test_a_15_percent_quote_goes_to_the_director_in_a_and_to_the_manager_in_b(
    client: TestClient, db: Session, s: Setup
) -> None:
    in_a = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    in_b = _submit(client, s.rep_b, _quote(client, db, s, s.rep_b, "15"))

    assert (in_a["status"], in_a["discount_pct"]) == ("pending_approval", "15.00")
    assert in_a["approval_request_id"] is not None
    assert _pending_approvers(db, in_a["approval_request_id"]) == {s.director_a.user.id}
    assert in_a["approval"]["status"] == "pending"
    assert in_a["approval"]["step_name"] == "折扣授权审批"
    assert [a["user_id"] for a in in_a["approval"]["pending_approvers"]] == [
        str(s.director_a.user.id)
    ]

    assert in_b["status"] == "pending_approval"
    assert _pending_approvers(db, in_b["approval_request_id"]) == {s.manager_b.user.id}


def test_the_request_snapshots_the_quote_s_facts(client: TestClient, db: Session, s: Setup) -> None:
    quote = _submit(client, s.rep_b, _quote(client, db, s, s.rep_b, "15"))
    request = _request(db, quote["approval_request_id"])
    # 10,000.00 −15% = 8,500.00 + VAT 13% 1,105.00 = 9,605.00 CNY; B's base currency is HKD:
    # the HKD→CNY average 0.92 inverted is 1.08695652; 9,605.00 × 1.08695652 = 10,440.2174
    assert request.facts["amount"] == "9605.00"
    assert (request.facts["amount_base"], request.base_currency) == ("10440.22", "HKD")
    assert request.facts["currency"] == "CNY"
    assert request.facts["discount_pct"] == "15.00"
    assert request.facts["max_line_discount_pct"] == "15.00"
    assert request.facts["below_floor"] is False
    assert request.facts["payment_days"] == 30
    assert (request.facts["account.tier"], request.facts["account.value_class"]) == ("smb", "C")
    assert (request.record_type, request.record_id) == ("quote", uuid.UUID(quote["id"]))
    assert (request.owner_id, request.record_owner_id) == (s.rep_b.user.id, s.rep_b.user.id)
    assert (request.subsidiary_id, request.unit_id) == (s.world.sub_b.id, s.world.dept_b.id)
    assert request.record_label.startswith(quote["number"])


def test_approving_moves_the_quote_to_approved_and_sending_consumes_the_approval(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    request_id = quote["approval_request_id"]
    # Until it is approved the quote cannot go out: 409 naming the request.
    early = client.post(f"{BASE}/{quote['id']}/send", headers=s.rep_a.headers)
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "approval_pending"
    assert early.json()["error"]["approval_request_id"] == request_id
    assert _status(db, quote["id"]) == "pending_approval"
    # Only the resolved approver decides: the manager (10%) has no task on this request.
    by_manager = client.post(
        f"/api/v1/approvals/{request_id}/approve", json={}, headers=s.manager_a.headers
    )
    assert by_manager.status_code in (403, 404)
    assert _status(db, quote["id"]) == "pending_approval"

    approved = client.post(
        f"/api/v1/approvals/{request_id}/approve",
        json={"comment": "同意，战略客户"},
        headers=s.director_a.headers,
    )
    assert approved.status_code == 200, approved.text
    assert _status(db, quote["id"]) == "approved"
    detail = client.get(f"{BASE}/{quote['id']}", headers=s.rep_a.headers).json()
    assert (detail["status"], detail["approval"]["status"]) == ("approved", "approved")
    assert detail["approval"]["pending_approvers"] == []

    sent = client.post(f"{BASE}/{quote['id']}/send", headers=s.rep_a.headers)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    assert _request(db, request_id).consumed_at == NOW


def test_changing_a_line_discount_after_submission_voids_the_request(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    request_id = quote["approval_request_id"]
    changed = _put_discount(client, s, s.rep_a, quote["id"], "12")
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["approval_request_id"]) == ("draft", None)
    assert changed.json()["discount_pct"] == "12.00"
    voided = _request(db, request_id)
    assert voided.status == "voided"
    assert "discount_pct" in (voided.void_reason or "")
    assert _pending_approvers(db, request_id) == set()
    assert changed.json()["approval"]["status"] == "voided"

    # Submitting again raises a new request for the new facts.
    again = _submit(client, s.rep_a, changed.json())
    assert again["status"] == "pending_approval"
    assert again["approval_request_id"] not in (None, request_id)
    assert _request(db, again["approval_request_id"]).facts["discount_pct"] == "12.00"


def test_changing_the_title_does_not_void_the_request(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    renamed = client.patch(
        f"{BASE}/{quote['id']}",
        json={
            "version": quote["version"],
            "title": "MES 软件报价（含培训说明）",
            "notes": "附件见邮件",
        },
        headers=s.rep_a.headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["status"] == "pending_approval"
    assert renamed.json()["approval_request_id"] == quote["approval_request_id"]
    assert _request(db, quote["approval_request_id"]).status == "pending"
    # Same lines again (same facts): still the same request.
    same = _put_discount(client, s, s.rep_a, quote["id"], "15")
    assert same.json()["status"] == "pending_approval"
    assert _request(db, quote["approval_request_id"]).status == "pending"


def test_an_approved_quote_whose_discount_changes_goes_back_to_draft(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    client.post(
        f"/api/v1/approvals/{quote['approval_request_id']}/approve",
        json={},
        headers=s.director_a.headers,
    )
    current = client.get(f"{BASE}/{quote['id']}", headers=s.rep_a.headers).json()
    retitled = client.patch(
        f"{BASE}/{quote['id']}",
        json={"version": current["version"], "title": "新标题"},
        headers=s.rep_a.headers,
    )
    assert retitled.json()["status"] == "approved"
    raised = _put_discount(client, s, s.rep_a, quote["id"], "18")
    assert raised.json()["status"] == "draft"
    assert _request(db, quote["approval_request_id"]).status == "voided"
    refused = client.post(f"{BASE}/{quote['id']}/send", headers=s.rep_a.headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "quote_bad_state"


def test_a_discount_within_the_rep_s_authority_needs_no_approval(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "5"))
    assert (quote["status"], quote["approval_request_id"], quote["approval"]) == (
        "approved",
        None,
        None,
    )
    # The verdict was about a 5% quote: at 8% it must be submitted (and approved) again.
    raised = _put_discount(client, s, s.rep_a, quote["id"], "8")
    assert raised.json()["status"] == "draft"
    resubmitted = _submit(client, s.rep_a, raised.json())
    assert resubmitted["status"] == "pending_approval"
    assert _pending_approvers(db, resubmitted["approval_request_id"]) == {s.manager_a.user.id}


def test_a_rejected_quote_is_revised_into_a_new_draft(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    rejected = client.post(
        f"/api/v1/approvals/{quote['approval_request_id']}/reject",
        json={"comment": "折扣过高"},
        headers=s.director_a.headers,
    )
    assert rejected.status_code == 200, rejected.text
    assert _status(db, quote["id"]) == "rejected"
    locked = _put_discount(client, s, s.rep_a, quote["id"], "10")
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "quote_locked"
    revised = client.post(f"{BASE}/{quote['id']}/revise", headers=s.rep_a.headers)
    assert revised.status_code == 201, revised.text
    assert (revised.json()["status"], revised.json()["revision"]) == ("draft", 2)
    assert revised.json()["approval"] is None


def test_withdrawing_the_request_returns_the_quote_to_draft(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    withdrawn = client.post(
        f"/api/v1/approvals/{quote['approval_request_id']}/withdraw",
        json={},
        headers=s.rep_a.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert _status(db, quote["id"]) == "draft"


def test_revising_a_pending_quote_voids_its_request(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = _submit(client, s.rep_a, _quote(client, db, s, s.rep_a, "15"))
    revised = client.post(f"{BASE}/{quote['id']}/revise", headers=s.rep_a.headers)
    assert revised.status_code == 201, revised.text
    old_request = _request(db, quote["approval_request_id"])
    assert (old_request.status, old_request.void_reason) == ("voided", "quote_revised")
    assert _pending_approvers(db, quote["approval_request_id"]) == set()
    assert _status(db, quote["id"]) == "superseded"
    # The director no longer has anything to decide.
    late = client.post(
        f"/api/v1/approvals/{quote['approval_request_id']}/approve",
        json={},
        headers=s.director_a.headers,
    )
    assert late.status_code == 409
