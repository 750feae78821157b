"""Quotes through the API: pricing from the book, totals, validation, editing, the status
machine and revisions. (Approvals: ``test_quote_approvals.py``; scope:
``test_quote_scope.py``.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import RoleGrant, User
from flotilla.models.ltc import PriceBook, Product, Quote, QuoteLine
from flotilla.models.sales import Opportunity
from tests.fixtures.factories import World, as_user, login, make_world, unknown_id
from tests.fixtures.quote import (
    make_deal,
    make_fx_rate,
    make_price_book,
    make_product,
    make_quote,
    set_price,
)

BASE = "/api/v1/quotes"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
EN = {"Accept-Language": "en-US"}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@dataclass
class Setup:
    world: World
    rep: User
    headers: dict[str, str]
    deal: Opportunity
    book: PriceBook
    licence: Product
    service: Product
    unpriced: Product


@pytest.fixture
def s(client: TestClient, db: Session) -> Setup:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    deal = make_deal(db, world.team_a, rep, name="智慧工厂一期")
    book = make_price_book(db, code="GROUP-CNY")
    licence = make_product(db, code="MES-LIC", name="MES 软件许可", tax_rate="13", unit="套")
    service = make_product(db, code="IMPL-DAY", name="实施服务", tax_rate="6", unit="人天")
    unpriced = make_product(db, code="NOT-IN-BOOK")
    set_price(db, book, licence, "12345.67", floor_price="10000")
    set_price(db, book, service, "1999.99")
    db.commit()
    return Setup(world, rep, headers, deal, book, licence, service, unpriced)


def _create(client: TestClient, s: Setup, **overrides: Any) -> Any:
    body: dict[str, Any] = {
        "opportunity_id": str(s.deal.id),
        "price_book_id": str(s.book.id),
        "title": "MES 一期报价",
        "valid_until": "2026-12-31",
        "payment_days": 45,
        "lines": [
            {"product_id": str(s.licence.id), "quantity": "3", "discount_pct": "15"},
            {"product_id": str(s.service.id), "quantity": "1.5", "discount_pct": 10},
        ],
    }
    headers = overrides.pop("headers", s.headers)
    body.update(overrides)
    return client.post(BASE, json=body, headers=headers)


def _fields(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


def _quote_count(db: Session) -> int:
    db.expire_all()
    return len(db.execute(select(Quote.id)).all())


# --- creating and pricing -------------------------------------------------------------------


def test_a_rep_quotes_a_deal_with_totals_worked_out_to_the_cent(
    client: TestClient, db: Session, s: Setup
) -> None:
    response = _create(client, s)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "SUB-A-QT-2026-000001"
    assert (body["revision"], body["is_current"], body["status"]) == (1, True, "draft")
    assert body["currency"] == "CNY"
    assert (body["opportunity_name"], body["account_id"]) == (
        "智慧工厂一期",
        str(s.deal.account_id),
    )
    assert (body["subsidiary_id"], body["unit_id"], body["owner_id"]) == (
        str(s.world.sub_a.id),
        str(s.world.team_a.id),
        str(s.rep.id),
    )
    assert body["owner_name"] == s.rep.display_name
    assert body["price_book_name"] == s.book.name
    # Worked by hand (tests/quote/test_pricing.py has the arithmetic):
    # licence 3 × 12,345.67 −15%: net price 10,493.82, net 31,481.46, VAT 13% 4,092.59
    # service 1.5 × 1,999.99 −10%: net price 1,799.99, list 2,999.985 → 2,999.99,
    #         net 2,699.985 → 2,699.99 (half-cents round up), VAT 6% 162.00
    licence, service = body["lines"]
    assert (licence["position"], licence["product_code"], licence["unit"]) == (1, "MES-LIC", "套")
    assert licence["list_price"] == "12345.67"
    assert licence["net_price"] == "10493.82"
    assert licence["list_amount"] == "37037.01"
    assert licence["net_amount"] == "31481.46"
    assert (licence["tax_rate"], licence["tax_amount"]) == ("13.00", "4092.59")
    assert licence["line_total"] == "35574.05"
    assert (service["quantity"], service["unit"]) == ("1.5000", "人天")
    assert service["list_amount"] == "2999.99"
    assert service["net_amount"] == "2699.99"
    assert (service["tax_amount"], service["line_total"]) == ("162.00", "2861.99")
    assert body["subtotal_list"] == "40037.00"
    assert body["subtotal_net"] == "34181.45"
    assert body["discount_amount"] == "5855.55"
    assert body["discount_pct"] == "14.63"
    assert body["max_line_discount_pct"] == "15.00"
    assert body["tax_amount"] == "4254.59"
    assert body["total"] == "38436.04"
    assert body["below_floor"] is False
    assert body["approval"] is None

    stored = db.execute(select(Quote).where(Quote.id == uuid.UUID(body["id"]))).scalar_one()
    assert (stored.payment_days, stored.valid_until) == (45, date(2026, 12, 31))


def test_numbers_follow_the_subsidiary_series_without_gaps(
    client: TestClient, db: Session, s: Setup
) -> None:
    first = _create(client, s)
    refused = _create(client, s, lines=[{"product_id": str(s.unpriced.id), "quantity": 1}])
    second = _create(client, s)
    assert refused.status_code == 422
    assert [first.json()["number"], second.json()["number"]] == [
        "SUB-A-QT-2026-000001",
        "SUB-A-QT-2026-000002",
    ]


def test_a_client_may_send_a_net_price_instead_of_a_discount(client: TestClient, s: Setup) -> None:
    response = _create(
        client, s, lines=[{"product_id": str(s.licence.id), "quantity": 3, "net_price": "9999.5"}]
    )
    assert response.status_code == 201, response.text
    line = response.json()["lines"][0]
    # (12,345.67 − 9,999.50) / 12,345.67 = 19.0042…% → 19.00; the net price stays as sent
    assert (line["net_price"], line["discount_pct"]) == ("9999.50", "19.00")
    assert line["net_amount"] == "29998.50"
    # below the floor of 10,000.00
    assert line["below_floor"] is True
    assert response.json()["below_floor"] is True


def test_prices_come_from_the_book_never_from_the_client(
    client: TestClient, db: Session, s: Setup
) -> None:
    response = _create(
        client,
        s,
        lines=[
            {
                "product_id": str(s.licence.id),
                "quantity": 1,
                "list_price": "1.00",
                "tax_rate": "0",
            }
        ],
    )
    assert response.status_code == 422
    assert _fields(response) == {
        ("lines.0.list_price", "extra_forbidden"),
        ("lines.0.tax_rate", "extra_forbidden"),
    }
    assert _quote_count(db) == 0


def test_each_bad_line_is_named_by_its_index(client: TestClient, db: Session, s: Setup) -> None:
    response = _create(
        client,
        s,
        lines=[
            {"product_id": str(s.licence.id), "quantity": 1},
            {"product_id": str(s.unpriced.id), "quantity": 1},
            {"product_id": str(s.licence.id), "quantity": 1, "discount_pct": 5, "net_price": 1},
            {"product_id": str(s.service.id), "quantity": 1, "net_price": "2000.00"},
        ],
        headers={**s.headers, **EN},
    )
    assert response.status_code == 422, response.text
    assert _fields(response) == {
        ("lines.1.product_id", "quote_product_not_priced"),
        ("lines.2.net_price", "quote_price_both_given"),
        ("lines.3.net_price", "quote_net_price_above_list"),
    }
    messages = {f["code"]: f["message"] for f in response.json()["error"]["fields"]}
    assert messages["quote_net_price_above_list"] == (
        "The net price cannot exceed the list price 1999.99"
    )
    assert _quote_count(db) == 0


def test_field_constraints_are_reported_in_chinese_and_english(
    client: TestClient, db: Session, s: Setup
) -> None:
    lines = [
        {"product_id": str(s.licence.id), "quantity": "0", "discount_pct": "100.01"},
        {"product_id": str(s.licence.id), "quantity": "1.00001", "discount_pct": "15.005"},
    ]
    zh = _create(client, s, lines=lines, title="", payment_days=-1)
    assert zh.status_code == 422
    assert _fields(zh) == {
        ("title", "string_too_short"),
        ("payment_days", "greater_than_equal"),
        ("lines.0.quantity", "greater_than"),
        ("lines.0.discount_pct", "less_than_equal"),
        ("lines.1.quantity", "decimal_max_places"),
        ("lines.1.discount_pct", "decimal_max_places"),
    }
    zh_messages = {f["field"]: f["message"] for f in zh.json()["error"]["fields"]}
    assert zh.json()["error"]["message"] == "提交的数据有误"
    assert zh_messages["lines.1.discount_pct"] == "最多 2 位小数"
    assert zh_messages["lines.1.quantity"] == "最多 4 位小数"

    en = client.post(
        BASE,
        json={
            "opportunity_id": str(s.deal.id),
            "price_book_id": str(s.book.id),
            "title": "x",
            "lines": lines,
        },
        headers={**s.headers, **EN},
    )
    en_messages = {f["field"]: f["message"] for f in en.json()["error"]["fields"]}
    assert en.json()["error"]["message"] == "The request has invalid fields"
    assert en_messages["lines.1.discount_pct"] == "At most 2 decimal places"
    assert en_messages["lines.0.discount_pct"] == "Must be at most 100"
    assert _quote_count(db) == 0


def test_a_price_book_of_another_subsidiary_is_refused(
    client: TestClient, db: Session, s: Setup
) -> None:
    sibling_book = make_price_book(db, subsidiary=s.world.sub_b, currency="HKD")
    set_price(db, sibling_book, s.licence, "15000")
    inactive = make_price_book(db, is_active=False)
    set_price(db, inactive, s.licence, "15000")
    lapsed = make_price_book(db, valid_to=date(2026, 10, 31))
    set_price(db, lapsed, s.licence, "15000")
    own_book = make_price_book(db, subsidiary=s.world.sub_a, currency="CNY")
    set_price(db, own_book, s.licence, "11000")
    db.commit()
    lines = [{"product_id": str(s.licence.id), "quantity": 1}]
    for book in (sibling_book, inactive, lapsed):
        response = _create(client, s, price_book_id=str(book.id), lines=lines)
        assert response.status_code == 422, response.text
        assert _fields(response) == {("price_book_id", "quote_price_book_unavailable")}
    zh = _create(client, s, price_book_id=str(sibling_book.id), lines=lines)
    assert zh.json()["error"]["fields"][0]["message"].startswith("该价格表不可用")
    assert _quote_count(db) == 0

    own = _create(client, s, price_book_id=str(own_book.id), lines=lines)
    assert own.status_code == 201, own.text
    assert own.json()["lines"][0]["list_price"] == "11000.00"


def test_a_hkd_book_gives_the_quote_its_currency(client: TestClient, db: Session, s: Setup) -> None:
    rep_b, headers_b = as_user(client, db, s.world.dept_b, "sales_rep")
    deal_b = make_deal(db, s.world.dept_b, rep_b)
    hkd = make_price_book(db, subsidiary=s.world.sub_b, currency="HKD")
    set_price(db, hkd, s.licence, "13500")
    db.commit()
    response = client.post(
        BASE,
        json={
            "opportunity_id": str(deal_b.id),
            "price_book_id": str(hkd.id),
            "title": "港区报价",
            "lines": [{"product_id": str(s.licence.id), "quantity": 2}],
        },
        headers=headers_b,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["currency"], body["number"]) == ("HKD", "SUB-B-QT-2026-000001")
    assert (body["subtotal_net"], body["tax_amount"], body["total"]) == (
        "27000.00",
        "3510.00",
        "30510.00",
    )


def test_the_opportunity_must_be_within_the_caller_s_write_reach(
    client: TestClient, db: Session, s: Setup
) -> None:
    colleague_deal = make_deal(db, s.world.dept_a)
    sibling_deal = make_deal(db, s.world.dept_b)
    _auditor, auditor = as_user(client, db, s.world.group, "auditor")
    _nobody, nobody = as_user(client, db, s.world.team_a, None)
    for deal in (colleague_deal, sibling_deal):
        response = _create(client, s, opportunity_id=str(deal.id))
        assert response.status_code == 422
        assert _fields(response) == {("opportunity_id", "unknown_reference")}
    assert _create(client, s, opportunity_id=str(unknown_id())).status_code == 422
    # The auditor sees every deal but holds no quote.write at all.
    assert _create(client, s, headers=auditor).status_code == 403
    assert _create(client, s, headers=nobody).status_code == 403
    assert _quote_count(db) == 0


def test_a_deal_seen_but_out_of_quote_write_reach_is_out_of_scope(
    client: TestClient, db: Session, s: Setup
) -> None:
    # A group VP (every deal, read-only) who also sells as a rep (quote.write on own deals).
    vp, headers = as_user(client, db, s.world.group, "group_sales_vp")
    db.add(
        RoleGrant(user_id=vp.id, role_id=s.world.roles["sales_rep"].id, unit_id=s.world.group.id)
    )
    db.commit()
    response = _create(client, s, headers={**headers, **EN})
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "out_of_scope"
    assert _quote_count(db) == 0


def test_a_lost_deal_takes_no_new_quotes(client: TestClient, db: Session, s: Setup) -> None:
    s.deal.status = "lost"
    db.commit()
    response = _create(client, s)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "opportunity_closed"


def test_a_validity_date_in_the_past_is_refused(client: TestClient, s: Setup) -> None:
    response = _create(client, s, valid_until="2026-11-24")
    assert response.status_code == 422
    assert _fields(response) == {("valid_until", "quote_valid_until_past")}
    assert _create(client, s, valid_until="2026-11-25").status_code == 201


# --- editing -------------------------------------------------------------------------------


def test_replacing_lines_recomputes_the_totals_and_audits_each_line(
    client: TestClient, db: Session, s: Setup
) -> None:
    created = _create(client, s).json()
    old_line_ids = {line["id"] for line in created["lines"]}
    response = client.put(
        f"{BASE}/{created['id']}/lines",
        json={
            "version": created["version"],
            "lines": [{"product_id": str(s.service.id), "quantity": 10, "discount_pct": "5.5"}],
        },
        headers=s.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # 10 × 1,999.99 −5.5%: net price 1,889.99055 → 1,889.99; net 18,899.90; VAT 6% 1,133.994
    # → 1,133.99; total 20,033.89; list 19,999.90; discount 1,100.00 = 5.5000…% → 5.50
    assert [line["product_code"] for line in body["lines"]] == ["IMPL-DAY"]
    assert body["subtotal_list"] == "19999.90"
    assert body["subtotal_net"] == "18899.90"
    assert (body["tax_amount"], body["total"]) == ("1133.99", "20033.89")
    assert (body["discount_amount"], body["discount_pct"]) == ("1100.00", "5.50")
    assert body["version"] > created["version"]

    db.expire_all()
    remaining = db.execute(
        select(QuoteLine.id).where(QuoteLine.quote_id == uuid.UUID(created["id"]))
    ).all()
    assert len(remaining) == 1
    deleted = db.execute(
        select(AuditEvent.entity_id).where(AuditEvent.action == "quote_line.delete")
    ).scalars()
    assert {str(i) for i in deleted} == old_line_ids


def test_the_header_is_edited_with_the_version_read(
    client: TestClient, db: Session, s: Setup
) -> None:
    created = _create(client, s).json()
    response = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "title": "MES 一期（修订）", "payment_days": 60},
        headers=s.headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["payment_days"]) == ("MES 一期（修订）", 60)
    assert response.json()["total"] == created["total"]
    stale = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "title": "过期的修改"},
        headers=s.headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    nulls = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": response.json()["version"], "title": None},
        headers=s.headers,
    )
    assert nulls.status_code == 422
    assert _fields(nulls) == {("title", "missing")}


def test_the_price_book_and_placement_cannot_be_patched(client: TestClient, s: Setup) -> None:
    created = _create(client, s).json()
    response = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "price_book_id": str(s.book.id), "currency": "USD"},
        headers=s.headers,
    )
    assert response.status_code == 422
    assert _fields(response) == {
        ("price_book_id", "extra_forbidden"),
        ("currency", "extra_forbidden"),
    }


# --- the status machine ---------------------------------------------------------------------


def _post(client: TestClient, s: Setup, quote_id: str, action: str, **body: Any) -> Any:
    return client.post(f"{BASE}/{quote_id}/{action}", json=body or None, headers=s.headers)


def test_a_quote_needing_no_approval_goes_draft_approved_sent_accepted(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote_id = _create(client, s).json()["id"]
    submitted = _post(client, s, quote_id, "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "approved"
    assert submitted.json()["approval_request_id"] is None
    assert submitted.json()["submitted_at"].startswith("2026-11-25T03:00:00")
    sent = _post(client, s, quote_id, "send")
    assert sent.json()["status"] == "sent", sent.text
    with clock.frozen_at(NOW + timedelta(days=3)):
        s.headers = login(client, s.rep)  # the session of three days ago has ended
        accepted = _post(client, s, quote_id, "accept", version=sent.json()["version"])
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_at"].startswith("2026-11-28T03:00:00")

    locked = client.patch(
        f"{BASE}/{quote_id}",
        json={"version": accepted.json()["version"], "title": "改"},
        headers={**s.headers, **EN},
    )
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "quote_locked"
    assert locked.json()["error"]["status"] == "accepted"
    assert locked.json()["error"]["message"] == (
        "The quote can no longer be changed in its current state (accepted); revise it instead"
    )
    lines = client.put(
        f"{BASE}/{quote_id}/lines",
        json={"version": accepted.json()["version"], "lines": []},
        headers=s.headers,
    )
    assert lines.status_code == 409
    assert (
        lines.json()["error"]["message"]
        == "报价当前状态（accepted）下已不能修改；如需调整请创建新版本"
    )


def test_wrong_state_transitions_are_refused_naming_the_state(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote_id = _create(client, s).json()["id"]
    for action in ("send", "accept"):
        response = _post(client, s, quote_id, action)
        assert response.status_code == 409, action
        assert response.json()["error"]["code"] == "quote_bad_state"
        assert response.json()["error"]["status"] == "draft"
        assert response.json()["error"]["message"] == "报价当前状态（draft）下不能执行此操作"
    declined = _post(client, s, quote_id, "decline", reason="价格太高")
    assert declined.status_code == 409
    assert _post(client, s, quote_id, "revise").status_code == 409
    _post(client, s, quote_id, "submit")
    again = _post(client, s, quote_id, "submit")
    assert again.status_code == 409
    assert again.json()["error"]["status"] == "approved"


def test_submitting_needs_lines(client: TestClient, s: Setup) -> None:
    quote_id = _create(client, s, lines=[]).json()["id"]
    response = client.post(f"{BASE}/{quote_id}/submit", headers={**s.headers, **EN})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "quote_no_lines"
    assert response.json()["error"]["message"] == (
        "A quote needs at least one line before it can be submitted"
    )
    assert _fields(response) == {("lines", "quote_no_lines")}


def test_submitting_needs_a_rate_to_the_subsidiary_currency(
    client: TestClient, db: Session, s: Setup
) -> None:
    usd = make_price_book(db, currency="USD")
    set_price(db, usd, s.licence, "1700")
    db.commit()
    quote_id = _create(
        client,
        s,
        price_book_id=str(usd.id),
        lines=[{"product_id": str(s.licence.id), "quantity": 1}],
    ).json()["id"]
    missing = client.post(f"{BASE}/{quote_id}/submit", headers={**s.headers, **EN})
    assert missing.status_code == 422, missing.text
    error = missing.json()["error"]
    assert error["code"] == "fx_rate_missing"
    assert error["message"] == "No average rate for USD→CNY in 2026-11"
    assert _fields(missing) == {("currency", "fx_rate_missing")}
    db.expire_all()
    assert (
        db.execute(select(Quote.status).where(Quote.id == uuid.UUID(quote_id))).scalar_one()
        == "draft"
    )

    make_fx_rate(db, "USD", "CNY", "7.1234")
    db.commit()
    submitted = _post(client, s, quote_id, "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "approved"


def test_an_expired_quote_cannot_be_accepted(client: TestClient, db: Session, s: Setup) -> None:
    quote_id = _create(client, s, valid_until="2026-11-30").json()["id"]
    _post(client, s, quote_id, "submit")
    _post(client, s, quote_id, "send")
    with clock.frozen_at(NOW + timedelta(days=6)):  # 2026-12-01
        s.headers = login(client, s.rep)
        late = client.post(f"{BASE}/{quote_id}/accept", headers={**s.headers, **EN})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "quote_expired"
    assert late.json()["error"]["message"] == (
        "The quote expired on 2026-11-30 and can no longer be accepted; revise it"
    )
    db.expire_all()
    assert (
        db.execute(select(Quote.status).where(Quote.id == uuid.UUID(quote_id))).scalar_one()
        == "sent"
    )
    with clock.frozen_at(NOW + timedelta(days=5)):  # 2026-11-30, the last valid day
        s.headers = login(client, s.rep)
        assert _post(client, s, quote_id, "accept").json()["status"] == "accepted"


def test_a_declined_quote_keeps_the_reason_on_the_audit_trail(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote_id = _create(client, s).json()["id"]
    _post(client, s, quote_id, "submit")
    _post(client, s, quote_id, "send")
    missing = _post(client, s, quote_id, "decline")
    assert missing.status_code == 422
    declined = _post(client, s, quote_id, "decline", reason="客户预算削减")
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    event = db.execute(
        select(AuditEvent).where(
            AuditEvent.action == "quote.decline", AuditEvent.entity_id == uuid.UUID(quote_id)
        )
    ).scalar_one()
    assert event.changes == {"reason": {"before": None, "after": "客户预算削减"}}
    assert event.actor_id == s.rep.id


# --- revisions -----------------------------------------------------------------------------


def test_revising_copies_the_lines_into_a_draft_and_supersedes_the_old_revision(
    client: TestClient, db: Session, s: Setup
) -> None:
    first = _create(client, s).json()
    _post(client, s, first["id"], "submit")
    sent = _post(client, s, first["id"], "send").json()
    revised = _post(client, s, first["id"], "revise", version=sent["version"])
    assert revised.status_code == 201, revised.text
    second = revised.json()
    assert second["id"] != first["id"]
    assert (second["number"], second["revision"]) == (first["number"], 2)
    assert (second["status"], second["is_current"]) == ("draft", True)
    assert second["total"] == first["total"] == "38436.04"
    assert [(line["product_code"], line["net_price"]) for line in second["lines"]] == [
        ("MES-LIC", "10493.82"),
        ("IMPL-DAY", "1799.99"),
    ]
    old = client.get(f"{BASE}/{first['id']}", headers=s.headers).json()
    assert (old["status"], old["is_current"]) == ("superseded", False)
    assert _post(client, s, first["id"], "revise").json()["error"]["code"] == "quote_bad_state"
    edit_old = client.patch(
        f"{BASE}/{first['id']}", json={"version": old["version"], "title": "x"}, headers=s.headers
    )
    assert edit_old.json()["error"]["code"] == "quote_locked"

    # The list shows current revisions; the deal's quote history shows all of them.
    listed = client.get(BASE, headers=s.headers).json()["items"]
    assert [(q["id"], q["revision"]) for q in listed] == [(second["id"], 2)]
    every = client.get(BASE, params={"revisions": "all"}, headers=s.headers).json()["items"]
    assert {q["id"] for q in every} == {first["id"], second["id"]}
    history = client.get(f"/api/v1/opportunities/{s.deal.id}/quotes", headers=s.headers)
    assert history.status_code == 200
    assert [q["revision"] for q in history.json()["items"]] == [2, 1]

    third = _post(client, s, second["id"], "submit")
    assert third.json()["status"] == "approved"
    assert _post(client, s, second["id"], "revise").json()["revision"] == 3


def test_the_deal_s_quote_history_is_404_for_a_deal_out_of_sight(
    client: TestClient, db: Session, s: Setup
) -> None:
    sibling_deal = make_deal(db, s.world.dept_b)
    make_quote(db, s.world.dept_b, deal=sibling_deal)
    db.commit()
    response = client.get(f"/api/v1/opportunities/{sibling_deal.id}/quotes", headers=s.headers)
    assert response.status_code == 404


# --- listing -------------------------------------------------------------------------------


def test_the_list_filters_and_sorts_on_the_server(
    client: TestClient, db: Session, s: Setup
) -> None:
    _director, director = as_user(client, db, s.world.sub_a, "sales_director")
    other_deal = make_deal(db, s.world.team_a, s.rep)
    small = make_quote(
        db, s.world.team_a, deal=s.deal, book=s.book, title="小单", lines=[(s.service, "1", "0")]
    )
    large = make_quote(
        db,
        s.world.team_a,
        deal=other_deal,
        book=s.book,
        title="大单",
        lines=[(s.licence, "10", "0")],
        status="sent",
    )
    colleague = make_quote(
        db, s.world.dept_a, book=s.book, title="同事的单", lines=[(s.licence, "1", "0")]
    )
    db.commit()

    def ids(**params: Any) -> list[str]:
        response = client.get(BASE, params=params, headers=director)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(sort="total") == [str(small.id), str(colleague.id), str(large.id)]
    assert ids(sort="-total") == [str(large.id), str(colleague.id), str(small.id)]
    assert ids(opportunity_id=str(s.deal.id)) == [str(small.id)]
    assert ids(account_id=str(other_deal.account_id)) == [str(large.id)]
    assert ids(status="sent") == [str(large.id)]
    assert set(ids(owner_id=str(s.rep.id))) == {str(small.id), str(large.id)}
    assert ids(q="同事") == [str(colleague.id)]
    assert ids(q=small.number.lower()) == [str(small.id)]
    assert set(ids(sort="number")) == {str(small.id), str(large.id), str(colleague.id)}
    rep_view = client.get(BASE, params={"owner_id": "me"}, headers=s.headers).json()["items"]
    assert {item["id"] for item in rep_view} == {str(small.id), str(large.id)}
    bad = client.get(BASE, params={"sort": "title"}, headers=director)
    assert bad.status_code == 422
    assert _fields(bad) == {("sort", "literal_error")}


def test_list_items_name_only_what_the_caller_can_see(
    client: TestClient, db: Session, s: Setup
) -> None:
    quote = make_quote(db, s.world.team_a, deal=s.deal, book=s.book)
    db.commit()
    item = client.get(BASE, headers=s.headers).json()["items"][0]
    assert item["id"] == str(quote.id)
    assert item["opportunity_name"] == "智慧工厂一期"
    assert item["account_name"] is not None
