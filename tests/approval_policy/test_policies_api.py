"""Approval policies over HTTP: the registry, create/read/update/deactivate with placement and
visibility rules, rule validation errors in both languages, and the scoped-resource
contract."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.approval.registry import ACTIONS, AUTHORITY_LIMITS
from flotilla.models.approval import ApprovalPolicy
from flotilla.models.audit import AuditEvent
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.approval_policy import (
    SUBSIDIARY_APPROVAL_ADMIN,
    authority_step,
    beyond,
    ensure_subsidiary_approval_admin,
    make_policy,
)
from tests.fixtures.factories import World, as_user, make_user, make_world

BASE = "/api/v1/approval-policies"
EN = {"Accept-Language": "en-US"}


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def group_admin(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.group, "group_admin")[1]


@pytest.fixture
def sub_admin(client: TestClient, db: Session, world: World) -> dict[str, str]:
    """An approvals admin of subsidiary A only."""
    ensure_subsidiary_approval_admin(db)
    return as_user(client, db, world.sub_a, SUBSIDIARY_APPROVAL_ADMIN)[1]


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": f"P-{uuid.uuid4().hex[:8]}",
        "name": "报价折扣审批",
        "name_en": "Quote discount",
        "action": "quote.submit",
        "priority": 50,
        "condition": {
            "any": [
                beyond("sales_rep", "discount_pct"),
                {"field": "below_floor", "op": "eq", "value": True},
            ]
        },
        "steps": [authority_step("discount_pct", "amount_base")],
    }
    data.update(overrides)
    return data


def policy_count(db: Session) -> int:
    return db.execute(select(func.count()).select_from(ApprovalPolicy)).scalar_one()


# ----------------------------------------------------------------------------- the registry


def test_registry_lists_actions_fields_and_limits(
    client: TestClient, db: Session, world: World
) -> None:
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    response = client.get("/api/v1/approval-actions", headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert [a["code"] for a in data["actions"]] == list(ACTIONS)
    quote = next(a for a in data["actions"] if a["code"] == "quote.submit")
    tier = next(f for f in quote["fields"] if f["name"] == "account.tier")
    assert tier == {
        "name": "account.tier",
        "type": "string",
        "label": "客户分级",
        "label_en": "Account tier",
        "choices": ["strategic", "key_account", "smb"],
    }
    limits = {item["name"]: item for item in data["authority_limits"]}
    assert set(limits) == set(AUTHORITY_LIMITS)
    assert limits["credit_override_base"]["covers_fact"] == "amount_base"
    assert "not_in" in data["operators"]
    assert data["resolution_types"] == ["user", "line_manager", "role", "authority"]


def test_registry_needs_an_approval_permission(
    client: TestClient, db: Session, world: World
) -> None:
    _nobody, headers = as_user(client, db, world.team_a, None)
    assert client.get("/api/v1/approval-actions", headers=headers).status_code == 403
    assert client.get("/api/v1/approval-actions").status_code == 401


# ----------------------------------------------------------------------------- create


def test_group_admin_creates_a_group_wide_policy(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    sent = body(condition={"field": "discount_pct", "op": "gt", "value": 10.005})
    response = client.post(BASE, json=sent, headers=group_admin)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["subsidiary_id"] is None
    assert created["action_name"] == "提交报价"
    assert created["is_active"] is True
    assert created["version"] == 1
    # A JSON number in a rule is stored as an exact decimal string.
    assert created["condition"] == {"field": "discount_pct", "op": "gt", "value": "10.005"}
    assert created["steps"] == sent["steps"]
    assert created["read_fields"] == ["amount_base", "discount_pct"]
    got = client.get(f"{BASE}/{created['id']}", headers=group_admin)
    assert got.status_code == 200
    assert got.json() == created
    events = db.execute(
        select(AuditEvent.action).where(AuditEvent.entity_id == uuid.UUID(created["id"]))
    ).scalars()
    assert list(events) == ["approval_policy.create"]


def test_subsidiary_admin_places_policies_in_their_subsidiary_only(
    client: TestClient, db: Session, world: World, sub_admin: dict[str, str]
) -> None:
    own = client.post(BASE, json=body(subsidiary_id=str(world.sub_a.id)), headers=sub_admin)
    assert own.status_code == 201, own.text
    assert own.json()["subsidiary_name"] == world.sub_a.name

    sibling = client.post(BASE, json=body(subsidiary_id=str(world.sub_b.id)), headers=sub_admin)
    assert sibling.status_code == 404
    group_wide = client.post(BASE, json=body(), headers=sub_admin)
    assert group_wide.status_code == 403
    department = client.post(BASE, json=body(subsidiary_id=str(world.dept_a.id)), headers=sub_admin)
    assert department.status_code == 422
    assert department.json()["error"]["fields"][0]["field"] == "subsidiary_id"
    assert department.json()["error"]["fields"][0]["code"] == "policy_not_a_subsidiary"
    assert policy_count(db) == 1


def test_callers_without_approval_admin_cannot_create(
    client: TestClient, db: Session, world: World
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.post(BASE, json=body(subsidiary_id=str(world.sub_a.id)), headers=headers)
    assert response.status_code == 403
    assert policy_count(db) == 0


def test_an_invalid_rule_is_refused_with_every_error_in_both_languages(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    ghost = uuid.uuid4()
    sent = body(
        condition={
            "any": [
                {"field": "discount", "op": "gt", "value": 1},
                {
                    "field": "amount_base",
                    "op": "gt",
                    "value": {"authority": {"role": "sales_rep", "limit": "discount_pct"}},
                },
                {
                    "field": "discount_pct",
                    "op": "gt",
                    "value": {"authority": {"role": "czar", "limit": "discount_pct"}},
                },
            ]
        },
        steps=[
            {
                "name": "审批",
                "mode": "any",
                "approvers": [
                    {"type": "user", "user_id": str(ghost)},
                    {"type": "line_manager", "levels": 9},
                ],
            }
        ],
    )
    zh = client.post(BASE, json=sent, headers=group_admin)
    assert zh.status_code == 422, zh.text
    error = zh.json()["error"]
    assert error["code"] == "validation_failed"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [
        ("condition.any[0].field", "rule_unknown_field"),
        ("condition.any[1].value", "rule_type_mismatch"),
        ("condition.any[2].value.authority.role", "rule_unknown_role"),
        ("steps[0].approvers[0].user_id", "step_unknown_user"),
        ("steps[0].approvers[1].levels", "step_invalid_levels"),
    ]
    assert error["fields"][0]["message"] == "该审批动作没有字段 discount"
    assert error["fields"][2]["message"] == "角色不存在：czar"

    en = client.post(BASE, json=sent, headers={**group_admin, **EN})
    assert en.status_code == 422
    messages = [f["message"] for f in en.json()["error"]["fields"]]
    assert messages[0] == "The guarded action has no field discount"
    assert messages[1] == "The value does not match the field's type (money)"
    assert messages[4] == "Levels must be a whole number from 1 to 5"
    assert policy_count(db) == 0


def test_a_rule_that_is_not_an_object_is_refused(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    response = client.post(BASE, json=body(condition=["always"], steps={}), headers=group_admin)
    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["error"]["fields"]] == [
        ("condition", "rule_invalid_shape"),
        ("steps", "step_invalid_shape"),
    ]


def test_an_inactive_user_cannot_be_an_approver(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    retired = make_user(db, world.sub_a)
    retired.is_active = False
    db.commit()
    step = {
        "name": "指定人",
        "mode": "any",
        "approvers": [{"type": "user", "user_id": str(retired.id)}],
    }
    response = client.post(BASE, json=body(steps=[step]), headers=group_admin)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "step_unknown_user"
    active = make_user(db, world.sub_b)
    db.commit()
    step["approvers"] = [{"type": "user", "user_id": str(active.id)}]
    assert client.post(BASE, json=body(steps=[step]), headers=group_admin).status_code == 201


def test_unknown_action_and_duplicate_code(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    unknown = client.post(BASE, json=body(action="quote.delete"), headers=group_admin)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["field"] == "action"
    assert unknown.json()["error"]["fields"][0]["code"] == "rule_unknown_action"

    make_policy(db, code="TAKEN", subsidiary=world.sub_b)
    db.commit()
    taken = client.post(BASE, json=body(code="TAKEN"), headers=group_admin)
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "duplicate"


def test_request_body_refuses_unknown_fields(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    response = client.post(BASE, json=body(is_builtin=True), headers=group_admin)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "extra_forbidden"


# ----------------------------------------------------------------------------- update


def test_patch_changes_a_policy_with_its_version(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    created = client.post(BASE, json=body(), headers=group_admin).json()
    changed = client.patch(
        f"{BASE}/{created['id']}",
        json={
            "version": created["version"],
            "priority": 10,
            "name": "新名称",
            "condition": {"always": True},
            "subsidiary_id": str(world.sub_b.id),
        },
        headers=group_admin,
    )
    assert changed.status_code == 200, changed.text
    data = changed.json()
    assert (data["priority"], data["name"], data["condition"]) == (10, "新名称", {"always": True})
    assert data["subsidiary_id"] == str(world.sub_b.id)
    assert data["version"] == created["version"] + 1
    assert data["steps"] == created["steps"]

    stale = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "priority": 1},
        headers=group_admin,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_patch_with_an_invalid_rule_changes_nothing(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    created = client.post(BASE, json=body(), headers=group_admin).json()
    response = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "name": "改名", "steps": []},
        headers=group_admin,
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "steps"
    assert client.get(f"{BASE}/{created['id']}", headers=group_admin).json() == created


def test_patch_refuses_changing_the_action_and_clearing_required_fields(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    created = client.post(BASE, json=body(), headers=group_admin).json()
    action = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "action": "contract.sign"},
        headers=group_admin,
    )
    assert action.status_code == 422
    cleared = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": created["version"], "name": None},
        headers=group_admin,
    )
    assert cleared.status_code == 422
    assert cleared.json()["error"]["fields"][0] == {
        "field": "name",
        "code": "missing",
        "message": "必填字段",
    }


def test_a_subsidiary_admin_reads_but_cannot_change_group_wide_policies(
    client: TestClient, db: Session, world: World, sub_admin: dict[str, str]
) -> None:
    group_wide = make_policy(db)
    db.commit()
    assert client.get(f"{BASE}/{group_wide.id}", headers=sub_admin).status_code == 200
    response = client.patch(
        f"{BASE}/{group_wide.id}", json={"version": 1, "priority": 1}, headers=sub_admin
    )
    assert response.status_code == 403
    assert client.post(f"{BASE}/{group_wide.id}/deactivate", headers=sub_admin).status_code == 403


def test_a_subsidiary_admin_cannot_move_a_policy_group_wide(
    client: TestClient, db: Session, world: World, sub_admin: dict[str, str]
) -> None:
    own = make_policy(db, subsidiary=world.sub_a)
    db.commit()
    response = client.patch(
        f"{BASE}/{own.id}", json={"version": 1, "subsidiary_id": None}, headers=sub_admin
    )
    assert response.status_code == 403
    db.expire_all()
    assert own.subsidiary_id == world.sub_a.id


def test_deactivate_keeps_the_policy_and_reactivation_is_a_patch(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    created = client.post(BASE, json=body(), headers=group_admin).json()
    stale = client.post(
        f"{BASE}/{created['id']}/deactivate", json={"version": 99}, headers=group_admin
    )
    assert stale.status_code == 409
    off = client.post(
        f"{BASE}/{created['id']}/deactivate",
        json={"version": created["version"]},
        headers=group_admin,
    )
    assert off.status_code == 200, off.text
    assert off.json()["is_active"] is False
    again = client.post(f"{BASE}/{created['id']}/deactivate", headers=group_admin)
    assert again.status_code == 200
    assert again.json()["version"] == off.json()["version"]
    on = client.patch(
        f"{BASE}/{created['id']}",
        json={"version": off.json()["version"], "is_active": True},
        headers=group_admin,
    )
    assert on.json()["is_active"] is True


# ----------------------------------------------------------------------------- reads


def test_readers_see_group_wide_and_their_own_subsidiary_s_policies(
    client: TestClient, db: Session, world: World
) -> None:
    group_wide = make_policy(db, name="集团策略")
    own = make_policy(db, subsidiary=world.sub_a, name="甲策略")
    sibling = make_policy(db, subsidiary=world.sub_b, name="乙策略")
    # A rep's own data scope reaches no unit: the subsidiary they sit in is what counts.
    _rep, rep = as_user(client, db, world.team_a, "sales_rep")
    _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
    _vp, vp = as_user(client, db, world.group, "group_sales_vp")
    for headers in (rep, manager):
        ids = {item["id"] for item in client.get(BASE, headers=headers).json()["items"]}
        assert ids == {str(group_wide.id), str(own.id)}
        assert client.get(f"{BASE}/{own.id}", headers=headers).status_code == 200
        hidden = client.get(f"{BASE}/{sibling.id}", headers=headers)
        assert hidden.status_code == 404
        assert hidden.json()["error"]["code"] == "not_found"
    ids = {item["id"] for item in client.get(BASE, headers=vp).json()["items"]}
    assert ids == {str(group_wide.id), str(own.id), str(sibling.id)}


def test_list_filters_and_sorts(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    first = make_policy(db, code="B-QUOTE", priority=20)
    second = make_policy(db, code="A-QUOTE", priority=10, subsidiary=world.sub_a)
    contract = make_policy(db, code="C-SIGN", action="contract.sign", priority=5)
    inactive = make_policy(db, code="D-OLD", priority=1, is_active=False)
    db.commit()

    def ids(**params: Any) -> list[str]:
        response = client.get(BASE, params=params, headers=group_admin)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [str(p.id) for p in (inactive, contract, second, first)]
    assert ids(action="quote.submit", is_active="true") == [str(second.id), str(first.id)]
    assert ids(subsidiary_id=str(world.sub_a.id)) == [str(second.id)]
    assert ids(group_wide="true", sort="code") == [
        str(first.id),
        str(contract.id),
        str(inactive.id),
    ]
    assert ids(q="sign") == [str(contract.id)]
    assert ids(sort="-code")[0] == str(inactive.id)
    bad = client.get(BASE, params={"sort": "action"}, headers=group_admin)
    assert bad.status_code == 422


def test_pages_follow_the_cursor(
    client: TestClient, db: Session, world: World, group_admin: dict[str, str]
) -> None:
    made = {str(make_policy(db, priority=n % 3).id) for n in range(7)}
    db.commit()
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "include_total": "true"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(BASE, params=params, headers=group_admin).json()
        assert page["total"] == 7
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7
    assert set(seen) == made


# ----------------------------------------------------------------------------- the contract

_SUBSIDIARY_OF = {"dept_a": "sub_a", "team_a": "sub_a", "sub_a": "sub_a", "dept_b": "sub_b"}


class TestApprovalPoliciesAreScoped(ScopedResourceContract):
    """Policies sit at a subsidiary: a record "in" a unit is a policy of that unit's
    subsidiary. Policies have no owner, so the ``own`` case is redefined below."""

    collection = BASE
    mover_role = SUBSIDIARY_APPROVAL_ADMIN

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        ensure_subsidiary_approval_admin(db)
        name = f"策略-{uuid.uuid4().hex[:10]}"
        subsidiary = getattr(world, _SUBSIDIARY_OF[unit_name])
        return make_policy(db, subsidiary=subsidiary, name=name).id, name

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        return make_policy(db, subsidiary=world.sub_a).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        current = client.get(f"{BASE}/{record_id}", headers=headers).json()
        response: Response = client.patch(
            f"{BASE}/{record_id}",
            json={"version": current["version"], "subsidiary_id": str(world.sub_b.id)},
            headers=headers,
        )
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        policy = db.execute(
            select(ApprovalPolicy).where(ApprovalPolicy.id == record_id)
        ).scalar_one()
        return (policy.subsidiary_id, policy.version)

    def test_own_scope_sees_only_own_records(self, client: TestClient, db: Session) -> None:
        """An ``own``-scoped reader sees the policies of the subsidiary they work in (the
        rules they work under) and group-wide ones, never another subsidiary's."""
        world = make_world(db)
        own_subsidiary, _text = self.make_record(db, world, "dept_a")
        sibling, text = self.make_record(db, world, "dept_b")
        _rep, headers = as_user(client, db, world.team_a, "sales_rep")
        assert str(own_subsidiary) in self._list_ids(client, headers)
        assert client.get(f"{BASE}/{own_subsidiary}", headers=headers).status_code == 200
        self._assert_invisible(client, headers, sibling, text)
