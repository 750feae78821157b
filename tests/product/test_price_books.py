"""Price books: the group list (one active book per currency), subsidiary price lists in the
subsidiary's currency, who sees and who maintains them, and their entries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.ltc import PriceBook, PriceBookEntry
from tests.fixtures.factories import World, as_user, login, make_user, make_world, unknown_id
from tests.fixtures.product import (
    PRICE_ADMIN,
    QUOTE_READER,
    ensure_test_roles,
    make_book,
    make_product,
    set_price,
)

BASE = "/api/v1/price-books"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    world = make_world(db)
    ensure_test_roles(db)
    return world


def fields(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


def listed_ids(client: TestClient, headers: dict[str, str], **params: Any) -> set[str]:
    response = client.get(BASE, params={"limit": 500, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {i["id"] for i in response.json()["items"]}


# --- creating books --------------------------------------------------------------------------


def test_group_admin_creates_the_group_list_price_book(
    client: TestClient, db: Session, world: World
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.post(
        BASE,
        json={"code": "GROUP-CNY", "name": "集团标准价目表", "currency": "cny"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["currency"], body["subsidiary_id"], body["is_group"], body["is_active"]) == (
        "CNY",
        None,
        True,
        True,
    )


def test_a_group_book_needs_a_known_currency(client: TestClient, db: Session, world: World) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    missing = client.post(BASE, json={"code": "G-1", "name": "集团"}, headers=headers)
    assert missing.status_code == 422
    assert fields(missing) == {("currency", "missing")}
    unknown = client.post(
        BASE, json={"code": "G-1", "name": "集团", "currency": "XYZ"}, headers={**headers, **EN}
    )
    assert unknown.status_code == 422
    assert fields(unknown) == {("currency", "invalid_currency")}
    assert unknown.json()["error"]["fields"][0]["message"] == "Invalid currency code"


def test_only_one_group_book_per_currency_is_active(
    client: TestClient, db: Session, world: World
) -> None:
    make_book(db, code="GROUP-CNY", currency="CNY")
    _admin, headers = as_user(client, db, world.group, "group_admin")
    second = client.post(
        BASE, json={"code": "GROUP-CNY-2027", "name": "2027", "currency": "CNY"}, headers=headers
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "price_book_group_currency_exists"
    assert second.json()["error"]["message"] == "已存在启用中的 CNY 集团价格表"

    usd = client.post(
        BASE, json={"code": "GROUP-USD", "name": "USD", "currency": "USD"}, headers=headers
    )
    assert usd.status_code == 201, usd.text

    # A successor can be prepared inactive, but not switched on next to the current one.
    draft = client.post(
        BASE,
        json={"code": "GROUP-CNY-2027", "name": "2027", "currency": "CNY", "is_active": False},
        headers=headers,
    )
    assert draft.status_code == 201, draft.text
    activated = client.patch(
        f"{BASE}/{draft.json()['id']}",
        json={"version": draft.json()["version"], "is_active": True},
        headers=headers,
    )
    assert activated.status_code == 409
    assert activated.json()["error"]["code"] == "price_book_group_currency_exists"


def test_a_subsidiary_price_list_is_in_the_subsidiary_s_currency(
    client: TestClient, db: Session, world: World
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    defaulted = client.post(
        BASE,
        json={"code": "B-HKD", "name": "乙价目表", "subsidiary_id": str(world.sub_b.id)},
        headers=headers,
    )
    assert defaulted.status_code == 201, defaulted.text
    assert (defaulted.json()["currency"], defaulted.json()["subsidiary_name"]) == (
        "HKD",
        "乙子公司",
    )
    other = client.post(
        BASE,
        json={
            "code": "B-USD",
            "name": "乙美元价目表",
            "subsidiary_id": str(world.sub_b.id),
            "currency": "USD",
        },
        headers=headers,
    )
    assert other.status_code == 422
    assert fields(other) == {("currency", "price_book_currency_mismatch")}
    assert (
        other.json()["error"]["fields"][0]["message"] == "子公司价格表必须使用该子公司的本位币 HKD"
    )


def test_a_price_list_belongs_to_an_existing_subsidiary(
    client: TestClient, db: Session, world: World
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    department = client.post(
        BASE,
        json={"code": "D-1", "name": "部门", "subsidiary_id": str(world.dept_a.id)},
        headers=headers,
    )
    assert fields(department) == {("subsidiary_id", "price_book_not_subsidiary")}
    unknown = client.post(
        BASE,
        json={"code": "D-1", "name": "部门", "subsidiary_id": str(unknown_id())},
        headers=headers,
    )
    assert fields(unknown) == {("subsidiary_id", "unknown_reference")}


def test_a_subsidiary_price_admin_keeps_only_their_own_subsidiary_s_lists(
    client: TestClient, db: Session, world: World
) -> None:
    _keeper, headers = as_user(client, db, world.sub_a, PRICE_ADMIN)
    own = client.post(
        BASE,
        json={"code": "A-CNY", "name": "甲价目表", "subsidiary_id": str(world.sub_a.id)},
        headers=headers,
    )
    assert own.status_code == 201, own.text
    sibling = client.post(
        BASE,
        json={"code": "B-HKD", "name": "乙价目表", "subsidiary_id": str(world.sub_b.id)},
        headers=headers,
    )
    assert sibling.status_code == 403
    assert sibling.json()["error"]["code"] == "out_of_scope"
    group = client.post(
        BASE, json={"code": "G-CNY", "name": "集团", "currency": "CNY"}, headers=headers
    )
    assert group.status_code == 403
    codes = set(db.execute(select(PriceBook.code)).scalars())
    assert codes == {"A-CNY"}


def test_sales_people_cannot_create_price_books(
    client: TestClient, db: Session, world: World
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.post(
        BASE,
        json={"code": "A-CNY", "name": "甲", "subsidiary_id": str(world.sub_a.id)},
        headers=headers,
    )
    assert response.status_code == 403


def test_validity_must_not_end_before_it_starts(
    client: TestClient, db: Session, world: World
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.post(
        BASE,
        json={
            "code": "G-CNY",
            "name": "集团",
            "currency": "CNY",
            "valid_from": "2027-01-01",
            "valid_to": "2026-12-31",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert fields(response) == {("valid_to", "price_book_validity")}


# --- editing books ----------------------------------------------------------------------------


def test_a_book_is_renamed_with_its_version_and_keeps_owner_and_currency(
    client: TestClient, db: Session, world: World
) -> None:
    book = make_book(db, world.sub_b, code="B-HKD")
    _admin, headers = as_user(client, db, world.group, "group_admin")
    renamed = client.patch(
        f"{BASE}/{book.id}", json={"version": book.version, "name": "乙 2027"}, headers=headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "乙 2027"
    stale = client.patch(
        f"{BASE}/{book.id}", json={"version": book.version, "name": "x"}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    fixed = client.patch(
        f"{BASE}/{book.id}",
        json={
            "version": renamed.json()["version"],
            "currency": "USD",
            "subsidiary_id": str(world.sub_a.id),
        },
        headers=headers,
    )
    assert fixed.status_code == 422
    assert fields(fixed) == {("currency", "extra_forbidden"), ("subsidiary_id", "extra_forbidden")}


# --- who sees which book ----------------------------------------------------------------------


def test_a_sibling_subsidiary_s_price_list_is_404_and_absent_from_lists(
    client: TestClient, db: Session, world: World
) -> None:
    group_book = make_book(db, code="GROUP-CNY")
    book_a = make_book(db, world.sub_a, code="A-CNY")
    book_b = make_book(db, world.sub_b, code="B-HKD", name="乙港币价目表")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    assert listed_ids(client, headers) == {str(group_book.id), str(book_a.id)}
    hidden = client.get(f"{BASE}/{book_b.id}", headers=headers)
    assert hidden.status_code == 404
    assert str(book_b.id) not in hidden.text
    assert client.get(f"{BASE}/{book_b.id}/entries", headers=headers).status_code == 404
    searched = client.get(BASE, params={"q": "乙港币", "include_total": "true"}, headers=headers)
    assert searched.json() == {"items": [], "next_cursor": None, "total": 0}
    filtered = client.get(
        BASE,
        params={"subsidiary_id": str(world.sub_b.id), "include_total": "true"},
        headers=headers,
    )
    assert filtered.json()["total"] == 0


def test_members_of_a_subsidiary_see_its_price_lists_whatever_their_data_scope(
    client: TestClient, db: Session, world: World
) -> None:
    group_book = make_book(db, code="GROUP-CNY")
    book_a = make_book(db, world.sub_a, code="A-CNY")
    make_book(db, world.sub_b, code="B-HKD")
    expected = {str(group_book.id), str(book_a.id)}
    _rep, rep = as_user(client, db, world.team_a, "sales_rep")
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
    assert listed_ids(client, rep) == expected
    assert listed_ids(client, manager) == expected
    assert client.get(f"{BASE}/{book_a.id}", headers=rep).status_code == 200


def test_a_quote_read_reach_into_another_subsidiary_shows_its_price_lists(
    client: TestClient, db: Session, world: World
) -> None:
    make_book(db, code="GROUP-CNY")
    book_b = make_book(db, world.sub_b, code="B-HKD")
    # Sits in A's team but reads quotes of B's department: B's price list prices those.
    user = make_user(db, world.team_a, QUOTE_READER, grant_unit=world.dept_b)
    db.commit()
    headers = login(client, user)
    assert str(book_b.id) in listed_ids(client, headers)


def test_group_roles_see_every_book_and_callers_without_a_grant_see_none(
    client: TestClient, db: Session, world: World
) -> None:
    books = {str(make_book(db, s).id) for s in (None, world.sub_a, world.sub_b)}
    _auditor, auditor = as_user(client, db, world.group, "auditor")
    _nobody, nobody = as_user(client, db, world.team_a, None)
    assert listed_ids(client, auditor) == books
    assert listed_ids(client, nobody) == set()
    for book_id in books:
        assert client.get(f"{BASE}/{book_id}", headers=nobody).status_code == 404


def test_list_filters(client: TestClient, db: Session, world: World) -> None:
    group_cny = make_book(db, code="GROUP-CNY")
    group_usd = make_book(db, code="GROUP-USD", currency="USD", is_active=False)
    book_b = make_book(db, world.sub_b, code="B-HKD")
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")
    assert listed_ids(client, headers, kind="group") == {str(group_cny.id), str(group_usd.id)}
    assert listed_ids(client, headers, kind="subsidiary") == {str(book_b.id)}
    assert listed_ids(client, headers, currency="usd") == {str(group_usd.id)}
    assert listed_ids(client, headers, active="true", kind="group") == {str(group_cny.id)}
    assert listed_ids(client, headers, subsidiary_id=str(world.sub_b.id)) == {str(book_b.id)}
    codes = [
        i["code"]
        for i in client.get(BASE, params={"sort": "-code"}, headers=headers).json()["items"]
    ]
    assert codes == ["GROUP-USD", "GROUP-CNY", "B-HKD"]


# --- entries ----------------------------------------------------------------------------------


def test_admin_sets_changes_and_removes_a_price(
    client: TestClient, db: Session, world: World
) -> None:
    book = make_book(db, world.sub_a, code="A-CNY")
    product = make_product(db, code="XH-US-C8", name="超声诊断仪", unit="台")
    _keeper, headers = as_user(client, db, world.sub_a, PRICE_ADMIN)
    path = f"{BASE}/{book.id}/entries/{product.id}"

    created = client.put(
        path, json={"list_price": "980000", "floor_price": 803600.5}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["list_price"], body["floor_price"], body["currency"]) == (
        "980000.00",
        "803600.50",
        "CNY",
    )
    assert (body["product_code"], body["product_name"], body["unit"], body["tax_rate"]) == (
        "XH-US-C8",
        "超声诊断仪",
        "台",
        "13.00",
    )
    updated = client.put(
        path, json={"list_price": "950000", "version": body["version"]}, headers=headers
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["list_price"], updated.json()["floor_price"]) == ("950000.00", None)
    stale = client.put(path, json={"list_price": "1", "version": body["version"]}, headers=headers)
    assert stale.status_code == 409

    assert client.delete(path, headers=headers).status_code == 204
    again = client.delete(path, headers=headers)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "price_entry_missing"
    assert db.execute(select(PriceBookEntry.id)).first() is None


def test_a_floor_price_above_the_list_price_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    book = make_book(db)
    product = make_product(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    path = f"{BASE}/{book.id}/entries/{product.id}"
    zh = client.put(path, json={"list_price": "100", "floor_price": "100.01"}, headers=headers)
    assert zh.status_code == 422
    assert fields(zh) == {("floor_price", "price_floor_above_list")}
    assert zh.json()["error"]["fields"][0]["message"] == "底价不能高于目录价"
    en = client.put(
        path, json={"list_price": "100", "floor_price": "100.01"}, headers={**headers, **EN}
    )
    assert en.json()["error"]["fields"][0]["message"] == (
        "The floor price cannot be higher than the list price"
    )
    equal = client.put(path, json={"list_price": "100", "floor_price": "100"}, headers=headers)
    assert equal.status_code == 201, equal.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"list_price": "-1"}, {("list_price", "greater_than_equal")}),
        ({"list_price": "10", "floor_price": "-0.01"}, {("floor_price", "greater_than_equal")}),
        ({"list_price": "10.001"}, {("list_price", "decimal_max_places")}),
        ({"floor_price": "1"}, {("list_price", "missing")}),
        ({"list_price": "abc"}, {("list_price", "decimal_parsing")}),
    ],
)
def test_prices_are_non_negative_cents(
    client: TestClient, db: Session, world: World, body: dict[str, Any], expected: set[Any]
) -> None:
    book = make_book(db)
    product = make_product(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.put(f"{BASE}/{book.id}/entries/{product.id}", json=body, headers=headers)
    assert response.status_code == 422
    assert fields(response) == expected
    assert db.execute(select(PriceBookEntry.id)).first() is None


def test_entries_of_hidden_books_and_unknown_products_are_404(
    client: TestClient, db: Session, world: World
) -> None:
    book_b = make_book(db, world.sub_b)
    book_a = make_book(db, world.sub_a)
    product = make_product(db)
    _keeper, headers = as_user(client, db, world.sub_a, PRICE_ADMIN)
    sibling = client.put(
        f"{BASE}/{book_b.id}/entries/{product.id}", json={"list_price": "1"}, headers=headers
    )
    assert sibling.status_code == 404
    unknown = client.put(
        f"{BASE}/{book_a.id}/entries/{unknown_id()}", json={"list_price": "1"}, headers=headers
    )
    assert unknown.status_code == 404


def test_readers_may_not_change_prices(client: TestClient, db: Session, world: World) -> None:
    book = make_book(db)
    product = make_product(db)
    set_price(db, book, product, "100")
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    _keeper, keeper = as_user(client, db, world.sub_a, PRICE_ADMIN)
    path = f"{BASE}/{book.id}/entries/{product.id}"
    for caller in (headers, keeper):  # the keeper's reach is one subsidiary, not the group
        assert client.put(path, json={"list_price": "1"}, headers=caller).status_code == 403
        assert client.delete(path, headers=caller).status_code == 403
    db.expire_all()
    assert db.execute(select(PriceBookEntry.list_price)).scalar_one() == Decimal("100.00")


def test_entries_list_with_product_labels_search_and_sort(
    client: TestClient, db: Session, world: World
) -> None:
    book = make_book(db, world.sub_b)
    ultrasound = make_product(db, code="XH-US-C8", name="彩色多普勒超声", name_en="Ultrasound")
    agv = make_product(db, code="XH-AGV-500", name="AGV小车", name_en="AGV", unit="台")
    make_product(db, code="XH-NOT-LISTED")
    set_price(db, book, ultrasound, "1065000", "873300")
    set_price(db, book, agv, "182600")
    _rep, headers = as_user(client, db, world.dept_b, "sales_rep")
    path = f"{BASE}/{book.id}/entries"
    body = client.get(path, params={"include_total": "true"}, headers=headers).json()
    assert body["total"] == 2
    assert [(i["product_code"], i["list_price"], i["currency"]) for i in body["items"]] == [
        ("XH-AGV-500", "182600.00", "HKD"),
        ("XH-US-C8", "1065000.00", "HKD"),
    ]
    searched = client.get(path, params={"q": "ultra"}, headers=headers).json()["items"]
    assert [i["product_name"] for i in searched] == ["彩色多普勒超声"]
    by_price = client.get(path, params={"sort": "-list_price"}, headers=headers).json()["items"]
    assert [i["product_code"] for i in by_price] == ["XH-US-C8", "XH-AGV-500"]
