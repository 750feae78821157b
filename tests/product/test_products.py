"""The product catalogue: group master data read with quote.read or product.admin and
changed only by a group-wide product.admin."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.ltc import Product
from tests.fixtures.factories import World, as_user, make_world, unknown_id
from tests.fixtures.product import ANALYST, PRICE_ADMIN, ensure_test_roles, make_product

BASE = "/api/v1/products"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    world = make_world(db)
    ensure_test_roles(db)
    return world


def fields(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


def new_product(**overrides: Any) -> dict[str, Any]:
    body = {
        "code": "XH-CRM-STD",
        "name": "星海CRM标准版",
        "name_en": "Xinghai CRM Standard",
        "category": "software",
        "unit": "套",
        "tax_rate": "13",
        "description": "50 用户以内",
    }
    body.update(overrides)
    return body


def test_group_admin_creates_reads_and_edits_a_product(
    client: TestClient, db: Session, world: World
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    created = client.post(BASE, json=new_product(), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["code"], body["unit"], body["tax_rate"], body["is_active"]) == (
        "XH-CRM-STD",
        "套",
        "13.00",
        True,
    )
    got = client.get(f"{BASE}/{body['id']}", headers=headers)
    assert got.status_code == 200
    assert got.json()["name_en"] == "Xinghai CRM Standard"

    edited = client.patch(
        f"{BASE}/{body['id']}",
        json={"version": body["version"], "name": "星海CRM标准版V2", "tax_rate": 6.5},
        headers=headers,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["name"], edited.json()["tax_rate"]) == ("星海CRM标准版V2", "6.50")
    assert edited.json()["version"] == body["version"] + 1
    actions = set(
        db.execute(
            select(AuditEvent.action).where(AuditEvent.entity_id == uuid.UUID(body["id"]))
        ).scalars()
    )
    assert {"product.create", "product.update"} <= actions


def test_deactivating_a_product_is_a_patch_of_is_active(
    client: TestClient, db: Session, world: World
) -> None:
    product = make_product(db)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.patch(
        f"{BASE}/{product.id}",
        json={"version": product.version, "is_active": False},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    listed = client.get(BASE, params={"active": "false"}, headers=headers).json()["items"]
    assert [i["id"] for i in listed] == [str(product.id)]


def test_a_stale_version_is_refused_and_changes_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    product = make_product(db, name="原名")
    _admin, headers = as_user(client, db, world.group, "group_admin")
    stale = client.patch(
        f"{BASE}/{product.id}",
        json={"version": product.version + 5, "name": "新名"},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    db.expire_all()
    assert db.get(Product, product.id).name == "原名"  # type: ignore[union-attr]


def test_product_codes_are_unique(client: TestClient, db: Session, world: World) -> None:
    make_product(db, code="XH-CRM-STD")
    other = make_product(db, code="XH-OTHER")
    _admin, headers = as_user(client, db, world.group, "group_admin")
    duplicate = client.post(BASE, json=new_product(), headers=headers)
    assert duplicate.status_code == 409
    assert fields(duplicate) == {("code", "duplicate")}
    renamed = client.patch(
        f"{BASE}/{other.id}", json={"version": other.version, "code": "XH-CRM-STD"}, headers=headers
    )
    assert renamed.status_code == 409
    assert fields(renamed) == {("code", "duplicate")}


def test_invalid_fields_are_named_in_chinese_and_english(
    client: TestClient, db: Session, world: World
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    bad = new_product(code="crm lowercase", tax_rate="13.125", unit="", name=None)
    del bad["name"]
    zh = client.post(BASE, json=bad, headers=headers)
    assert zh.status_code == 422
    assert fields(zh) == {
        ("code", "string_pattern_mismatch"),
        ("tax_rate", "decimal_max_places"),
        ("unit", "string_too_short"),
        ("name", "missing"),
    }
    zh_messages = {f["field"]: f["message"] for f in zh.json()["error"]["fields"]}
    assert zh_messages["tax_rate"] == "最多 2 位小数"
    assert zh_messages["name"] == "必填字段"
    assert zh.json()["error"]["message"] == "提交的数据有误"

    en = client.post(BASE, json=bad, headers={**headers, **EN})
    en_messages = {f["field"]: f["message"] for f in en.json()["error"]["fields"]}
    assert en_messages["tax_rate"] == "At most 2 decimal places"
    assert en_messages["code"] == "Invalid format"
    assert en.json()["error"]["message"] == "The request has invalid fields"
    assert db.execute(select(Product.id)).first() is None


@pytest.mark.parametrize(
    ("tax_rate", "accepted"),
    [("0", True), ("13", True), ("9", True), ("100", True), ("-1", False), ("100.01", False)],
)
def test_tax_rate_is_a_percentage_from_0_to_100(
    client: TestClient, db: Session, world: World, tax_rate: str, accepted: bool
) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.post(BASE, json=new_product(tax_rate=tax_rate), headers=headers)
    assert (response.status_code == 201) is accepted, response.text


def test_unknown_fields_are_refused(client: TestClient, db: Session, world: World) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    response = client.post(BASE, json=new_product(price="10"), headers=headers)
    assert response.status_code == 422
    assert fields(response) == {("price", "extra_forbidden")}


def test_quote_readers_read_the_catalogue_but_cannot_change_it(
    client: TestClient, db: Session, world: World
) -> None:
    product = make_product(db)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    assert client.get(f"{BASE}/{product.id}", headers=headers).status_code == 200
    assert client.get(BASE, headers=headers).json()["items"][0]["id"] == str(product.id)
    assert client.post(BASE, json=new_product(), headers=headers).status_code == 403
    patched = client.patch(
        f"{BASE}/{product.id}", json={"version": product.version, "name": "x"}, headers=headers
    )
    assert patched.status_code == 403


def test_a_subsidiary_product_admin_cannot_change_the_group_catalogue(
    client: TestClient, db: Session, world: World
) -> None:
    _keeper, headers = as_user(client, db, world.sub_a, PRICE_ADMIN)
    response = client.post(BASE, json=new_product(), headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_callers_without_quote_read_or_product_admin_get_403(
    client: TestClient, db: Session, world: World
) -> None:
    product = make_product(db)
    _nobody, headers = as_user(client, db, world.team_a, None)
    _analyst, analyst = as_user(client, db, world.group, ANALYST)
    for caller in (headers, analyst):
        assert client.get(BASE, headers=caller).status_code == 403
        assert client.get(f"{BASE}/{product.id}", headers=caller).status_code == 403
    assert client.get(BASE).status_code == 401


def test_an_unknown_product_is_404(client: TestClient, db: Session, world: World) -> None:
    _admin, headers = as_user(client, db, world.group, "group_admin")
    assert client.get(f"{BASE}/{unknown_id()}", headers=headers).status_code == 404
    patched = client.patch(f"{BASE}/{unknown_id()}", json={"version": 1}, headers=headers)
    assert patched.status_code == 404


def test_list_filters_and_sorts(client: TestClient, db: Session, world: World) -> None:
    make_product(
        db, code="XH-US-C8", name="彩色多普勒超声", name_en="Ultrasound", category="medical"
    )
    make_product(db, code="XH-AGV-500", name="AGV自动导引车", name_en="AGV", category="equipment")
    make_product(
        db, code="XH-SVC-IMPL", name="实施服务", name_en="Implementation", category="service"
    )
    make_product(db, code="XH-OLD", name="停售产品", category="medical", is_active=False)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    def codes(**params: Any) -> list[str]:
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [i["code"] for i in response.json()["items"]]

    assert codes() == ["XH-AGV-500", "XH-OLD", "XH-SVC-IMPL", "XH-US-C8"]
    assert codes(sort="-code") == ["XH-US-C8", "XH-SVC-IMPL", "XH-OLD", "XH-AGV-500"]
    assert codes(q="超声") == ["XH-US-C8"]
    assert codes(q="implement") == ["XH-SVC-IMPL"]
    assert codes(q="agv-5") == ["XH-AGV-500"]
    assert codes(category="medical") == ["XH-OLD", "XH-US-C8"]
    assert codes(category="medical", active="true") == ["XH-US-C8"]
    assert codes(sort="name")[0] == "XH-AGV-500"
    assert client.get(BASE, params={"sort": "price"}, headers=headers).status_code == 422


def test_the_list_pages_with_a_cursor(client: TestClient, db: Session, world: World) -> None:
    made = sorted(make_product(db).code for _ in range(5))
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "include_total": "true"}
        if cursor:
            params["cursor"] = cursor
        body = client.get(BASE, params=params, headers=headers).json()
        assert body["total"] == 5
        seen.extend(i["code"] for i in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == made
