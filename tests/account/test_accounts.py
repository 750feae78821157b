from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account, AccountClaim, AccountSearchKey, Contact
from flotilla.models.identity import Role, RoleGrant
from tests.fixtures.customer import (
    company_name,
    make_account,
    make_contact,
    set_protection_days,
)
from tests.fixtures.factories import (
    as_user,
    login,
    make_user,
    make_world,
    unknown_id,
    valid_uscc,
)

ACCOUNTS = "/api/v1/accounts"


def test_rep_creates_an_account_owned_by_them_in_their_unit_with_a_claim(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    with clock.frozen_at(moment):
        headers = login(client, rep)
        response = client.post(
            ACCOUNTS, json={"name": "星河科技有限公司", "tier": "key_account"}, headers=headers
        )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["owner_id"] == str(rep.id)
    assert body["unit_id"] == str(world.team_a.id)
    assert body["subsidiary_id"] == str(world.sub_a.id)
    assert body["subsidiary_name"] == world.sub_a.name
    assert body["created_by_id"] == str(rep.id)
    assert body["tier"] == "key_account"
    assert body["status"] == "owned"
    assert body["is_protected"] is True
    claim = body["claim"]
    assert claim["owner_id"] == str(rep.id)
    assert claim["unit_id"] == str(world.team_a.id)
    assert claim["status"] == "active"
    assert datetime.fromisoformat(claim["protected_until"]) == moment + timedelta(days=90)
    stored = db.execute(select(Account).where(Account.name == "星河科技有限公司")).scalar_one()
    assert stored.name_key == "星河科技"


def test_protection_period_comes_from_the_subsidiary_pool_rule(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    set_protection_days(db, world.sub_a, 30)
    rep, _headers = as_user(client, db, world.team_a, "sales_rep")
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    with clock.frozen_at(moment):
        headers = login(client, rep)
        response = client.post(ACCOUNTS, json={"name": "云帆物流有限公司"}, headers=headers)

    assert response.status_code == 201, response.text
    protected_until = datetime.fromisoformat(response.json()["claim"]["protected_until"])
    assert protected_until == moment + timedelta(days=30)


def test_uscc_is_validated_and_normalized(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    bad = client.post(
        ACCOUNTS, json={"name": "青松医药有限公司", "uscc": "91110000123456789X"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0] == {
        "field": "uscc",
        "code": "invalid_uscc",
        "message": "统一社会信用代码无效",
    }

    code = valid_uscc(4242)
    good = client.post(
        ACCOUNTS,
        json={"name": "青松医药有限公司", "uscc": f" {code[:9]} {code[9:].lower()} "},
        headers=headers,
    )
    assert good.status_code == 201, good.text
    assert good.json()["uscc"] == code


def test_a_unit_outside_the_callers_reach_is_refused(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    unseen = client.post(
        ACCOUNTS,
        json={"name": "远航能源有限公司", "unit_id": str(world.dept_b.id)},
        headers=headers,
    )
    assert unseen.status_code == 422
    assert unseen.json()["error"]["fields"][0]["code"] == "unknown_reference"

    # Sees sub B's units (group-wide org.read through the auditor role) but cannot write there.
    watcher = make_user(db, world.team_a, "sales_manager")
    auditor = db.execute(select(Role).where(Role.code == "auditor")).scalar_one()
    db.add(RoleGrant(user_id=watcher.id, role_id=auditor.id, unit_id=world.group.id))
    db.commit()
    refused = client.post(
        ACCOUNTS,
        json={"name": "远航能源有限公司", "unit_id": str(world.dept_b.id)},
        headers=login(client, watcher),
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "out_of_scope"
    assert db.execute(select(Account).where(Account.name == "远航能源有限公司")).first() is None


def test_manager_assigns_an_owner_who_sits_in_the_target_unit(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    colleague_in_dept = make_user(db, world.dept_a, "sales_rep")
    outsider = make_user(db, world.dept_b, "sales_rep")
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")

    assigned = client.post(
        ACCOUNTS,
        json={"name": "海川电子有限公司", "unit_id": str(world.team_a.id), "owner_id": str(rep.id)},
        headers=headers,
    )
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["owner_id"] == str(rep.id)
    assert assigned.json()["claim"]["owner_id"] == str(rep.id)

    not_in_team = client.post(
        ACCOUNTS,
        json={
            "name": "明德建设有限公司",
            "unit_id": str(world.team_a.id),
            "owner_id": str(colleague_in_dept.id),
        },
        headers=headers,
    )
    assert not_in_team.status_code == 422
    assert not_in_team.json()["error"]["fields"][0] == {
        "field": "owner_id",
        "code": "owner_not_in_unit",
        "message": "负责人须在该组织单元或其下级任职",
    }

    unseen_owner = client.post(
        ACCOUNTS,
        json={"name": "明德建设有限公司", "owner_id": str(outsider.id)},
        headers=headers,
    )
    assert unseen_owner.status_code == 422
    assert unseen_owner.json()["error"]["fields"][0]["code"] == "unknown_reference"


def test_get_and_patch_with_optimistic_concurrency(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, "嘉禾食品有限公司", owner=rep)
    db.commit()

    got = client.get(f"{ACCOUNTS}/{account.id}", headers=headers)
    assert got.status_code == 200
    version = got.json()["version"]

    patched = client.patch(
        f"{ACCOUNTS}/{account.id}",
        json={"version": version, "value_class": "A", "industry": "食品", "region": "华东"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["value_class"] == "A"
    assert patched.json()["version"] == version + 1

    stale = client.patch(
        f"{ACCOUNTS}/{account.id}", json={"version": version, "tier": "strategic"}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"

    cleared = client.patch(
        f"{ACCOUNTS}/{account.id}", json={"version": version + 1, "name": None}, headers=headers
    )
    assert cleared.status_code == 422


def test_renaming_rewrites_the_search_keys(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, "恒信传媒有限公司", owner=rep)
    db.commit()

    response = client.patch(
        f"{ACCOUNTS}/{account.id}",
        json={"version": account.version, "name": "凌云传媒有限公司", "name_en": "Lingyun Media"},
        headers=headers,
    )
    assert response.status_code == 200, response.text

    def found(q: str) -> bool:
        listed = client.get(ACCOUNTS, params={"q": q}, headers=headers).json()["items"]
        return str(account.id) in {item["id"] for item in listed}

    assert not found("恒信")
    assert not found("hxcm")
    assert found("凌云")
    assert found("lycm")
    assert found("lingyun media")
    keys = set(
        db.execute(
            select(AccountSearchKey.key).where(AccountSearchKey.account_id == account.id)
        ).scalars()
    )
    assert "k:凌云传媒" in keys
    assert not any("恒信" in key for key in keys)
    db.expire_all()
    assert db.get(Account, account.id).name_key == "凌云传媒"  # type: ignore[union-attr]


def test_renaming_onto_an_existing_company_is_a_duplicate(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    make_account(db, world.dept_b, "瑞丰能源有限公司")
    account = make_account(db, world.team_a, "瑞丰医药有限公司", owner=rep)
    db.commit()

    response = client.patch(
        f"{ACCOUNTS}/{account.id}",
        json={"version": account.version, "name": "瑞丰能源(上海)有限公司"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_account"


def test_parent_company_must_be_visible_and_acyclic(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    parent = make_account(db, world.dept_a, "星河集团有限公司")
    child = make_account(db, world.team_a, "星河云计算有限公司")
    hidden = make_account(db, world.dept_b, "远航控股有限公司")
    db.commit()

    linked = client.patch(
        f"{ACCOUNTS}/{child.id}",
        json={"version": child.version, "parent_account_id": str(parent.id)},
        headers=headers,
    )
    assert linked.status_code == 200, linked.text

    cycle = client.patch(
        f"{ACCOUNTS}/{parent.id}",
        json={"version": parent.version, "parent_account_id": str(child.id)},
        headers=headers,
    )
    assert cycle.status_code == 422
    assert cycle.json()["error"]["fields"][0]["code"] == "account_parent_cycle"

    unseen = client.patch(
        f"{ACCOUNTS}/{parent.id}",
        json={"version": parent.version, "parent_account_id": str(hidden.id)},
        headers=headers,
    )
    assert unseen.status_code == 422
    assert unseen.json()["error"]["fields"][0]["code"] == "unknown_reference"


def test_external_id_is_unique_within_a_subsidiary(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    first = client.post(
        ACCOUNTS, json={"name": "明德食品有限公司", "external_id": "ERP-1"}, headers=headers
    )
    assert first.status_code == 201, first.text
    second = client.post(
        ACCOUNTS, json={"name": "凌云物流有限公司", "external_id": "ERP-1"}, headers=headers
    )
    assert second.status_code == 409
    assert second.json()["error"]["fields"][0]["field"] == "external_id"


def test_list_filters_and_sorts(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    strategic = make_account(db, world.team_a, "星河能源有限公司", owner=rep, tier="strategic")
    key = make_account(db, world.dept_a, "云帆能源有限公司", tier="key_account", value_class="A")
    pooled = make_account(db, world.dept_a, "青松能源有限公司", status="pool", claim=False)
    strategic.last_follow_up_at = datetime(2026, 6, 1, tzinfo=UTC)
    key.last_follow_up_at = datetime(2026, 3, 1, tzinfo=UTC)
    db.commit()

    def ids(**params: str) -> list[str]:
        response = client.get(ACCOUNTS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(tier="strategic") == [str(strategic.id)]
    assert ids(value_class="A") == [str(key.id)]
    assert ids(owner_id=str(rep.id)) == [str(strategic.id)]
    assert ids(status="pool") == [str(pooled.id)]
    assert ids(unit_id=str(world.team_a.id)) == [str(strategic.id)]
    assert set(ids(unit_id=str(world.dept_a.id))) == {
        str(strategic.id),
        str(key.id),
        str(pooled.id),
    }
    assert len(ids(subsidiary_id=str(world.sub_a.id))) == 3
    assert ids(subsidiary_id=str(world.sub_b.id)) == []
    # Never followed up sorts first (most neglected), then oldest follow-up.
    assert ids(sort="last_follow_up_at") == [str(pooled.id), str(key.id), str(strategic.id)]
    assert ids(sort="-last_follow_up_at")[0] == str(strategic.id)
    by_name = ids(sort="name")
    assert by_name == sorted(
        by_name,
        key=lambda i: {
            str(strategic.id): "星河能源有限公司",
            str(key.id): "云帆能源有限公司",
            str(pooled.id): "青松能源有限公司",
        }[i],
    )
    bad = client.get(ACCOUNTS, params={"sort": "owner"}, headers=headers)
    assert bad.status_code == 422


def test_last_follow_up_sort_pages_through_every_account(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    created = []
    for index in range(7):
        account = make_account(db, world.dept_a, company_name(900 + index))
        if index % 2:
            account.last_follow_up_at = datetime(2026, 1, 1 + index, tzinfo=UTC)
        created.append(str(account.id))
    db.commit()

    seen: list[str] = []
    cursor = None
    while True:
        params = {"sort": "last_follow_up_at", "limit": "2"}
        if cursor:
            params["cursor"] = cursor
        body = client.get(ACCOUNTS, params=params, headers=headers).json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))


def test_director_transfers_an_account_with_a_reason(client: TestClient, db: Session) -> None:
    world = make_world(db)
    old_owner = make_user(db, world.team_a, "sales_rep")
    new_owner = make_user(db, world.dept_a, "sales_rep")
    director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a, "凌云医药有限公司", owner=old_owner)
    old_claim = db.execute(
        select(AccountClaim).where(AccountClaim.account_id == account.id)
    ).scalar_one()
    db.commit()

    response = client.post(
        f"{ACCOUNTS}/{account.id}/transfer",
        json={
            "owner_id": str(new_owner.id),
            "unit_id": str(world.dept_a.id),
            "reason": "原负责人调岗",
            "version": account.version,
        },
        headers=headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["owner_id"] == str(new_owner.id)
    assert body["unit_id"] == str(world.dept_a.id)
    assert body["claim"]["owner_id"] == str(new_owner.id)
    db.expire_all()
    assert db.get(AccountClaim, old_claim.id).status == "released"  # type: ignore[union-attr]
    event = db.execute(
        select(AuditEvent).where(
            AuditEvent.action == "account.transfer", AuditEvent.entity_id == account.id
        )
    ).scalar_one()
    assert event.actor_id == director.id
    assert event.changes["reason"] == "原负责人调岗"
    assert event.changes["owner_id"] == {"before": str(old_owner.id), "after": str(new_owner.id)}


def test_transfer_needs_the_transfer_permission(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=rep)
    db.commit()

    response = client.post(
        f"{ACCOUNTS}/{account.id}/transfer",
        json={"owner_id": str(rep.id), "unit_id": str(world.team_a.id), "reason": "x"},
        headers=headers,
    )
    assert response.status_code == 403


def test_group_transfer_across_subsidiaries_moves_the_contacts_too(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep_b = make_user(db, world.dept_b, "sales_rep")
    _vp, headers = as_user(client, db, world.group, "group_admin")
    account = make_account(db, world.team_a, "海川物流有限公司")
    contact = make_contact(db, account)
    db.commit()

    response = client.post(
        f"{ACCOUNTS}/{account.id}/transfer",
        json={"owner_id": str(rep_b.id), "unit_id": str(world.dept_b.id), "reason": "区域调整"},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["subsidiary_id"] == str(world.sub_b.id)
    assert response.json()["claim"]["subsidiary_id"] == str(world.sub_b.id)
    db.expire_all()
    moved = db.execute(select(Contact).where(Contact.id == contact.id)).scalar_one()
    assert moved.subsidiary_id == world.sub_b.id


def test_unknown_account_is_404(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    response = client.get(f"{ACCOUNTS}/{unknown_id()}", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
