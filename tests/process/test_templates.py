"""Process templates: who manages them, drafts and immutable published versions, and the
validation a version passes before it is published."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.sales import ProcessStage, ProcessVersion
from flotilla.process.seed import STANDARD_STAGES
from tests.fixtures.factories import World, as_user, make_world
from tests.fixtures.process import latest_version, make_template

BASE = "/api/v1/process-templates"


def stage(code: str, probability: int, kind: str = "open", **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": f"阶段{code}", "probability": probability, "kind": kind, **extra}


VALID_STAGES = [
    stage("qualify", 10, max_days=14),
    stage(
        "analysis",
        30,
        required_fields=["amount", "expected_close_date"],
        checklist=[{"code": "budget", "label": "已确认预算", "label_en": "Budget confirmed"}],
    ),
    stage("negotiation", 70, requires_approval=True),
    stage("won", 100, "won"),
    stage("lost", 0, "lost"),
]


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def admin(client: TestClient, db: Session, world: World) -> dict[str, str]:
    return as_user(client, db, world.group, "group_admin")[1]


def create_group_template(client: TestClient, headers: dict[str, str], code: str = "STD") -> Any:
    response = client.post(BASE, json={"code": code, "name": "集团标准流程"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def put_draft(
    client: TestClient, headers: dict[str, str], template: dict[str, Any], stages: list[Any]
) -> Any:
    current = client.get(f"{BASE}/{template['id']}", headers=headers).json()
    return client.put(
        f"{BASE}/{template['id']}/draft",
        json={"version": current["version"], "stages": stages},
        headers=headers,
    )


def publish(client: TestClient, headers: dict[str, str], template_id: str) -> Any:
    return client.post(f"{BASE}/{template_id}/draft/publish", headers=headers)


def field_codes(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


# --- reading -----------------------------------------------------------------------------


def test_any_signed_in_user_reads_templates_and_anonymous_gets_401(
    client: TestClient, db: Session, world: World
) -> None:
    template = make_template(db, code="LTC")
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    listed = client.get(BASE, headers=headers)
    assert listed.status_code == 200
    assert [t["code"] for t in listed.json()["items"]] == ["LTC"]
    assert listed.json()["items"][0]["latest_published_number"] == 1
    got = client.get(f"{BASE}/{template.id}", headers=headers)
    assert got.status_code == 200
    version_id = got.json()["latest_published_version_id"]
    version = client.get(f"/api/v1/process-versions/{version_id}", headers=headers)
    assert [s["code"] for s in version.json()["stages"]] == [s.code for s in STANDARD_STAGES]
    assert client.get(BASE).status_code == 401


# --- who may manage templates -------------------------------------------------------------


@pytest.mark.parametrize("role_code", ["group_admin", "group_sales_vp"])
def test_group_wide_process_admins_create_the_group_template_with_an_empty_draft(
    client: TestClient, db: Session, world: World, role_code: str
) -> None:
    _user, headers = as_user(client, db, world.group, role_code)
    template = create_group_template(client, headers)
    assert template["subsidiary_id"] is None
    assert template["draft_version_id"] is not None
    assert template["latest_published_version_id"] is None
    draft = client.get(f"{BASE}/{template['id']}/draft", headers=headers)
    assert draft.status_code == 200
    assert draft.json()["number"] == 1
    assert draft.json()["status"] == "draft"
    assert draft.json()["stages"] == []


@pytest.mark.parametrize(
    ("role_code", "anchor"), [("sales_director", "sub_a"), ("sales_rep", "team_a")]
)
def test_callers_without_group_wide_process_admin_cannot_manage_group_templates(
    client: TestClient, db: Session, world: World, role_code: str, anchor: str
) -> None:
    template = make_template(db, stages=None, code="STD")
    _user, headers = as_user(client, db, getattr(world, anchor), role_code)
    created = client.post(BASE, json={"code": "X", "name": "x"}, headers=headers)
    assert created.status_code == 403
    edited = client.put(
        f"{BASE}/{template.id}/draft", json={"version": 1, "stages": VALID_STAGES}, headers=headers
    )
    assert edited.status_code == 403


def test_the_group_runs_one_active_standard_template(
    client: TestClient, db: Session, world: World
) -> None:
    headers = admin(client, db, world)
    create_group_template(client, headers, "STD")
    second = client.post(BASE, json={"code": "STD2", "name": "另一个"}, headers=headers)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "process_standard_exists"


def test_template_codes_are_unique(client: TestClient, db: Session, world: World) -> None:
    standard = make_template(db, code="STD")
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.post(
        BASE,
        json={
            "code": "std",
            "name": "变体",
            "subsidiary_id": str(world.sub_a.id),
            "base_template_id": str(standard.id),
        },
        headers=headers,
    )
    assert response.status_code == 409
    assert field_codes(response) == {("code", "duplicate")}


# --- drafts and published versions --------------------------------------------------------


def test_a_draft_is_edited_then_published_and_the_published_version_is_immutable(
    client: TestClient, db: Session, world: World
) -> None:
    headers = admin(client, db, world)
    template = create_group_template(client, headers)
    saved = put_draft(client, headers, template, VALID_STAGES)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert [s["code"] for s in body["stages"]] == [s["code"] for s in VALID_STAGES]
    assert [s["position"] for s in body["stages"]] == [1, 2, 3, 4, 5]
    assert body["stages"][1]["checklist"] == [
        {"code": "budget", "label": "已确认预算", "label_en": "Budget confirmed"}
    ]
    assert body["stages"][1]["required_fields"] == ["amount", "expected_close_date"]

    published = publish(client, headers, template["id"])
    assert published.status_code == 200, published.text
    version = published.json()
    assert version["status"] == "published"
    assert version["published_at"] is not None
    assert client.get(f"{BASE}/{template['id']}/draft", headers=headers).status_code == 404

    current = client.get(f"{BASE}/{template['id']}", headers=headers).json()
    assert current["latest_published_version_id"] == version["id"]
    edit = client.put(
        f"/api/v1/process-versions/{version['id']}",
        json={"version": current["version"], "stages": VALID_STAGES[:2]},
        headers=headers,
    )
    assert edit.status_code == 409
    assert edit.json()["error"]["code"] == "version_published"
    again = client.post(f"/api/v1/process-versions/{version['id']}/publish", headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "version_published"
    stages = db.execute(
        select(ProcessStage.code).where(ProcessStage.version_id == uuid.UUID(version["id"]))
    ).scalars()
    assert sorted(stages) == sorted(s["code"] for s in VALID_STAGES)


def test_a_new_draft_starts_from_the_latest_published_version(
    client: TestClient, db: Session, world: World
) -> None:
    template = make_template(db, code="STD")
    headers = admin(client, db, world)
    started = client.post(f"{BASE}/{template.id}/draft", headers=headers)
    assert started.status_code == 201, started.text
    assert started.json()["number"] == 2
    assert [s["code"] for s in started.json()["stages"]] == [s.code for s in STANDARD_STAGES]
    twice = client.post(f"{BASE}/{template.id}/draft", headers=headers)
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "process_draft_exists"

    stages = [s for s in started.json()["stages"] if s["code"] != "solution_quote"]
    for item in stages:
        item.pop("id")
    saved = client.put(
        f"{BASE}/{template.id}/draft",
        json={"version": started.json()["template_version"], "stages": stages},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert publish(client, headers, str(template.id)).status_code == 200
    versions = client.get(f"{BASE}/{template.id}/versions", headers=headers).json()
    assert [(v["number"], v["status"]) for v in versions] == [(2, "published"), (1, "published")]


def test_a_stale_template_version_is_a_conflict_and_changes_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    headers = admin(client, db, world)
    template = create_group_template(client, headers)
    assert put_draft(client, headers, template, VALID_STAGES).status_code == 200
    stale = client.put(
        f"{BASE}/{template['id']}/draft",
        json={"version": template["version"], "stages": VALID_STAGES[:1]},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    draft = client.get(f"{BASE}/{template['id']}/draft", headers=headers).json()
    assert len(draft["stages"]) == len(VALID_STAGES)


def test_draft_edits_are_audited_per_changed_stage(
    client: TestClient, db: Session, world: World
) -> None:
    headers = admin(client, db, world)
    template = create_group_template(client, headers)
    assert put_draft(client, headers, template, VALID_STAGES).status_code == 200
    changed = [dict(s) for s in VALID_STAGES]
    changed[0]["max_days"] = 21
    response = put_draft(client, headers, template, changed)
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    events = db.execute(
        select(AuditEvent).where(AuditEvent.request_id == request_id).order_by(AuditEvent.seq)
    ).scalars()
    stage_events = [e for e in events if e.entity_type == "process_stage"]
    assert [(e.action, e.entity_label) for e in stage_events] == [
        ("process_stage.update", "阶段qualify")
    ]
    assert stage_events[0].changes["max_days"] == {"before": 14, "after": 21}


def test_draft_stage_lists_refuse_duplicate_codes_and_unknown_required_fields(
    client: TestClient, db: Session, world: World
) -> None:
    headers = admin(client, db, world)
    template = create_group_template(client, headers)
    duplicate = put_draft(
        client,
        headers,
        template,
        [
            stage("a", 10, checklist=[{"code": "x", "label": "x"}, {"code": "x", "label": "y"}]),
            stage("a", 20),
        ],
    )
    assert duplicate.status_code == 422
    assert field_codes(duplicate) == {
        ("stages.1.code", "duplicate"),
        ("stages.0.checklist.1.code", "duplicate"),
    }
    unknown = put_draft(client, headers, template, [stage("a", 10, required_fields=["budget"])])
    assert unknown.status_code == 422
    assert field_codes(unknown) == {("stages.0.required_fields.0", "literal_error")}
    out_of_range = put_draft(client, headers, template, [stage("a", 101)])
    assert field_codes(out_of_range) == {("stages.0.probability", "less_than_equal")}


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        (
            [],
            {
                ("stages", "process_no_open_stage"),
                ("stages", "process_won_stage_count"),
                ("stages", "process_no_lost_stage"),
            },
        ),
        (
            [
                stage("a", 10),
                stage("w1", 100, "won"),
                stage("w2", 100, "won"),
                stage("l", 0, "lost"),
            ],
            {("stages", "process_won_stage_count")},
        ),
        (
            [stage("a", 50), stage("b", 40), stage("w", 100, "won"), stage("l", 0, "lost")],
            {("stages.1.probability", "process_probability_decreasing")},
        ),
        (
            [stage("a", 10), stage("w", 90, "won"), stage("l", 5, "lost")],
            {
                ("stages.1.probability", "process_won_probability"),
                ("stages.2.probability", "process_lost_probability"),
            },
        ),
        (
            [
                stage("a", 10, position=1),
                stage("l", 0, "lost", position=2),
                stage("b", 20, position=3),
                stage("w", 100, "won", position=4),
            ],
            {("stages.1.position", "process_closed_stage_order")},
        ),
        (
            [
                stage("a", 10, position=1),
                stage("b", 20, position=1),
                stage("w", 100, "won", position=3),
                stage("l", 0, "lost", position=4),
            ],
            {("stages.1.position", "duplicate")},
        ),
    ],
)
def test_publishing_validates_the_stage_list_and_names_every_problem(
    client: TestClient,
    db: Session,
    world: World,
    stages: list[dict[str, Any]],
    expected: set[tuple[str, str]],
) -> None:
    headers = admin(client, db, world)
    template = create_group_template(client, headers)
    assert put_draft(client, headers, template, stages).status_code == 200
    response = publish(client, headers, template["id"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "process_invalid"
    assert field_codes(response) == expected
    draft = db.execute(
        select(ProcessVersion).where(ProcessVersion.template_id == uuid.UUID(template["id"]))
    ).scalar_one()
    assert draft.status == "draft"


def test_a_publish_with_a_stale_template_version_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    headers = admin(client, db, world)
    template = create_group_template(client, headers)
    assert put_draft(client, headers, template, VALID_STAGES).status_code == 200
    stale = client.post(
        f"{BASE}/{template['id']}/draft/publish",
        json={"version": template["version"]},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_the_group_standard_cannot_be_deactivated(
    client: TestClient, db: Session, world: World
) -> None:
    template = make_template(db, code="STD")
    headers = admin(client, db, world)
    response = client.patch(
        f"{BASE}/{template.id}",
        json={"version": template.version, "is_active": False},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "process_standard_required"
    renamed = client.patch(
        f"{BASE}/{template.id}",
        json={"version": template.version, "name": "标准流程 2027", "allow_variants": False},
        headers=headers,
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "标准流程 2027"
    assert renamed.json()["allow_variants"] is False
    assert latest_version(db, template).number == 1
