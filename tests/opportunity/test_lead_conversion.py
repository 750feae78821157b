"""Lead conversion: one transaction creates (or links) the account, the contact and the
opportunity and marks the lead converted; any refusal leaves nothing written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account, AccountClaim, Contact
from flotilla.models.identity import User
from flotilla.models.sales import Lead, Opportunity, StageHistory
from flotilla.process.seed import ensure_standard_template
from tests.fixtures.customer import make_account as make_registered_account
from tests.fixtures.factories import World, as_user, make_world, valid_uscc
from tests.fixtures.sales import make_lead

pytestmark = pytest.mark.usefixtures("standard")


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def standard(db: Session, world: World) -> None:
    ensure_standard_template(db)


@pytest.fixture
def rep(client: TestClient, db: Session, world: World) -> tuple[User, dict[str, str]]:
    return as_user(client, db, world.team_a, "sales_rep")


def convert(client: TestClient, headers: dict[str, str], lead: Lead, **body: Any) -> Any:
    return client.post(f"/api/v1/leads/{lead.id}/convert", json=body, headers=headers)


def counts(db: Session) -> tuple[int, ...]:
    db.expire_all()
    return tuple(
        int(db.execute(select(func.count()).select_from(model)).scalar_one())
        for model in (Account, AccountClaim, Contact, Opportunity, StageHistory)
    )


FULL_BODY: dict[str, Any] = {
    "account": {"name": "苏州精工机械有限公司", "industry": "制造业", "region": "华东"},
    "contact": {"name": "王建国", "title": "采购总监", "phone": "13900001111"},
    "opportunity": {
        "name": "数控产线改造",
        "amount": "2600000",
        "expected_close_date": "2027-03-31",
    },
}


def test_a_lead_becomes_an_account_a_contact_and_an_opportunity(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    lead = make_lead(db, world.team_a, owner=owner, status="qualified", source="展会")
    db.commit()
    response = convert(client, headers, lead, **FULL_BODY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account_created"] is True
    assert body["lead"]["status"] == "converted"
    assert body["lead"]["converted_account_id"] == body["account_id"]
    assert body["lead"]["converted_contact_id"] == body["contact_id"]
    assert body["lead"]["converted_opportunity_id"] == body["opportunity_id"]

    db.expire_all()
    account = db.get(Account, uuid.UUID(body["account_id"]))
    assert account is not None
    assert (account.name, account.unit_id, account.owner_id) == (
        "苏州精工机械有限公司",
        world.team_a.id,
        owner.id,
    )
    contact = db.get(Contact, uuid.UUID(body["contact_id"]))
    assert contact is not None and (contact.account_id, contact.is_primary) == (account.id, True)
    deal = client.get(f"/api/v1/opportunities/{body['opportunity_id']}", headers=headers).json()
    assert (deal["account_id"], deal["lead_id"], deal["source"]) == (
        str(account.id),
        str(lead.id),
        "展会",
    )
    assert (deal["amount"], deal["stage"]["code"], deal["owner_id"]) == (
        "2600000.00",
        "qualify",
        str(owner.id),
    )
    actions = {
        e.action
        for e in db.execute(
            select(AuditEvent).where(AuditEvent.request_id == response.headers["X-Request-ID"])
        ).scalars()
    }
    assert {"account.create", "contact.create", "opportunity.create", "lead.convert"} <= actions


def test_a_lead_can_be_linked_to_an_existing_account_without_contact_or_deal(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    account = make_registered_account(db, world.team_a, "杭州西湖软件有限公司", owner=owner)
    lead = make_lead(db, world.team_a, owner=owner)
    db.commit()
    before = counts(db)
    response = convert(client, headers, lead, account={"existing_account_id": str(account.id)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["account_id"], body["account_created"]) == (str(account.id), False)
    assert (body["contact_id"], body["opportunity_id"]) == (None, None)
    assert counts(db) == before


def test_a_duplicate_account_refuses_the_conversion_and_leaves_nothing_written(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    make_registered_account(db, world.dept_b, "苏州精工机械有限公司")
    lead = make_lead(db, world.team_a, owner=owner, status="working")
    db.commit()
    before = counts(db)
    events_before = db.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    response = convert(client, headers, lead, **FULL_BODY)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "duplicate_account"
    assert response.json()["error"]["fields"][0]["field"] == "account.name"
    assert counts(db) == before
    db.expire_all()
    assert db.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == events_before
    refreshed = db.get(Lead, lead.id)
    assert refreshed is not None
    assert (refreshed.status, refreshed.version, refreshed.converted_account_id) == (
        "working",
        lead.version,
        None,
    )


def test_a_refusal_after_the_account_was_created_rolls_everything_back(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    lead = make_lead(db, world.team_a, owner=owner)
    db.commit()
    before = counts(db)
    body = {**FULL_BODY, "opportunity": {**FULL_BODY["opportunity"], "currency": "XYZ"}}
    response = convert(client, headers, lead, **body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "opportunity.currency", "code": "invalid_currency", "message": "币种代码无效"}
    ]
    assert counts(db) == before
    db.expire_all()
    assert db.get(Lead, lead.id).status == "new"  # type: ignore[union-attr]


def test_a_director_may_force_a_suspected_duplicate_with_a_reason(
    client: TestClient, db: Session, world: World
) -> None:
    director, headers = as_user(client, db, world.sub_a, "sales_director")
    make_registered_account(db, world.dept_b, "苏州精工机械有限公司")
    lead = make_lead(db, world.dept_a, owner=director)
    db.commit()
    forced = convert(
        client,
        headers,
        lead,
        account={"name": "苏州精工机械有限公司", "uscc": valid_uscc(4242)},
        force_reason="同名不同主体，统一社会信用代码不同",
    )
    assert forced.status_code == 200, forced.text
    account = db.get(Account, uuid.UUID(forced.json()["account_id"]))
    assert account is not None and account.force_reason == "同名不同主体，统一社会信用代码不同"


def test_only_an_open_lead_the_caller_may_write_converts(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    converted = make_lead(db, world.team_a, owner=owner, status="disqualified")
    colleague_lead = make_lead(db, world.team_a)
    db.commit()
    refused = convert(client, headers, converted, account={"name": "某公司"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "lead_not_convertible"
    assert convert(client, headers, colleague_lead, account={"name": "某公司"}).status_code == 404


def test_account_choices_are_validated(
    client: TestClient, db: Session, world: World, rep: tuple[User, dict[str, str]]
) -> None:
    owner, headers = rep
    lead = make_lead(db, world.team_a, owner=owner)
    hidden = make_registered_account(db, world.dept_b, "深圳湾科技有限公司")
    mine = make_registered_account(db, world.team_a, "宁波港务集团有限公司", owner=owner)
    db.commit()

    def fields(response: Any) -> set[tuple[str, str]]:
        assert response.status_code == 422, response.text
        return {(f["field"], f["code"]) for f in response.json()["error"]["fields"]}

    assert fields(convert(client, headers, lead, account={})) == {("account.name", "missing")}
    assert fields(
        convert(client, headers, lead, account={"existing_account_id": str(hidden.id)})
    ) == {("account.existing_account_id", "unknown_reference")}
    assert fields(
        convert(client, headers, lead, account={"existing_account_id": str(mine.id), "name": "x"})
    ) == {("account.name", "extra_forbidden")}
    assert fields(convert(client, headers, lead, account={"name": "x", "bogus": 1})) == {
        ("account.bogus", "extra_forbidden")
    }
