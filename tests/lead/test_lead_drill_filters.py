"""``unit_id`` on the lead list is the unit's whole subtree, as on every list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.core.test_export_drill_filters import check_unit_subtree
from tests.fixtures.sales import make_lead


def test_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    check_unit_subtree(client, db, "/api/v1/leads", lambda unit: make_lead(db, unit))
