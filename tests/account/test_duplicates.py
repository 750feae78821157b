"""Duplicate prevention: group-wide matching by USCC, normalized name (exact and fuzzy) and
contact phone/e-mail; matches outside the caller's scope are reported without identity."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.account.service import DUPLICATE_THRESHOLD
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account
from tests.fixtures.customer import make_account, make_contact
from tests.fixtures.factories import as_user, make_user, make_world, valid_uscc

ACCOUNTS = "/api/v1/accounts"
DUPLICATES = "/api/v1/accounts/duplicates"


def _matches(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get(DUPLICATES, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["threshold"] == DUPLICATE_THRESHOLD
    matches: list[dict[str, Any]] = body["matches"]
    return matches


def test_bracketed_region_variant_is_an_exact_name_match(client: TestClient, db: Session) -> None:
    world = make_world(db)
    owner = make_user(db, world.team_a, "sales_rep")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a, "华为技术有限公司", owner=owner)
    db.commit()

    matches = _matches(client, headers, name="华为技术(深圳)有限公司")

    assert len(matches) == 1
    match = matches[0]
    assert match["visible"] is True
    assert match["reason"] == "name_exact"
    assert match["score"] == 100
    assert match["id"] == str(account.id)
    assert match["name"] == "华为技术有限公司"
    assert match["owner_id"] == str(owner.id)
    assert match["unit_name"] == world.team_a.name
    assert match["subsidiary_name"] == world.sub_a.name


def test_english_names_match_regardless_of_case_and_legal_form(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    english = make_account(db, world.team_a, "Huawei Technologies Co., Ltd.")
    chinese_with_english = make_account(
        db, world.dept_a, "华为技术有限公司", name_en="Huawei Technologies Co., Ltd."
    )
    db.commit()

    matches = _matches(client, headers, name="HUAWEI TECHNOLOGIES CO LTD")

    assert {(m["id"], m["reason"]) for m in matches} == {
        (str(english.id), "name_exact"),
        (str(chinese_with_english.id), "name_exact"),
    }


def test_a_near_miss_is_a_fuzzy_match_above_the_threshold(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    make_account(db, world.team_a, "华为技术有限公司", name_en="Huawei Technologies Co., Ltd.")
    make_account(db, world.team_a, "华为科技有限公司")  # a different company: 75
    db.commit()

    chinese = _matches(client, headers, name="华为技术部有限公司")
    english = _matches(client, headers, name="Huawei Technology Ltd")

    assert [(m["name"], m["reason"]) for m in chinese] == [("华为技术有限公司", "name_fuzzy")]
    assert DUPLICATE_THRESHOLD <= chinese[0]["score"] < 100
    assert [(m["name"], m["reason"]) for m in english] == [("华为技术有限公司", "name_fuzzy")]
    assert _matches(client, headers, name="华为终端有限公司") == []


def test_uscc_and_contact_phone_and_email_match(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    code = valid_uscc(777)
    by_uscc = make_account(db, world.team_a, "星河能源有限公司", uscc=code)
    by_contact = make_account(db, world.dept_a, "云帆物流有限公司")
    make_contact(db, by_contact, phone="13912345678", email="Li.Lei@Yunfan.cn")
    db.commit()

    assert [(m["id"], m["reason"]) for m in _matches(client, headers, uscc=code.lower())] == [
        (str(by_uscc.id), "uscc")
    ]
    phone = _matches(client, headers, phone="+86 139-1234-5678")
    assert [(m["id"], m["reason"]) for m in phone] == [(str(by_contact.id), "contact_phone")]
    mail = _matches(client, headers, email="li.lei@yunfan.CN")
    assert [(m["id"], m["reason"]) for m in mail] == [(str(by_contact.id), "contact_email")]


def test_a_match_in_another_subsidiary_does_not_leak_its_identity(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    owner_b = make_user(db, world.dept_b, "sales_rep", username="secret.owner")
    hidden = make_account(
        db, world.dept_b, "华为技术有限公司", owner=owner_b, uscc=valid_uscc(31337)
    )
    make_contact(db, hidden, phone="13700001111")
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    for params in (
        {"name": "华为技术(深圳)有限公司"},
        {"uscc": valid_uscc(31337)},
        {"phone": "13700001111"},
    ):
        response = client.get(DUPLICATES, params=params, headers=headers)
        assert response.status_code == 200, response.text
        [match] = response.json()["matches"]
        assert set(match) == {"visible", "reason", "score", "subsidiary_name", "message"}
        assert match["visible"] is False
        assert match["subsidiary_name"] == world.sub_b.name
        assert match["message"] == "已存在于其他子公司，负责人不公开"
        for secret in (
            str(hidden.id),
            hidden.id.hex,
            "华为技术有限公司",
            str(owner_b.id),
            owner_b.display_name,
            "secret.owner",
            str(world.dept_b.id),
            world.dept_b.name,
        ):
            assert secret not in response.text, secret

    english = client.get(
        DUPLICATES,
        params={"name": "华为技术有限公司"},
        headers={**headers, "Accept-Language": "en-US"},
    )
    assert english.json()["matches"][0]["message"] == "Exists in another subsidiary, owner hidden"


def test_a_colleagues_account_is_reported_as_in_your_subsidiary(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    colleague = make_user(db, world.team_a, "sales_rep")
    make_account(db, world.team_a, "华为技术有限公司", owner=colleague)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    [match] = _matches(client, headers, name="华为技术有限公司")
    assert match["visible"] is False
    assert match["message"] == "本子公司已有同事跟进，负责人不公开"


def test_duplicate_check_needs_something_to_check(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    response = client.get(DUPLICATES, headers=headers)
    assert response.status_code == 422


def _count(db: Session, name: str) -> int:
    return db.execute(select(func.count()).where(Account.name == name)).scalar_one()


def test_creating_a_duplicate_is_refused_with_masked_matches(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    owner_b = make_user(db, world.dept_b, "sales_rep")
    hidden = make_account(db, world.dept_b, "华为技术有限公司", owner=owner_b)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    response = client.post(ACCOUNTS, json={"name": "华为技术(深圳)有限公司"}, headers=headers)

    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "duplicate_account"
    assert error["can_force"] is False
    assert error["matches"] == [
        {
            "visible": False,
            "reason": "name_exact",
            "score": 100,
            "subsidiary_name": world.sub_b.name,
            "message": "已存在于其他子公司，负责人不公开",
        }
    ]
    assert str(hidden.id) not in response.text
    assert str(owner_b.id) not in response.text
    assert _count(db, "华为技术(深圳)有限公司") == 0


def test_english_duplicate_is_refused_on_create(client: TestClient, db: Session) -> None:
    world = make_world(db)
    make_account(db, world.team_a, "Huawei Technologies Co., Ltd.")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.post(ACCOUNTS, json={"name": "HUAWEI TECHNOLOGIES CO LTD"}, headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["matches"][0]["reason"] == "name_exact"
    assert response.json()["error"]["matches"][0]["visible"] is True


def test_force_create_stores_and_audits_the_reason(client: TestClient, db: Session) -> None:
    world = make_world(db)
    make_account(db, world.dept_b, "华为技术有限公司")
    director, headers = as_user(client, db, world.sub_a, "sales_director")

    refused = client.post(ACCOUNTS, json={"name": "华为技术(深圳)有限公司"}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["can_force"] is True

    forced = client.post(
        ACCOUNTS,
        json={"name": "华为技术(深圳)有限公司", "force_reason": "深圳子公司为独立法人"},
        headers=headers,
    )

    assert forced.status_code == 201, forced.text
    assert forced.json()["force_reason"] == "深圳子公司为独立法人"
    event = db.execute(
        select(AuditEvent).where(
            AuditEvent.action == "account.force_create",
            AuditEvent.entity_id == uuid.UUID(forced.json()["id"]),
        )
    ).scalar_one()
    assert event.actor_id == director.id
    assert event.changes["force_reason"] == "深圳子公司为独立法人"
    assert event.changes["duplicates"][0]["reason"] == "name_exact"
    assert "华为技术有限公司" not in json.dumps(event.changes, ensure_ascii=False)


def test_force_reason_without_the_permission_is_still_refused(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    make_account(db, world.dept_b, "华为技术有限公司")
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    response = client.post(
        ACCOUNTS, json={"name": "华为技术有限公司", "force_reason": "我就要建"}, headers=headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["can_force"] is False
    assert _count(db, "华为技术有限公司") == 1


def test_an_existing_uscc_cannot_be_forced(client: TestClient, db: Session) -> None:
    world = make_world(db)
    code = valid_uscc(2024)
    make_account(db, world.dept_b, "青松医药有限公司", uscc=code)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.post(
        ACCOUNTS,
        json={"name": "完全不同的名字有限公司", "uscc": code, "force_reason": "ERP 历史数据"},
        headers=headers,
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_account"
    assert error["can_force"] is False
    assert error["matches"][0]["reason"] == "uscc"
    assert error["fields"][0]["field"] == "uscc"


def test_an_exact_match_is_found_however_many_names_share_its_prefix(
    client: TestClient, db: Session, monkeypatch: Any
) -> None:
    # More fuzzy candidates share the first characters than the candidate cap admits;
    # the exact duplicate must still be reported (found by the 1M-account benchmark).
    monkeypatch.setattr("flotilla.account.repository.CANDIDATE_LIMIT", 3)
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    for brand in ("东方", "北辰", "天宇", "万象", "安远"):
        make_account(db, world.team_a, f"中国{brand}贸易有限公司")
    exact = make_account(db, world.team_a, "中国华精旅游发展有限公司")
    db.commit()

    matches = _matches(client, headers, name="中国华精旅游发展有限公司")

    assert [(m["id"], m["reason"]) for m in matches if m["reason"] == "name_exact"] == [
        (str(exact.id), "name_exact")
    ]
