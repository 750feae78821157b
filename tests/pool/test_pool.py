"""The public pool page, claiming from it (quota, cool-down) and releasing to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account, AccountClaim, PoolRelease
from flotilla.models.identity import Position
from tests.fixtures.factories import World, as_user, login, make_user, make_world
from tests.fixtures.sales import make_account, make_claim, make_pool_account, make_pool_rule

POOL = "/api/v1/pool"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _pool(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(POOL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _claim(client: TestClient, headers: dict[str, str], account: Account) -> Any:
    return client.post(f"{POOL}/{account.id}/claim", headers=headers)


def _release(client: TestClient, headers: dict[str, str], account: Account) -> Any:
    return client.post(
        f"{POOL}/{account.id}/release", json={"reason": "客户已合并到集团采购"}, headers=headers
    )


def _account(db: Session, account: Account) -> Account:
    db.expire_all()
    return db.execute(select(Account).where(Account.id == account.id)).scalar_one()


# --- the pool page --------------------------------------------------------------------------


def test_a_rep_sees_the_pool_of_the_subsidiaries_they_work_in_with_their_quota(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    make_account(db, world.team_a, owner=rep)
    in_a = [make_pool_account(db, world.sub_a), make_pool_account(db, world.sub_a)]
    in_b = make_pool_account(db, world.sub_b)
    make_account(db, world.dept_a)  # owned by nobody, but not in the pool
    db.commit()

    body = _pool(client, headers)

    assert {item["id"] for item in body["items"]} == {str(a.id) for a in in_a}
    assert all(item["claimable"] and item["cooldown_until"] is None for item in body["items"])
    assert body["quotas"] == [
        {
            "subsidiary_id": str(world.sub_a.id),
            "subsidiary_name": "甲子公司",
            "held": 1,
            "max": 200,
            "remaining": 199,
            "cooldown_days": 15,
        }
    ]
    assert client.post(f"{POOL}/{in_b.id}/claim", headers=headers).status_code == 404


def test_a_part_time_seat_opens_that_subsidiarys_pool_too(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    db.add(Position(user_id=rep.id, unit_id=world.dept_b.id, is_primary=False))
    make_pool_rule(db, world.sub_b, max_accounts_per_rep=5)
    in_b = make_pool_account(db, world.sub_b)
    db.commit()
    body = _pool(client, login(client, rep))

    assert [item["id"] for item in body["items"]] == [str(in_b.id)]
    assert [(q["subsidiary_name"], q["max"]) for q in body["quotas"]] == [
        ("乙子公司", 5),
        ("甲子公司", 200),
    ]


def test_group_staff_see_every_pool_through_their_reach_but_cannot_claim(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    accounts = {make_pool_account(db, world.sub_a).id, make_pool_account(db, world.sub_b).id}
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    _admin, admin = as_user(client, db, world.group, "group_admin")
    db.commit()

    body = _pool(client, vp)
    some = next(iter(accounts))

    assert {item["id"] for item in body["items"]} == {str(a) for a in accounts}
    assert body["quotas"] == []
    assert not any(item["claimable"] for item in body["items"])
    assert client.post(f"{POOL}/{some}/claim", headers=vp).status_code == 403
    refused = client.post(f"{POOL}/{some}/claim", headers=admin)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "pool_not_member"


def test_the_pool_filters_by_subsidiary_and_name(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.group, "group_sales_vp")
    steel = make_pool_account(db, world.sub_a, name="华东钢铁有限公司", industry="steel")
    other = make_pool_account(db, world.sub_a, name="南方电子有限公司")
    in_b = make_pool_account(db, world.sub_b, name="华东物流有限公司")
    db.commit()

    def ids(**params: str) -> set[str]:
        return {item["id"] for item in _pool(client, headers, **params)["items"]}

    assert ids(q="华东") == {str(steel.id), str(in_b.id)}
    assert ids(q="huadong") == {str(steel.id), str(in_b.id)}
    assert ids(q="nfdz") == {str(other.id)}
    assert ids(q="华东", subsidiary_id=str(world.sub_b.id)) == {str(in_b.id)}
    assert ids(industry="steel") == {str(steel.id)}
    assert _pool(client, headers, include_total="true")["total"] == 3


# --- claiming -------------------------------------------------------------------------------


def test_claiming_moves_the_account_to_the_rep_and_protects_it(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        make_pool_rule(db, world.sub_a, protection_days=60)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        account = make_pool_account(db, world.sub_a)
        db.commit()

        response = _claim(client, headers, account)
        page_after = _pool(client, headers)
        again = _claim(client, headers, account)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["owner_id"] == str(rep.id)
    assert body["unit_id"] == str(world.team_a.id)
    assert body["status"] == "owned"
    assert body["protected_until"] == "2026-05-01T09:00:00Z"
    assert body["quota"]["held"] == 1
    stored = _account(db, account)
    assert (stored.status, stored.owner_id, stored.unit_id, stored.pool_entered_at) == (
        "owned",
        rep.id,
        world.team_a.id,
        None,
    )
    claim = db.execute(
        select(AccountClaim).where(AccountClaim.account_id == account.id)
    ).scalar_one()
    assert (claim.status, claim.owner_id, claim.unit_id) == ("active", rep.id, world.team_a.id)
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "pool.claim")).scalar_one()
    assert (event.actor_id, event.entity_id) == (rep.id, account.id)
    assert page_after["items"] == []
    assert page_after["quotas"][0]["held"] == 1
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_in_pool"


def test_claiming_stops_at_the_reps_limit_in_that_subsidiary(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    make_pool_rule(db, world.sub_a, max_accounts_per_rep=2)
    rep = make_user(db, world.team_a, "sales_rep")
    db.add(Position(user_id=rep.id, unit_id=world.dept_b.id, is_primary=False))
    make_account(db, world.team_a, owner=rep)
    make_account(db, world.dept_b, owner=rep)  # another subsidiary's account does not count
    first, second = make_pool_account(db, world.sub_a), make_pool_account(db, world.sub_a)
    db.commit()
    headers = login(client, rep)
    assert _claim(client, headers, first).status_code == 200
    refused = client.post(
        f"{POOL}/{second.id}/claim", headers={**headers, "Accept-Language": "en-US"}
    )

    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "pool_limit_reached"
    assert (error["held"], error["max"]) == (2, 2)
    assert error["message"] == (
        "You already hold 2 accounts in this subsidiary; the pool limit is 2"
    )
    assert _account(db, second).status == "pool"
    quota = _pool(client, headers)["quotas"]
    assert [(q["subsidiary_name"], q["held"], q["remaining"]) for q in quota] == [
        ("乙子公司", 1, 199),
        ("甲子公司", 2, 0),
    ]


def test_a_released_account_cools_down_for_its_former_owner_to_the_second(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        make_pool_rule(db, world.sub_a, cooldown_days=15)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        colleague_user = make_user(db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=rep)
        other = make_account(db, world.team_a, owner=rep)
        db.commit()
        assert _release(client, headers, account).status_code == 200
        assert _release(client, headers, other).status_code == 200

        clock.advance(timedelta(days=15) - timedelta(seconds=1))
        headers, colleague = login(client, rep), login(client, colleague_user)
        page = {item["id"]: item for item in _pool(client, headers)["items"]}
        refused = _claim(client, headers, account)

        clock.advance(timedelta(seconds=1))
        allowed = _claim(client, headers, account)
        colleague_claim = _claim(client, colleague, other)

    assert page[str(account.id)]["cooldown_until"] == "2026-03-17T09:00:00Z"
    assert page[str(account.id)]["claimable"] is False
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "pool_cooldown"
    assert error["cooldown_until"] == "2026-03-17T09:00:00+00:00"
    assert "2026-03-17 09:00 UTC" in error["message"]
    assert allowed.status_code == 200, allowed.text
    assert colleague_claim.status_code == 200, colleague_claim.text


def test_no_cool_down_when_the_subsidiary_sets_none(client: TestClient, db: Session) -> None:
    world = make_world(db)
    make_pool_rule(db, world.sub_a, cooldown_days=0)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=rep)
    db.commit()

    assert _release(client, headers, account).status_code == 200
    assert _claim(client, headers, account).status_code == 200


# --- releasing ------------------------------------------------------------------------------


def test_releasing_returns_the_account_to_the_pool_and_ends_its_claim(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=rep)
        claim = make_claim(db, account, protected_until=T0 + timedelta(days=80))
        db.commit()

        response = _release(client, headers, account)
        again = _release(client, headers, account)

    assert response.status_code == 200, response.text
    assert response.json()["pool_entered_at"] == "2026-03-02T09:00:00Z"
    stored = _account(db, account)
    assert (stored.status, stored.owner_id, stored.unit_id, stored.pool_entered_at) == (
        "pool",
        None,
        world.sub_a.id,
        T0,
    )
    assert (
        db.execute(select(AccountClaim.status).where(AccountClaim.id == claim.id)).scalar_one()
        == "released"
    )
    release = db.execute(select(PoolRelease)).scalar_one()
    assert (release.user_id, release.reason, release.released_at) == (rep.id, "released", T0)
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "pool.release")).scalar_one()
    assert event.actor_id == rep.id
    assert event.unit_id == world.team_a.id
    assert event.changes["reason"] == "客户已合并到集团采购"
    assert again.status_code == 404  # no longer the rep's: out of their reach


def test_only_the_owner_or_someone_whose_reach_covers_it_releases(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    owner = make_user(db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=owner)
    _colleague, colleague = as_user(client, db, world.team_a, "sales_rep")
    _stranger, stranger = as_user(client, db, world.sub_b, "sales_director")
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
    _auditor, auditor = as_user(client, db, world.group, "auditor")

    assert _release(client, colleague, account).status_code == 404
    assert _release(client, stranger, account).status_code == 404
    assert _release(client, auditor, account).status_code == 404
    assert _release(client, manager, account).status_code == 200
    assert db.execute(select(PoolRelease.user_id)).scalar_one() == owner.id


def test_a_pool_account_cannot_be_released_again(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account = make_pool_account(db, world.sub_a)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")

    response = _release(client, headers, account)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_in_pool"


def test_a_claimed_account_is_still_there_for_the_rep_who_lost_the_race(
    client: TestClient, db: Session
) -> None:
    world: World = make_world(db)
    winner = make_user(db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=winner)
    _loser, loser = as_user(client, db, world.team_a, "sales_rep")

    response = _claim(client, loser, account)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_in_pool"
