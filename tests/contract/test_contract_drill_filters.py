"""``signed_from`` / ``signed_to`` on the contract list mean "signed in the range and in
force" (signed, active or completed): the rows behind the signed-amount figures. ``unit_id``
is the unit's whole subtree; the caller's scope still applies."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.models.ltc import Contract
from flotilla.models.org import OrgUnit
from tests.core.test_export_drill_filters import (
    check_day_range,
    check_query_count,
    check_unit_subtree,
    listed,
)
from tests.fixtures.contract import make_contract
from tests.fixtures.factories import as_user, make_world

BASE = "/api/v1/contracts"


def test_signed_range_is_inclusive(client: TestClient, db: Session) -> None:
    def signed(unit: OrgUnit, day: date) -> Contract:
        return make_contract(db, unit, status="active", signing_date=day)

    check_day_range(client, db, BASE, "signed", signed, on_times=False)


def test_signed_range_only_counts_contracts_in_force(client: TestClient, db: Session) -> None:
    world = make_world(db)
    in_force = {
        str(make_contract(db, world.team_a, status=status, signing_date=date(2026, 2, 10)).id)
        for status in ("signed", "active", "completed")
    }
    terminated = make_contract(
        db, world.team_a, status="terminated", signing_date=date(2026, 2, 10)
    )
    draft = make_contract(db, world.team_a, status="draft")
    _director, director = as_user(client, db, world.sub_a, "sales_director")

    assert listed(client, director, BASE, signed_from="2026-01-01") == in_force
    assert listed(client, director, BASE, signed_to="2026-12-31") == in_force
    # Without the range every contract is listed, the terminated and the draft too.
    assert listed(client, director, BASE) == in_force | {str(terminated.id), str(draft.id)}


def test_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    check_unit_subtree(client, db, BASE, lambda unit: make_contract(db, unit, status="active"))


def test_drill_filters_keep_the_query_count_constant(client: TestClient, db: Session) -> None:
    check_query_count(
        client,
        db,
        BASE,
        lambda unit: make_contract(db, unit, status="active", signing_date=date(2026, 2, 1)),
        signed_from="2026-01-01",
        signed_to="2026-03-31",
    )
