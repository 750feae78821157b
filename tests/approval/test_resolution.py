"""Approver resolution: line managers through the org tree, roles at the subsidiary or the
group, authority ladders against each subsidiary's matrix, segregation of duties and
escalation."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.approval import gate
from flotilla.approval.resolution import Resolver
from flotilla.core.errors import Conflict
from flotilla.models.identity import User
from tests.fixtures.approval import (
    Staff,
    make_deal,
    make_policy,
    make_staff,
    scope_of,
    set_head,
    set_limits,
    tasks_of,
)
from tests.fixtures.factories import login, make_unit, make_user

LADDER = ["sales_manager", "sales_director", "subsidiary_gm", "group_sales_vp"]


def resolver(
    db: Session,
    requester: User,
    subsidiary_id: uuid.UUID,
    *,
    owner: User | None = None,
    facts: dict[str, Any] | None = None,
) -> Resolver:
    excluded = {requester.id} | ({owner.id} if owner else set())
    return Resolver(
        db,
        requester_id=requester.id,
        subsidiary_id=subsidiary_id,
        excluded=frozenset(excluded),
        facts=facts or {},
    )


def step(*approvers: dict[str, Any], mode: str = "any") -> dict[str, Any]:
    return {"name": "审批", "name_en": "Approval", "mode": mode, "approvers": list(approvers)}


def line(levels: int) -> dict[str, Any]:
    return {"type": "line_manager", "levels": levels}


def approvers(db: Session, requester: User, spec: dict[str, Any], **kwargs: Any) -> list[User]:
    assert requester.subsidiary_id is not None
    found = resolver(db, requester, requester.subsidiary_id, **kwargs).resolve_step(spec)
    users = db.execute(select(User).where(User.id.in_(found.approver_ids))).scalars()
    by_id = {u.id: u for u in users}
    return [by_id[i] for i in found.approver_ids]


def test_line_managers_are_the_distinct_heads_climbing_from_the_requester(db: Session) -> None:
    staff = make_staff(db)
    assert approvers(db, staff.rep, step(line(1))) == [staff.lead]
    assert approvers(db, staff.rep, step(line(2))) == [staff.manager]
    assert approvers(db, staff.rep, step(line(3))) == [staff.gm]
    assert approvers(db, staff.rep, step(line(4))) == [staff.vp]
    # Fewer heads than asked for: the topmost found.
    assert approvers(db, staff.rep, step(line(5))) == [staff.vp]


def test_units_without_a_head_and_the_requester_themself_are_skipped(db: Session) -> None:
    staff = make_staff(db)
    set_head(db, staff.world.dept_a, None)
    assert approvers(db, staff.rep, step(line(2))) == [staff.gm]
    # The team lead asks: they head their own team, so their manager is the next head up.
    assert approvers(db, staff.lead, step(line(1))) == [staff.gm]
    # One person heading two levels counts once.
    set_head(db, staff.world.dept_a, staff.gm)
    assert approvers(db, staff.rep, step(line(2))) == [staff.gm]
    assert approvers(db, staff.rep, step(line(3))) == [staff.vp]


def test_an_inactive_head_is_passed_over(db: Session) -> None:
    staff = make_staff(db)
    staff.lead.is_active = False
    db.flush()
    assert approvers(db, staff.rep, step(line(1))) == [staff.manager]


def test_a_role_at_the_subsidiary_prefers_holders_on_the_requester_s_path(db: Session) -> None:
    staff = make_staff(db)
    world = staff.world
    sibling_team = make_unit(db, world.dept_a, "team")
    other_manager = make_user(db, sibling_team, "sales_manager")
    managers = step({"type": "role", "role": "sales_manager", "at": "subsidiary"})
    # The rep's own team and department hold managers: only those on the rep's path.
    assert set(approvers(db, staff.rep, managers)) == {staff.lead, staff.manager}
    # Someone in the sibling team: their path holds no lead of the rep's team.
    colleague = make_user(db, sibling_team, "sales_rep")
    assert set(approvers(db, colleague, managers)) == {other_manager, staff.manager}
    # Nobody on the path: every holder in the subsidiary.
    outsider = make_user(db, world.sub_a, "sales_rep")
    assert set(approvers(db, outsider, managers)) == {staff.lead, staff.manager, other_manager}
    # Subsidiary B's managers never approve subsidiary A's records.
    make_user(db, world.dept_b, "sales_manager")
    assert set(approvers(db, outsider, managers)) == {staff.lead, staff.manager, other_manager}


def test_a_role_at_the_group_is_held_on_the_group_root(db: Session) -> None:
    staff = make_staff(db)
    make_user(db, staff.world.sub_a, "group_sales_vp")  # held on a subsidiary: not at group
    spec = step({"type": "role", "role": "group_sales_vp", "at": "group"})
    assert approvers(db, staff.rep, spec) == [staff.vp]


def _authority_step(*limits: str) -> dict[str, Any]:
    return step({"type": "authority", "ladder": LADDER, "limits": list(limits)})


def test_the_authority_ladder_stops_at_the_lowest_role_whose_limits_cover(db: Session) -> None:
    staff = make_staff(db)
    world = staff.world
    set_limits(db, world.sub_a, "sales_manager", {"discount_pct": "10", "amount_base": "500000"})
    set_limits(db, world.sub_a, "sales_director", {"discount_pct": "20", "amount_base": "3000000"})
    set_limits(db, world.sub_a, "subsidiary_gm", {"discount_pct": "25", "amount_base": None})
    facts = {"discount_pct": Decimal("15"), "amount_base": Decimal("400000")}
    assert approvers(db, staff.rep, _authority_step("discount_pct"), facts=facts) == [
        staff.director
    ]
    small = {"discount_pct": Decimal("10.00"), "amount_base": Decimal("400000")}
    assert set(
        approvers(db, staff.rep, _authority_step("discount_pct", "amount_base"), facts=small)
    ) == {
        staff.lead,
        staff.manager,
    }
    # GM: 25% and no amount limit; above that nobody in the matrix covers → the ladder top,
    # a group role, resolved at the group.
    big = {"discount_pct": Decimal("22"), "amount_base": Decimal("90000000")}
    assert approvers(db, staff.rep, _authority_step("discount_pct", "amount_base"), facts=big) == [
        staff.gm
    ]
    beyond = {"discount_pct": Decimal("30"), "amount_base": Decimal("1")}
    found = resolver(db, staff.rep, world.sub_a.id, facts=beyond).resolve_step(
        _authority_step("discount_pct")
    )
    assert (found.approver_ids, found.roles) == ((staff.vp.id,), ("group_sales_vp",))


def test_the_same_policy_reaches_different_approvers_in_two_subsidiaries(db: Session) -> None:
    staff = make_staff(db)
    world = staff.world
    b_rep = make_user(db, world.dept_b, "sales_rep")
    b_manager = make_user(db, world.dept_b, "sales_manager")
    make_user(db, world.sub_b, "sales_director")
    set_limits(db, world.sub_a, "sales_manager", {"discount_pct": "10"})
    set_limits(db, world.sub_a, "sales_director", {"discount_pct": "20"})
    set_limits(db, world.sub_b, "sales_manager", {"discount_pct": "20"})
    facts = {"discount_pct": Decimal("15")}
    assert approvers(db, staff.rep, _authority_step("discount_pct"), facts=facts) == [
        staff.director
    ]
    assert approvers(db, b_rep, _authority_step("discount_pct"), facts=facts) == [b_manager]


def test_the_requester_and_the_record_owner_never_approve_and_the_step_escalates(
    db: Session,
) -> None:
    staff = make_staff(db)
    # The record's owner heads the requester's team: the step goes one head up.
    assert approvers(db, staff.rep, step(line(1)), owner=staff.lead) == [staff.manager]
    # A role whose only holder is the requester escalates up the line-manager chain.
    director_step = step({"type": "role", "role": "sales_director", "at": "subsidiary"})
    found = resolver(db, staff.director, staff.world.sub_a.id).resolve_step(director_step)
    assert (found.approver_ids, found.escalated) == ((staff.gm.id,), True)
    # An authority role held only by the requester goes to the next role up the ladder.
    set_limits(db, staff.world.sub_a, "sales_director", {"discount_pct": "20"})
    found = resolver(
        db, staff.director, staff.world.sub_a.id, facts={"discount_pct": Decimal("15")}
    ).resolve_step(_authority_step("discount_pct"))
    assert (found.approver_ids, found.escalated, found.roles) == (
        (staff.gm.id,),
        True,
        ("subsidiary_gm",),
    )


def test_a_step_nobody_can_approve_is_refused_naming_the_step(db: Session) -> None:
    staff = make_staff(db)
    for unit in (staff.world.team_a, staff.world.dept_a, staff.world.sub_a, staff.world.group):
        set_head(db, unit, None)
    lonely = {"name": "直属上级", "name_en": "Line manager", "mode": "any", "approvers": [line(1)]}
    with pytest.raises(Conflict) as refused:
        resolver(db, staff.rep, staff.world.sub_a.id).resolve_step(lonely)
    assert refused.value.code == "no_approver"
    assert refused.value.params == {"step": "直属上级 / Line manager"}


def test_no_approver_is_a_409_with_the_step_named_in_both_languages(
    client: TestClient, db: Session
) -> None:
    staff = make_staff(db)
    set_head(db, staff.world.team_a, None)
    set_head(db, staff.world.dept_a, None)
    set_head(db, staff.world.sub_a, None)
    set_head(db, staff.world.group, None)
    deal = make_deal(db, staff)
    make_policy(
        db,
        "opportunity.skip_stage",
        steps=[
            {"name": "直属上级", "name_en": "Line manager", "mode": "any", "approvers": [line(1)]}
        ],
    )
    db.commit()
    director = login(client, staff.director)
    body = {"to_stage": "closing", "version": deal.version, "reason": "客户加急"}
    zh = client.post(f"/api/v1/opportunities/{deal.id}/transitions", json=body, headers=director)
    assert zh.status_code == 409, zh.text
    assert zh.json()["error"]["code"] == "no_approver"
    assert "「直属上级 / Line manager」" in zh.json()["error"]["message"]
    en = client.post(
        f"/api/v1/opportunities/{deal.id}/transitions",
        json=body,
        headers={**director, "Accept-Language": "en-US"},
    )
    assert 'step "直属上级 / Line manager"' in en.json()["error"]["message"]
    assert gate.latest_request(db, action="opportunity.skip_stage", record_id=deal.id) is None


def test_an_all_step_gives_every_resolved_approver_a_task(db: Session) -> None:
    staff: Staff = make_staff(db)
    deal = make_deal(db, staff)
    make_policy(
        db,
        "opportunity.stage_gate",
        steps=[
            step(
                {"type": "role", "role": "sales_manager", "at": "subsidiary"},
                {"type": "user", "user_id": str(staff.director.id)},
                mode="all",
            )
        ],
    )
    request = gate.guard(
        db,
        scope_of(db, staff.rep),
        action="opportunity.stage_gate",
        record=deal,
        label=deal.name,
        facts={"stage": "proposal"},
    ).request
    assert request is not None
    assert {(t.approver_id, t.status, t.mode) for t in tasks_of(db, request)} == {
        (staff.lead.id, "pending", "all"),
        (staff.manager.id, "pending", "all"),
        (staff.director.id, "pending", "all"),
    }
