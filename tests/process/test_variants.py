"""Subsidiary variants of the group standard, locked stages, and which process a subsidiary
actually uses (the effective process)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.models.sales import ProcessTemplate
from flotilla.process.seed import STANDARD_STAGES, variant_stages
from tests.fixtures.factories import World, as_user, make_world, unknown_id
from tests.fixtures.process import make_template, publish

BASE = "/api/v1/process-templates"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def standard(db: Session, world: World) -> ProcessTemplate:
    return make_template(db, code="STD")


def create_variant(
    client: TestClient, headers: dict[str, str], world: World, base: ProcessTemplate
) -> Any:
    return client.post(
        BASE,
        json={
            "code": "SUB-A-LTC",
            "name": "甲子公司流程",
            "subsidiary_id": str(world.sub_a.id),
            "base_template_id": str(base.id),
        },
        headers=headers,
    )


def save_and_publish(
    client: TestClient, headers: dict[str, str], template_id: str, stages: list[Any]
) -> Any:
    current = client.get(f"{BASE}/{template_id}", headers=headers).json()
    saved = client.put(
        f"{BASE}/{template_id}/draft",
        json={"version": current["version"], "stages": stages},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    return client.post(f"{BASE}/{template_id}/draft/publish", headers=headers)


def draft_stages(client: TestClient, headers: dict[str, str], template_id: str) -> list[Any]:
    stages = client.get(f"{BASE}/{template_id}/draft", headers=headers).json()["stages"]
    for item in stages:
        item.pop("id")
    return list(stages)


def test_a_variant_draft_starts_as_a_copy_of_the_base_with_locked_stages_marked(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = create_variant(client, headers, world, standard)
    assert response.status_code == 201, response.text
    variant = response.json()
    assert variant["subsidiary_id"] == str(world.sub_a.id)
    assert variant["base_template_id"] == str(standard.id)
    assert variant["allow_variants"] is False
    draft = client.get(f"{BASE}/{variant['id']}/draft", headers=headers).json()
    assert [(s["code"], s["locked"]) for s in draft["stages"]] == [
        (s.code, s.locked) for s in STANDARD_STAGES
    ]
    assert draft["stages"][1]["checklist"][0]["code"] == "budget_confirmed"


def test_a_director_cannot_create_a_variant_for_another_subsidiary(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _director, headers = as_user(client, db, world.sub_b, "sales_director")
    assert create_variant(client, headers, world, standard).status_code == 403


def test_a_variant_needs_a_published_base_that_allows_variants(
    client: TestClient, db: Session, world: World
) -> None:
    closed = make_template(db, code="STD", allow_variants=False)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    refused = create_variant(client, headers, world, closed)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0] == {
        "field": "base_template_id",
        "code": "process_variants_not_allowed",
        "message": "该模板不允许子公司变体",
    }
    missing = client.post(
        BASE,
        json={"code": "V", "name": "v", "subsidiary_id": str(world.sub_a.id)},
        headers=headers,
    )
    assert missing.status_code == 422
    unknown = client.post(
        BASE,
        json={
            "code": "V",
            "name": "v",
            "subsidiary_id": str(unknown_id()),
            "base_template_id": str(closed.id),
        },
        headers=headers,
    )
    assert unknown.status_code == 403  # process.admin does not reach an unknown unit


def test_a_subsidiary_has_one_active_variant(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    assert create_variant(client, headers, world, standard).status_code == 201
    second = client.post(
        BASE,
        json={
            "code": "SUB-A-2",
            "name": "第二个",
            "subsidiary_id": str(world.sub_a.id),
            "base_template_id": str(standard.id),
        },
        headers=headers,
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "process_variant_exists"


def test_a_variant_may_add_a_stage_between_locked_ones(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    variant = create_variant(client, headers, world, standard).json()
    stages = draft_stages(client, headers, variant["id"])
    poc = {
        "code": "poc",
        "name": "技术验证",
        "probability": 40,
        "position": 25,
        "max_days": 30,
        "locked": True,  # ignored: a variant does not choose locks
    }
    stages = [{**s, "position": (i + 1) * 10} for i, s in enumerate(stages)] + [poc]
    published = save_and_publish(client, headers, variant["id"], stages)
    assert published.status_code == 200, published.text
    assert [(s["code"], s["locked"]) for s in published.json()["stages"]] == [
        ("qualify", True),
        ("needs_analysis", True),
        ("poc", False),
        ("solution_quote", False),
        ("negotiation", True),
        ("won", True),
        ("lost", True),
    ]


def test_a_variant_may_drop_an_unlocked_stage(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    variant = create_variant(client, headers, world, standard).json()
    stages = [s for s in draft_stages(client, headers, variant["id"]) if s["locked"]]
    published = save_and_publish(client, headers, variant["id"], stages)
    assert published.status_code == 200, published.text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda stages: [s for s in stages if s["code"] != "negotiation"],
            {("stages", "process_locked_stage_missing")},
        ),
        (
            # needs_analysis moved after negotiation
            lambda stages: [
                {**s, "position": 45, "probability": 75} if s["code"] == "needs_analysis" else s
                for s in stages
            ],
            {("stages.2.position", "process_locked_stage_order")},
        ),
        (
            # the locked lost stage turned into an open one (and placed before won)
            lambda stages: [
                {**s, "kind": "open", "probability": 90, "position": 45}
                if s["code"] == "lost"
                else s
                for s in stages
            ],
            {
                ("stages.4.kind", "process_locked_stage_kind"),
                ("stages.4.position", "process_locked_stage_order"),
                ("stages", "process_no_lost_stage"),
            },
        ),
    ],
)
def test_publishing_a_variant_keeps_every_locked_stage_in_code_kind_and_order(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    change: Any,
    expected: set[tuple[str, str]],
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    variant = create_variant(client, headers, world, standard).json()
    stages = [
        {**s, "position": (i + 1) * 10}
        for i, s in enumerate(draft_stages(client, headers, variant["id"]))
    ]
    response = save_and_publish(client, headers, variant["id"], change(stages))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "process_invalid"
    fields = {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}
    assert fields == expected


def test_locked_stage_errors_name_the_stage(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    variant = create_variant(client, headers, world, standard).json()
    stages = [s for s in draft_stages(client, headers, variant["id"]) if s["code"] != "qualify"]
    response = save_and_publish(client, headers, variant["id"], stages)
    headers_en = {**headers, "Accept-Language": "en-US"}
    again = client.post(f"{BASE}/{variant['id']}/draft/publish", headers=headers_en)
    assert response.status_code == again.status_code == 422
    assert again.json()["error"]["fields"] == [
        {
            "field": "stages",
            "code": "process_locked_stage_missing",
            "message": "The stage qualify is locked by the group and must be kept",
        }
    ]


# --- the effective process ----------------------------------------------------------------


def effective(client: TestClient, headers: dict[str, str], world: World, sub: str) -> Any:
    return client.get(
        f"{BASE}/effective",
        params={"subsidiary_id": str(getattr(world, sub).id)},
        headers=headers,
    )


def test_a_subsidiary_uses_its_published_variant_else_the_group_standard(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    for sub in ("sub_a", "sub_b"):
        body = effective(client, headers, world, sub).json()
        assert (body["is_variant"], body["template"]["code"]) == (False, "STD")

    variant = make_template(db, stages=None, code="V-A", subsidiary=world.sub_a, base=standard)
    db.commit()
    draft_only = effective(client, headers, world, "sub_a").json()
    assert draft_only["template"]["code"] == "STD"  # a variant without a published version

    publish(db, variant, variant_stages())
    db.commit()
    body = effective(client, headers, world, "sub_a").json()
    assert (body["is_variant"], body["template"]["code"]) == (True, "V-A")
    assert "poc" in [s["code"] for s in body["version"]["stages"]]
    assert effective(client, headers, world, "sub_b").json()["template"]["code"] == "STD"


def test_the_standard_s_latest_published_version_is_effective(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    v2 = publish(db, standard, STANDARD_STAGES[1:])
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    body = effective(client, headers, world, "sub_b").json()
    assert body["version"]["id"] == str(v2.id)
    assert body["version"]["number"] == 2


def test_a_deactivated_variant_or_a_withdrawn_authorization_falls_back_to_the_standard(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    variant = make_template(db, variant_stages(), code="V-A", subsidiary=world.sub_a, base=standard)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    assert effective(client, headers, world, "sub_a").json()["is_variant"] is True

    vp_headers = as_user(client, db, world.group, "group_sales_vp")[1]
    withdrawn = client.patch(
        f"{BASE}/{standard.id}",
        json={"version": standard.version, "allow_variants": False},
        headers=vp_headers,
    )
    assert withdrawn.status_code == 200
    assert effective(client, headers, world, "sub_a").json()["is_variant"] is False
    restored = client.patch(
        f"{BASE}/{standard.id}",
        json={"version": withdrawn.json()["version"], "allow_variants": True},
        headers=vp_headers,
    )
    assert restored.status_code == 200
    assert effective(client, headers, world, "sub_a").json()["is_variant"] is True

    deactivated = client.patch(
        f"{BASE}/{variant.id}",
        json={"version": variant.version, "is_active": False},
        headers=headers,
    )
    assert deactivated.status_code == 200, deactivated.text
    assert effective(client, headers, world, "sub_a").json()["is_variant"] is False


def test_effective_process_errors(client: TestClient, db: Session, world: World) -> None:
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    none_yet = effective(client, headers, world, "sub_a")
    assert none_yet.status_code == 404
    assert none_yet.json()["error"]["code"] == "no_published_process"
    not_a_subsidiary = effective(client, headers, world, "dept_a")
    assert not_a_subsidiary.status_code == 422
