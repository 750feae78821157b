"""Contracts go through the scope kernel like every resource, and their list does not run
more statements for more rows."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.identity import User
from flotilla.models.ltc import Contract
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.contract import make_contract, make_contract_world, make_plan
from tests.fixtures.factories import World, as_user, make_unit, make_user
from tests.fixtures.process import make_account
from tests.opportunity.test_list_query_counts import assert_constant

BASE = "/api/v1/contracts"


class TestContractsAreScoped(ScopedResourceContract):
    collection = BASE

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        title = f"合同-{uuid.uuid4().hex[:10]}"
        contract = make_contract(db, getattr(world, unit_name), title=title)
        return contract.id, title

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_contract(db, world.team_a, owner).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        current = client.get(f"{BASE}/{record_id}", headers=headers).json()
        response: Response = client.patch(
            f"{BASE}/{record_id}",
            json={"version": current["version"], "unit_id": str(world.dept_b.id)},
            headers=headers,
        )
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        contract = db.execute(select(Contract).where(Contract.id == record_id)).scalar_one()
        return (contract.unit_id, contract.subsidiary_id, contract.owner_id)


def test_sub_resources_of_a_hidden_contract_are_404(client: TestClient, db: Session) -> None:
    world = make_contract_world(db)
    contract = make_contract(db, world.dept_b, status="signed", signing_date=date(2026, 1, 5))
    make_plan(db, contract, [("全款", date(2026, 2, 1), "100000.00")])
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    for path in ("", "/payment-plan", "/amendments"):
        response = client.get(f"{BASE}/{contract.id}{path}", headers=headers)
        assert response.status_code == 404, path
        assert str(contract.id) not in response.text
    for path, body in (
        ("/submit", {}),
        ("/sign", {"signing_date": "2026-01-05"}),
        ("/activate", {}),
        ("/terminate", {"reason": "x"}),
        ("/payment-plan", None),
    ):
        if body is None:
            response = client.put(
                f"{BASE}/{contract.id}{path}",
                json={"installments": [{"label": "a", "due_date": "2026-03-01", "amount": "1"}]},
                headers=headers,
            )
        else:
            response = client.post(f"{BASE}/{contract.id}{path}", json=body, headers=headers)
        assert response.status_code == 404, (path, response.text)


def test_a_reader_cannot_write(client: TestClient, db: Session) -> None:
    world = make_contract_world(db)
    contract = make_contract(db, world.team_a)
    _auditor, headers = as_user(client, db, world.group, "auditor")
    assert client.get(f"{BASE}/{contract.id}", headers=headers).status_code == 200
    response = client.patch(
        f"{BASE}/{contract.id}", json={"version": 1, "title": "改名"}, headers=headers
    )
    assert response.status_code == 404
    created = client.post(
        BASE, json={"account_id": str(contract.account_id), "amount": "1.00"}, headers=headers
    )
    assert created.status_code == 403


def test_the_account_name_is_shown_only_when_the_account_is_visible(
    client: TestClient, db: Session
) -> None:
    world = make_contract_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    colleague = make_user(db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, colleague, name="别人的客户有限公司")
    contract = make_contract(db, world.team_a, rep, account=account)
    db.commit()
    body = client.get(f"{BASE}/{contract.id}", headers=headers).json()
    assert body["account_id"] == str(account.id)
    assert body["account_name"] is None


ROWS = 30


def _populate(db: Session, world: World) -> None:
    units = [world.team_a, world.dept_a, world.sub_a]
    for index in range(ROWS):
        unit = make_unit(db, units[index % len(units)], "team")
        owner = make_user(db, unit, "sales_rep")
        contract = make_contract(
            db,
            unit,
            owner,
            status="signed",
            signing_date=date(2026, 1, 1) + timedelta(days=index),
            amount=f"{1000 + index}.00",
        )
        make_plan(db, contract, [("全款", date(2026, 6, 30), contract.amount)])
        make_contract(db, world.dept_b)  # another subsidiary's, never listed
    db.flush()


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_sales_vp", "group"), ("sales_director", "sub_a"), ("sales_manager", "dept_a")],
)
def test_contract_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_contract_world(db)
    _populate(db, world)
    if role_code == "sales_manager":
        for _ in range(ROWS):
            make_contract(
                db,
                make_unit(db, world.dept_a, "team"),
                status="active",
                signing_date=date(2026, 3, 1),
            )
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)
    assert_constant(client, db, BASE, headers)
    assert_constant(client, db, BASE, headers, sort="signing_date")
    assert_constant(client, db, BASE, headers, sort="-amount", q="合同")
    assert_constant(client, db, BASE, headers, sort="number", signed_from="2025-12-01")
