"""Creating, editing and listing opportunities; their team and checklist."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.core.pagination import encode_cursor
from flotilla.models.customer import AccountClaim, ClaimConflict
from flotilla.models.sales import Opportunity, ProcessTemplate
from flotilla.process.seed import ensure_standard_template, ensure_subsidiary_variant
from tests.fixtures.factories import World, as_user, make_user, make_world, unknown_id
from tests.fixtures.process import (
    SIMPLE_STAGES,
    latest_version,
    make_account,
    make_opportunity,
    make_template,
    stage,
)

BASE = "/api/v1/opportunities"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def standard(db: Session, world: World) -> ProcessTemplate:
    return ensure_standard_template(db)


def codes(response: Any) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}


# --- create -------------------------------------------------------------------------------


def test_a_rep_opens_a_deal_on_the_first_stage_of_their_subsidiary_s_process(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    variant = ensure_subsidiary_variant(db, world.sub_a)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, rep, name="华东电力设计院有限公司")
    db.commit()
    response = client.post(
        BASE,
        json={
            "account_id": str(account.id),
            "name": "配网自动化二期",
            "amount": "1280000.5",
            "expected_close_date": "2026-12-31",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["process_version_id"] == str(latest_version(db, variant).id)
    assert body["stage"]["code"] == "qualify"
    assert body["stage"]["probability"] == 10
    assert (body["status"], body["forecast_category"]) == ("open", "pipeline")
    assert (body["amount"], body["currency"]) == ("1280000.50", "CNY")
    assert (body["unit_id"], body["owner_id"]) == (str(world.team_a.id), str(rep.id))
    assert body["owner_name"] == rep.display_name
    assert body["account_name"] == "华东电力设计院有限公司"
    assert (body["days_in_stage"], body["stalled"]) == (0, False)
    assert [s["code"] for s in body["path"]] == [
        "qualify",
        "needs_analysis",
        "poc",
        "solution_quote",
        "negotiation",
        "won",
        "lost",
    ]
    assert [s["is_current"] for s in body["path"]][:2] == [True, False]
    history = client.get(f"{BASE}/{body['id']}/history", headers=headers).json()
    assert [(h["from_stage"], h["to_stage"]["code"]) for h in history] == [(None, "qualify")]
    assert history[0]["changed_by_name"] == rep.display_name


def test_the_currency_defaults_to_the_subsidiary_s_and_can_be_chosen(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    rep, headers = as_user(client, db, world.dept_b, "sales_rep")
    account = make_account(db, world.dept_b, rep)
    db.commit()
    default = client.post(
        BASE, json={"account_id": str(account.id), "name": "港岛项目"}, headers=headers
    )
    assert (default.json()["currency"], default.json()["amount"]) == ("HKD", "0.00")
    chosen = client.post(
        BASE,
        json={"account_id": str(account.id), "name": "美元项目", "currency": "usd"},
        headers=headers,
    )
    assert chosen.json()["currency"] == "USD"
    wrong = client.post(
        BASE,
        json={"account_id": str(account.id), "name": "x", "currency": "XYZ"},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert codes(wrong) == {("currency", "invalid_currency")}


@pytest.mark.parametrize(
    ("amount", "code"),
    [(-1, "greater_than_equal"), ("12.345", "decimal_max_places"), (1.5e20, "decimal_max_digits")],
)
def test_amounts_are_exact_non_negative_money(
    client: TestClient,
    db: Session,
    world: World,
    standard: ProcessTemplate,
    amount: Any,
    code: str,
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, rep)
    db.commit()
    response = client.post(
        BASE, json={"account_id": str(account.id), "name": "x", "amount": amount}, headers=headers
    )
    assert response.status_code == 422
    assert codes(response) == {("amount", code)}


def test_the_account_must_be_visible_to_the_caller(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    elsewhere = make_account(db, world.dept_b)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    for account_id in (elsewhere.id, unknown_id()):
        response = client.post(
            BASE, json={"account_id": str(account_id), "name": "x"}, headers=headers
        )
        assert response.status_code == 422
        assert codes(response) == {("account_id", "unknown_reference")}
    assert db.execute(select(Opportunity)).first() is None


def test_a_claim_held_by_another_subsidiary_refuses_the_deal_and_records_the_conflict(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    account = make_account(db, world.dept_a)
    protector = make_user(db, world.dept_b, "sales_rep")
    now = clock.now()
    db.add(
        AccountClaim(
            account_id=account.id,
            subsidiary_id=world.sub_b.id,
            unit_id=world.dept_b.id,
            owner_id=protector.id,
            claimed_at=now,
            protected_until=now + timedelta(days=90),
            status="active",
        )
    )
    db.flush()
    director, headers = as_user(client, db, world.sub_a, "sales_director")
    response = client.post(
        BASE, json={"account_id": str(account.id), "name": "撞单项目"}, headers=headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_conflict"
    db.expire_all()
    assert db.execute(select(Opportunity)).first() is None
    conflict = db.execute(select(ClaimConflict)).scalar_one()
    assert (conflict.requested_by_id, conflict.attempted_action) == (
        director.id,
        "opportunity.create",
    )


def test_without_a_published_process_no_deal_can_be_opened(
    client: TestClient, db: Session, world: World
) -> None:
    make_template(db, stages=None, code="DRAFT-ONLY")
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, rep)
    db.commit()
    response = client.post(BASE, json={"account_id": str(account.id), "name": "x"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_published_process"


def test_placement_follows_the_caller_s_reach(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    rep, rep_headers = as_user(client, db, world.team_a, "sales_rep")
    colleague = make_user(db, world.team_a, "sales_rep")
    _manager, manager_headers = as_user(client, db, world.dept_a, "sales_manager")
    account = make_account(db, world.team_a, rep)
    db.commit()
    for_colleague = {"account_id": str(account.id), "name": "x", "owner_id": str(colleague.id)}
    refused = client.post(BASE, json=for_colleague, headers=rep_headers)
    assert refused.status_code == 422
    assert codes(refused) == {("owner_id", "unknown_reference")}
    other_sub = {"account_id": str(account.id), "name": "x", "unit_id": str(world.dept_b.id)}
    assert client.post(BASE, json=other_sub, headers=manager_headers).status_code == 422

    assigned = client.post(
        BASE, json={**for_colleague, "unit_id": str(world.team_a.id)}, headers=manager_headers
    )
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["owner_id"] == str(colleague.id)


# --- edit ---------------------------------------------------------------------------------


def test_patch_edits_facts_with_the_version_but_never_the_stage(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    deal = make_opportunity(db, world.team_a, rep, version=latest_version(db, standard))
    db.commit()
    response = client.patch(
        f"{BASE}/{deal.id}",
        json={
            "version": deal.version,
            "amount": "350000",
            "expected_close_date": "2027-03-31",
            "competitors": ["竞品甲", "竞品乙"],
            "forecast_category": "best_case",
            "source": "展会",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["amount"], body["expected_close_date"]) == ("350000.00", "2027-03-31")
    assert (body["competitors"], body["forecast_category"]) == (["竞品甲", "竞品乙"], "best_case")
    assert body["version"] == deal.version + 1

    stale = client.patch(
        f"{BASE}/{deal.id}", json={"version": deal.version, "name": "y"}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    for forbidden in ({"stage_id": str(deal.stage_id)}, {"status": "won"}):
        refused = client.patch(
            f"{BASE}/{deal.id}", json={"version": body["version"], **forbidden}, headers=headers
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"][0]["code"] == "extra_forbidden"
    closed_category = client.patch(
        f"{BASE}/{deal.id}",
        json={"version": body["version"], "forecast_category": "closed"},
        headers=headers,
    )
    assert closed_category.status_code == 422


def test_a_closed_deal_is_read_only(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    deal = make_opportunity(
        db, world.team_a, rep, version=latest_version(db, standard), stage_code="won"
    )
    db.commit()
    response = client.patch(
        f"{BASE}/{deal.id}", json={"version": deal.version, "amount": "1"}, headers=headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "opportunity_closed"


def test_a_deal_moves_between_units_of_its_own_subsidiary_only(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    deal = make_opportunity(db, world.team_a, version=latest_version(db, standard))
    _vp, headers = as_user(client, db, world.group, "group_admin")
    within = client.patch(
        f"{BASE}/{deal.id}",
        json={"version": deal.version, "unit_id": str(world.dept_a.id)},
        headers=headers,
    )
    assert within.status_code == 200
    across = client.patch(
        f"{BASE}/{deal.id}",
        json={"version": within.json()["version"], "unit_id": str(world.dept_b.id)},
        headers=headers,
    )
    assert across.status_code == 422
    assert codes(across) == {("unit_id", "opportunity_other_subsidiary")}


# --- team and checklist -------------------------------------------------------------------


def test_team_members_are_added_once_and_removed_by_user(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    solution = make_user(db, world.dept_b, None)
    deal = make_opportunity(db, world.team_a, rep, version=latest_version(db, standard))
    db.commit()
    url = f"{BASE}/{deal.id}/members"
    added = client.post(url, json={"user_id": str(solution.id), "role": "SR"}, headers=headers)
    assert added.status_code == 201
    again = client.post(url, json={"user_id": str(solution.id), "role": "FR"}, headers=headers)
    assert again.status_code == 409
    unknown = client.post(url, json={"user_id": str(unknown_id()), "role": "AR"}, headers=headers)
    assert codes(unknown) == {("user_id", "unknown_reference")}
    bad_role = client.post(url, json={"user_id": str(solution.id), "role": "XX"}, headers=headers)
    assert bad_role.status_code == 422

    wrong_role = client.request(
        "DELETE", url, json={"user_id": str(solution.id), "role": "FR"}, headers=headers
    )
    assert wrong_role.status_code == 404
    removed = client.request(
        "DELETE", url, json={"user_id": str(solution.id), "role": "SR"}, headers=headers
    )
    assert removed.status_code == 204
    assert client.get(f"{BASE}/{deal.id}", headers=headers).json()["members"] == []


def test_checklist_ticks_are_kept_per_stage(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    deal = make_opportunity(db, world.team_a, rep, version=latest_version(db, standard))
    db.commit()
    url = f"{BASE}/{deal.id}/checklist"
    ticked = client.put(
        url,
        json={"stage_code": "negotiation", "items": ["quote_submitted", "solution_reviewed"]},
        headers=headers,
    )
    assert ticked.status_code == 200, ticked.text
    path = {s["code"]: s for s in ticked.json()["path"]}
    assert path["negotiation"]["checklist_ticked"] == ["solution_reviewed", "quote_submitted"]
    assert path["needs_analysis"]["checklist_ticked"] == []

    untick = client.put(
        url, json={"stage_code": "negotiation", "items": ["quote_submitted"]}, headers=headers
    )
    assert {s["code"]: s for s in untick.json()["path"]}["negotiation"]["checklist_ticked"] == [
        "quote_submitted"
    ]
    unknown_stage = client.put(url, json={"stage_code": "poc", "items": []}, headers=headers)
    assert codes(unknown_stage) == {("stage_code", "unknown_stage")}
    unknown_item = client.put(
        url, json={"stage_code": "negotiation", "items": ["quote_submitted", "x"]}, headers=headers
    )
    assert codes(unknown_item) == {("items.1", "unknown_checklist_item")}
    stale = client.put(
        url,
        json={"stage_code": "negotiation", "items": [], "version": deal.version},
        headers=headers,
    )
    assert stale.status_code == 409


# --- list ---------------------------------------------------------------------------------


def test_the_list_filters_and_sorts(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate
) -> None:
    version = latest_version(db, make_template(db, SIMPLE_STAGES, code="SIMPLE"))
    rep = make_user(db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, rep)
    big = make_opportunity(
        db,
        world.team_a,
        rep,
        version=version,
        account=account,
        name="大项目",
        amount="900000",
        expected_close_date=date(2027, 1, 31),
    )
    small = make_opportunity(
        db,
        world.dept_a,
        None,
        version=version,
        name="小项目",
        amount="1000",
        expected_close_date=date(2026, 12, 1),
    )
    undated = make_opportunity(db, world.team_a, rep, version=version, name="无日期", amount="50")
    won = make_opportunity(db, world.dept_a, rep, version=version, stage_code="won", name="已赢")
    in_b = make_opportunity(db, world.dept_b, None, version=version, name="乙项目")
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")

    def ids(**params: Any) -> list[str]:
        response = client.get(BASE, params={"limit": 500, **params}, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert set(ids(status="won")) == {str(won.id)}
    assert set(ids(owner_id=str(rep.id))) == {str(big.id), str(undated.id), str(won.id)}
    assert ids(account_id=str(account.id)) == [str(big.id)]
    assert set(ids(unit_id=str(world.team_a.id))) == {str(big.id), str(undated.id)}
    assert set(ids(unit_id=str(world.sub_a.id))) == {
        str(big.id),
        str(small.id),
        str(undated.id),
        str(won.id),
    }
    assert ids(subsidiary_id=str(world.sub_b.id)) == [str(in_b.id)]
    prospect = stage(db, version, "prospect")
    assert set(ids(stage_id=str(prospect.id))) == {
        str(big.id),
        str(small.id),
        str(undated.id),
        str(in_b.id),
    }
    assert ids(q="大项") == [str(big.id)]
    assert ids(status="open", sort="-amount") == [
        str(big.id),
        str(in_b.id),
        str(small.id),
        str(undated.id),
    ]
    assert ids(status="open", sort="expected_close_date")[:3] == [
        str(small.id),
        str(big.id),
        str(undated.id),
    ]
    assert ids(status="open", sort="-expected_close_date")[:2] == [str(big.id), str(small.id)]
    bad_sort = client.get(BASE, params={"sort": "name"}, headers=headers)
    assert bad_sort.status_code == 422


@pytest.mark.parametrize("sort", ["expected_close_date", "-expected_close_date", "-amount"])
def test_cursor_pages_return_every_deal_once(
    client: TestClient, db: Session, world: World, standard: ProcessTemplate, sort: str
) -> None:
    version = latest_version(db, standard)
    created = set()
    for index in range(7):
        close = date(2027, 1, 1) + timedelta(days=index % 3) if index % 2 else None
        deal = make_opportunity(
            db,
            world.team_a,
            version=version,
            expected_close_date=close,
            amount=Decimal(1000 * (index % 4)),
        )
        created.add(str(deal.id))
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        page = client.get(BASE, params=params, headers=headers).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == created
    for sort_key, value in (
        ("expected_close_date", "not-a-date"),
        ("-amount", "NaN"),
        ("-amount", "1e30"),
        ("amount", "abc"),
    ):
        forged = encode_cursor(value, uuid.uuid4())
        response = client.get(BASE, params={"sort": sort_key, "cursor": forged}, headers=headers)
        assert response.status_code == 422, (sort_key, value, response.text)
        assert response.json()["error"]["fields"][0]["code"] == "invalid_cursor"
