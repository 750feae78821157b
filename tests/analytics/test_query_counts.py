"""The analytics endpoints run a fixed number of SQL statements: more units, people, deals,
contracts, payments, activities and receivables do not add queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.analytics.dataset import Dataset, at, make_deal
from tests.fixtures.contract import make_contract, make_plan
from tests.fixtures.factories import login, make_unit, make_user
from tests.fixtures.process import SIMPLE_STAGES, latest_version, make_template
from tests.fixtures.receivable import make_payment
from tests.fixtures.sales import make_account, make_activity
from tests.user.test_list_query_counts import counting_statements

MORE = 12


def _grow(db: Session, data: Dataset) -> None:
    """Per step: a new team (under A's department or B's) with a rep, an account, a signed
    contract with an overdue installment, a payment, a won, a lost and an open deal and an
    activity."""
    w = data.world
    version = latest_version(db, make_template(db, SIMPLE_STAGES))
    for index in range(MORE):
        parent = w.dept_a if index % 2 == 0 else w.dept_b
        currency = "CNY" if index % 2 == 0 else "HKD"
        team = make_unit(db, parent, "team")
        rep = make_user(db, team, "sales_rep")
        account = make_account(db, team, owner=rep, created_at=at("2026-11-12"))
        contract = make_contract(
            db,
            team,
            rep,
            account=account,
            amount="1000",
            currency=currency,
            status="active",
            signing_date=date(2026, 11, 1 + index),
        )
        make_plan(db, contract, [("首款", date(2026, 9, 1), "1000")])
        make_payment(
            db,
            account,
            unit=team,
            owner=rep,
            amount="500",
            currency=currency,
            received_on=date(2026, 10, 1 + index),
        )
        for stage in ("won", "lost"):
            make_deal(
                db,
                team,
                rep,
                version,
                account,
                stage=stage,
                amount="800",
                currency=currency,
                created=at("2026-09-01"),
                closed=at("2026-10-20"),
            )
        make_deal(
            db,
            team,
            rep,
            version,
            account,
            stage="proposal",
            amount="900",
            currency=currency,
            created=at("2026-10-01"),
            entered=at("2026-10-01"),
            expected_close_date=date(2026, 12, 20),
        )
        make_activity(db, team, owner=rep, occurred_at=at("2026-11-20"))
    db.commit()


def _count(
    client: TestClient, db: Session, headers: dict[str, str], path: str, **params: Any
) -> int:
    with counting_statements(db) as statements:
        response = client.get(f"/api/v1/analytics/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("kpis", {}),
        ("kpis", {"unit": "dept_a"}),
        ("trends", {"metric": "contract_amount"}),
        ("trends", {"metric": "activities", "unit": "sub_b"}),
        ("receivables-aging", {}),
    ],
)
def test_statements_do_not_grow_with_the_rows(
    client: TestClient, db: Session, data: Dataset, path: str, params: dict[str, str]
) -> None:
    query = dict(params)
    unit = query.pop("unit", None)
    if unit is not None:
        query["unit_id"] = str(getattr(data.world, unit).id)
    headers = login(client, data.vp)
    few = _count(client, db, headers, path, **query)
    _grow(db, data)
    many = _count(client, db, headers, path, **query)
    assert few == many, f"{path} {params}: {few} statements before, {many} after adding rows"


def test_the_directors_view_runs_as_few_statements(
    client: TestClient, db: Session, data: Dataset
) -> None:
    headers = login(client, data.director_a)
    few = _count(client, db, headers, "kpis")
    _grow(db, data)
    assert _count(client, db, headers, "kpis") == few
