"""Claims (报备) and conflicts (撞单): protection periods, cross-subsidiary refusals that
still record the conflict, claim expiry, and resolution by transfer, share or reject."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.claim.service import guard_protection, protect
from flotilla.core import clock
from flotilla.core.errors import Conflict
from flotilla.core.scope import resolve_scope
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import (
    Account,
    AccountClaim,
    AccountShare,
    ClaimConflict,
    Contact,
)
from flotilla.models.identity import User
from tests.fixtures.customer import (
    active_claim,
    expire_claims,
    make_account,
    make_contact,
    make_third_subsidiary,
    set_protection_days,
)
from tests.fixtures.factories import World, as_user, login, make_user, make_world, valid_uscc

ACCOUNTS = "/api/v1/accounts"
CONFLICTS = "/api/v1/conflicts"


def _protected_account(db: Session, world: World) -> tuple[Account, User]:
    owner = make_user(db, world.team_a, "sales_rep", username="huawei.owner")
    account = make_account(
        db,
        world.team_a,
        "华为技术有限公司",
        owner=owner,
        uscc=valid_uscc(88),
        name_en="Huawei Technologies Co., Ltd.",
    )
    make_contact(db, account)
    return account, owner


def _conflicts(db: Session, account_id: uuid.UUID) -> list[ClaimConflict]:
    db.expire_all()
    return list(
        db.execute(select(ClaimConflict).where(ClaimConflict.account_id == account_id)).scalars()
    )


# --- protect -----------------------------------------------------------------------------


def test_protect_releases_the_previous_claim(db: Session) -> None:
    world = make_world(db)
    first_owner = make_user(db, world.team_a, "sales_rep")
    second_owner = make_user(db, world.dept_a, "sales_rep")
    account = make_account(db, world.team_a, owner=first_owner)
    first = active_claim(db, account.id)
    assert first is not None

    second = protect(
        db,
        account=account,
        owner_id=second_owner.id,
        unit_id=world.dept_a.id,
        subsidiary_id=world.sub_a.id,
    )

    assert first.status == "released"
    assert second.status == "active"
    assert active_claim(db, account.id) == second


def test_protection_days_follow_the_rule_with_a_default_of_90(db: Session) -> None:
    world = make_world(db)
    set_protection_days(db, world.sub_b, 15)
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    with clock.frozen_at(moment):
        in_a = make_account(db, world.team_a)
        in_b = make_account(db, world.dept_b)
    claim_a, claim_b = active_claim(db, in_a.id), active_claim(db, in_b.id)
    assert claim_a is not None and claim_b is not None
    assert claim_a.protected_until == moment + timedelta(days=90)
    assert claim_b.protected_until == moment + timedelta(days=15)


# --- guard_protection ----------------------------------------------------------------------


def test_guard_lets_the_protecting_subsidiary_and_group_staff_through(db: Session) -> None:
    world = make_world(db)
    account, _owner = _protected_account(db, world)
    colleague = make_user(db, world.dept_a, "sales_manager")
    group_vp = make_user(db, world.group, "group_sales_vp")

    guard_protection(db, resolve_scope(db, colleague), account, "opportunity.create")
    guard_protection(db, resolve_scope(db, group_vp), account, "opportunity.create")

    assert _conflicts(db, account.id) == []


def test_guard_refuses_another_subsidiary_and_records_the_conflict(db: Session) -> None:
    world = make_world(db)
    account, owner = _protected_account(db, world)
    rival = make_user(db, world.dept_b, "sales_rep")

    with pytest.raises(Conflict) as raised:
        guard_protection(db, resolve_scope(db, rival), account, "opportunity.create")

    error = raised.value
    assert error.code == "claim_conflict"
    assert error.keep_writes is True
    assert error.extra["protecting_unit"] == world.team_a.name
    assert error.params == {"unit": world.team_a.name}
    [conflict] = _conflicts(db, account.id)
    assert error.extra["conflict_id"] == str(conflict.id)
    assert conflict.status == "open"
    assert conflict.attempted_action == "opportunity.create"
    assert conflict.requesting_unit_id == world.dept_b.id
    assert conflict.subsidiary_id == world.sub_b.id
    assert conflict.protecting_unit_id == world.team_a.id
    assert conflict.protecting_subsidiary_id == world.sub_a.id
    assert conflict.requested_by_id == rival.id
    assert owner.display_name not in str(error.extra)


def test_a_repeated_attempt_reuses_the_open_conflict(db: Session) -> None:
    world = make_world(db)
    account, _owner = _protected_account(db, world)
    rival_scope = resolve_scope(db, make_user(db, world.dept_b, "sales_rep"))

    for action in ("claim", "opportunity.create"):
        with pytest.raises(Conflict):
            guard_protection(db, rival_scope, account, action)

    assert len(_conflicts(db, account.id)) == 1
    repeats = db.execute(
        select(AuditEvent).where(AuditEvent.action == "claim_conflict.repeat")
    ).all()
    assert len(repeats) == 1


def test_an_expired_claim_protects_nothing(db: Session) -> None:
    world = make_world(db)
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    with clock.frozen_at(moment):
        account, _owner = _protected_account(db, world)
        rival_scope = resolve_scope(db, make_user(db, world.dept_b, "sales_rep"))
        clock.advance(timedelta(days=89, hours=23))
        with pytest.raises(Conflict):
            guard_protection(db, rival_scope, account, "claim")
        clock.advance(timedelta(hours=1))
        guard_protection(db, rival_scope, account, "claim")


# --- claiming over HTTP --------------------------------------------------------------------


def test_cross_subsidiary_claim_is_refused_naming_the_protecting_unit(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    account, owner = _protected_account(db, world)
    rival, headers = as_user(client, db, world.dept_b, "sales_rep")

    response = client.post(
        f"{ACCOUNTS}/claims", json={"name": "华为技术(深圳)有限公司"}, headers=headers
    )

    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "claim_conflict"
    assert error["protecting_unit"] == world.team_a.name
    assert world.team_a.name in error["message"]
    for secret in (str(account.id), owner.display_name, "huawei.owner", str(owner.id)):
        assert secret not in response.text
    # The refusal rolled the request back, but the conflict record survived it.
    [conflict] = _conflicts(db, account.id)
    assert error["conflict_id"] == str(conflict.id)
    assert conflict.requested_by_id == rival.id
    assert conflict.status == "open"
    db.expire_all()
    assert db.get(Account, account.id).owner_id == owner.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "lookup", [{"uscc": valid_uscc(88)}, {"name": "HUAWEI TECHNOLOGIES CO LTD"}]
)
def test_claim_by_uscc_or_english_name_reaches_the_same_conflict(
    client: TestClient, db: Session, lookup: dict[str, str]
) -> None:
    world = make_world(db)
    account, _owner = _protected_account(db, world)
    _rival, headers = as_user(client, db, world.dept_b, "sales_rep")

    response = client.post(f"{ACCOUNTS}/claims", json=lookup, headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_conflict"
    assert len(_conflicts(db, account.id)) == 1


def test_claim_lookup_of_an_unknown_company_is_404(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _rep, headers = as_user(client, db, world.dept_b, "sales_rep")
    response = client.post(f"{ACCOUNTS}/claims", json={"name": "不存在的公司"}, headers=headers)
    assert response.status_code == 404
    both = client.post(f"{ACCOUNTS}/claims", json={"name": "x", "uscc": "y"}, headers=headers)
    assert both.status_code == 422


def test_after_expiry_another_subsidiary_claims_the_account(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with clock.frozen_at(moment):
        account, _owner = _protected_account(db, world)
        first_claim = active_claim(db, account.id)
        assert first_claim is not None
        rival = make_user(db, world.dept_b, "sales_rep")
        db.commit()

        clock.advance(timedelta(days=91))
        headers = login(client, rival)
        response = client.post(
            f"{ACCOUNTS}/claims", json={"name": "华为技术有限公司"}, headers=headers
        )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account"]["owner_id"] == str(rival.id)
    assert body["account"]["unit_id"] == str(world.dept_b.id)
    assert body["account"]["subsidiary_id"] == str(world.sub_b.id)
    assert body["account"]["is_protected"] is True
    claimed_at = moment + timedelta(days=91)
    assert datetime.fromisoformat(body["claim"]["protected_until"]) == claimed_at + timedelta(
        days=90
    )
    db.expire_all()
    assert db.get(AccountClaim, first_claim.id).status == "released"  # type: ignore[union-attr]
    contacts = db.execute(select(Contact).where(Contact.account_id == account.id)).scalars()
    assert {c.subsidiary_id for c in contacts} == {world.sub_b.id}
    assert _conflicts(db, account.id) == []
    assert db.execute(
        select(AuditEvent).where(
            AuditEvent.action == "account.claim", AuditEvent.entity_id == account.id
        )
    ).first()


def test_account_shows_protection_lapsing_with_the_clock(client: TestClient, db: Session) -> None:
    world = make_world(db)
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with clock.frozen_at(moment):
        account, owner = _protected_account(db, world)
        db.commit()
        headers = login(client, owner)
        assert client.get(f"{ACCOUNTS}/{account.id}", headers=headers).json()["is_protected"]
        clock.advance(timedelta(days=90))
        headers = login(client, owner)
        lapsed = client.get(f"{ACCOUNTS}/{account.id}", headers=headers).json()
    assert lapsed["is_protected"] is False
    assert lapsed["claim"]["status"] == "active"


def test_a_colleagues_protected_account_cannot_be_claimed(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account, _owner = _protected_account(db, world)
    _colleague, headers = as_user(client, db, world.dept_a, "sales_rep")

    response = client.post(f"{ACCOUNTS}/claims", json={"name": "华为技术有限公司"}, headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account_protected"
    assert _conflicts(db, account.id) == []


def test_claim_by_id_takes_a_lapsed_account_in_reach(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account, _owner = _protected_account(db, world)
    manager, headers = as_user(client, db, world.dept_a, "sales_manager")

    protected = client.post(f"{ACCOUNTS}/{account.id}/claims", headers=headers)
    assert protected.status_code == 409
    assert protected.json()["error"]["code"] == "account_protected"

    expire_claims(db, account.id)
    db.commit()
    taken = client.post(f"{ACCOUNTS}/{account.id}/claims", headers=headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["account"]["owner_id"] == str(manager.id)
    assert taken.json()["claim"]["unit_id"] == str(world.dept_a.id)

    again = client.post(f"{ACCOUNTS}/{account.id}/claims", headers=headers)
    assert again.status_code == 200
    assert again.json()["claim"]["id"] == taken.json()["claim"]["id"]

    history = client.get(f"{ACCOUNTS}/{account.id}/claims", headers=headers).json()
    assert [c["status"] for c in history] == ["active", "released"]


def test_pool_accounts_are_claimed_through_the_pool(client: TestClient, db: Session) -> None:
    world = make_world(db)
    pooled = make_account(db, world.dept_a, "凌云能源有限公司", status="pool", claim=False)
    _manager, headers = as_user(client, db, world.dept_a, "sales_manager")

    response = client.post(f"{ACCOUNTS}/{pooled.id}/claims", headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account_in_pool"


# --- conflicts ---------------------------------------------------------------------------


def _raise_conflict(
    client: TestClient, db: Session, world: World
) -> tuple[Account, User, dict[str, str], str]:
    """A sales manager of subsidiary B tries to claim sub A's protected account."""
    account, _owner = _protected_account(db, world)
    requester, headers = as_user(client, db, world.dept_b, "sales_manager")
    response = client.post(f"{ACCOUNTS}/claims", json={"name": "华为技术有限公司"}, headers=headers)
    assert response.status_code == 409
    return account, requester, headers, response.json()["error"]["conflict_id"]


def test_both_sides_see_the_conflict_but_only_the_protecting_side_sees_the_account(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    account, requester, requester_headers, conflict_id = _raise_conflict(client, db, world)
    _director_a, protecting_headers = as_user(client, db, world.sub_a, "sales_director")
    _director_b, requesting_headers = as_user(client, db, world.sub_b, "sales_director")
    _sub_c, dept_c = make_third_subsidiary(db, world.group)
    _outsider, outsider_headers = as_user(client, db, dept_c, "sales_director")

    protecting = client.get(f"{CONFLICTS}/{conflict_id}", headers=protecting_headers).json()
    assert protecting["account_id"] == str(account.id)
    assert protecting["account_name"] == "华为技术有限公司"
    assert protecting["requested_by_id"] == str(requester.id)

    for headers in (requester_headers, requesting_headers):
        seen = client.get(f"{CONFLICTS}/{conflict_id}", headers=headers)
        assert seen.status_code == 200
        body = seen.json()
        assert body["account_id"] is None
        assert body["account_name"] is None
        assert body["protecting_unit_name"] == world.team_a.name
        assert body["protecting_subsidiary_name"] == world.sub_a.name
        assert "huawei.owner" not in seen.text
        listed = client.get(CONFLICTS, params={"status": "open"}, headers=headers).json()
        assert [c["id"] for c in listed["items"]] == [conflict_id]

    assert client.get(f"{CONFLICTS}/{conflict_id}", headers=outsider_headers).status_code == 404
    assert client.get(CONFLICTS, headers=outsider_headers).json()["items"] == []


def test_resolve_by_transfer_moves_the_account_and_its_claim(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    account, requester, requester_headers, conflict_id = _raise_conflict(client, db, world)
    resolver, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.post(
        f"{CONFLICTS}/{conflict_id}/resolve",
        json={"resolution": "transfer", "note": "乙方已有在谈项目", "version": 1},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "transferred"
    assert body["resolved_by_id"] == str(resolver.id)
    assert body["resolution_note"] == "乙方已有在谈项目"
    assert body["version"] == 2
    db.expire_all()
    moved = db.get(Account, account.id)
    assert moved is not None
    assert (moved.owner_id, moved.unit_id, moved.subsidiary_id) == (
        requester.id,
        world.dept_b.id,
        world.sub_b.id,
    )
    claim = active_claim(db, account.id)
    assert claim is not None and claim.unit_id == world.dept_b.id
    assert client.get(f"{ACCOUNTS}/{account.id}", headers=requester_headers).status_code == 200
    assert client.get(f"{ACCOUNTS}/{account.id}", headers=headers).status_code == 404
    assert db.execute(
        select(AuditEvent).where(
            AuditEvent.action == "claim_conflict.resolve",
            AuditEvent.entity_id == uuid.UUID(conflict_id),
        )
    ).first()


def test_resolve_by_share_lets_the_requesting_unit_work_the_account(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    account, requester, requester_headers, conflict_id = _raise_conflict(client, db, world)
    _resolver, headers = as_user(client, db, world.sub_a, "sales_director")
    assert client.get(f"{ACCOUNTS}/{account.id}", headers=requester_headers).status_code == 404

    response = client.post(
        f"{CONFLICTS}/{conflict_id}/resolve",
        json={"resolution": "share", "version": 1},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "shared"
    share = db.execute(
        select(AccountShare).where(AccountShare.account_id == account.id)
    ).scalar_one()
    assert (share.unit_id, share.subsidiary_id) == (world.dept_b.id, world.sub_b.id)
    assert str(share.conflict_id) == conflict_id
    db.expire_all()
    assert db.get(Account, account.id).unit_id == world.team_a.id  # type: ignore[union-attr]
    got = client.get(f"{ACCOUNTS}/{account.id}", headers=requester_headers)
    assert got.status_code == 200
    # Working the shared account is no longer a conflict for the requesting unit.
    guard_protection(db, resolve_scope(db, requester), account, "opportunity.create")
    assert len(_conflicts(db, account.id)) == 1


def test_resolve_by_reject_moves_nothing(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account, _requester, requester_headers, conflict_id = _raise_conflict(client, db, world)
    _resolver, headers = as_user(client, db, world.sub_a, "sales_director")

    response = client.post(
        f"{CONFLICTS}/{conflict_id}/resolve",
        json={"resolution": "reject", "note": "保护期内", "version": 1},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    db.expire_all()
    assert db.get(Account, account.id).unit_id == world.team_a.id  # type: ignore[union-attr]
    assert db.execute(select(AccountShare)).first() is None
    assert client.get(f"{ACCOUNTS}/{account.id}", headers=requester_headers).status_code == 404


def test_only_the_protecting_side_resolves_and_only_once(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _account, _requester, requester_headers, conflict_id = _raise_conflict(client, db, world)
    _director_b, requesting_headers = as_user(client, db, world.sub_b, "sales_director")
    _director_a, headers = as_user(client, db, world.sub_a, "sales_director")
    url = f"{CONFLICTS}/{conflict_id}/resolve"

    for own_side in (requester_headers, requesting_headers):
        refused = client.post(url, json={"resolution": "transfer", "version": 1}, headers=own_side)
        assert refused.status_code == 403, refused.text

    stale = client.post(url, json={"resolution": "reject", "version": 7}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"

    assert client.post(url, json={"resolution": "reject", "version": 1}, headers=headers).is_success
    again = client.post(url, json={"resolution": "transfer", "version": 2}, headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict_already_resolved"


def test_a_conflict_over_an_ended_claim_can_only_be_rejected(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    account, _requester, _requester_headers, conflict_id = _raise_conflict(client, db, world)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    protect(
        db,
        account=account,
        owner_id=None,
        unit_id=world.dept_a.id,
        subsidiary_id=world.sub_a.id,
    )
    db.commit()

    response = client.post(
        f"{CONFLICTS}/{conflict_id}/resolve",
        json={"resolution": "transfer", "version": 1},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict_stale"


def test_group_scope_resolves_any_conflict(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _account, _requester, _headers, conflict_id = _raise_conflict(client, db, world)
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")

    response = client.post(
        f"{CONFLICTS}/{conflict_id}/resolve",
        json={"resolution": "share", "version": 1},
        headers=headers,
    )

    assert response.status_code == 200, response.text
