"""N+1 guard for the receivable lists: a 2-row page and a 20-row page run the same number of
SQL statements, and the aging report's count does not grow with the installments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.ltc import CreditHold, PaymentAllocation
from tests.fixtures.factories import World, as_user, make_unit, make_user, make_world
from tests.fixtures.receivable import (
    make_contract,
    make_credit_rule,
    make_installment,
    make_invoice,
    make_payment,
)
from tests.fixtures.sales import make_account
from tests.opportunity.test_list_query_counts import assert_constant
from tests.user.test_list_query_counts import counting_statements

ROWS = 32


def _populate(db: Session, world: World, rows: int = ROWS) -> None:
    """Per row: a team with an owner, an account, a contract with two installments, an
    invoice, a payment allocated to the first installment, and a credit hold."""
    parents = [world.team_a, world.dept_a, world.sub_a]
    for index in range(rows):
        unit = make_unit(db, parents[index % len(parents)], "team")
        owner = make_user(db, unit, "sales_rep")
        account = make_account(db, unit, owner=owner)
        contract = make_contract(db, unit, account)
        first = make_installment(
            db, contract, due_date=date(2026, 1, 1) + timedelta(days=index), amount="1000"
        )
        make_installment(db, contract, due_date=date(2026, 9, 1), amount="500")
        make_invoice(db, first, amount="1000")
        payment = make_payment(db, account, contract=contract, amount="400")
        db.add(
            PaymentAllocation(
                payment_id=payment.id,
                installment_id=first.id,
                subsidiary_id=first.subsidiary_id,
                unit_id=first.unit_id,
                amount=Decimal("400"),
            )
        )
        first.paid_amount = Decimal("400")
        payment.allocated_amount = Decimal("400")
        db.add(
            CreditHold(
                account_id=account.id,
                subsidiary_id=account.subsidiary_id,
                status="active",
                reason="test",
                max_days_overdue=100 + index,
                overdue_amount=Decimal("600"),
                placed_at=clock.now(),
            )
        )
    db.flush()


@pytest.mark.parametrize(
    ("role_code", "anchor"),
    [("group_sales_vp", "group"), ("finance", "sub_a"), ("sales_manager", "dept_a")],
)
def test_receivable_lists_run_a_fixed_number_of_statements(
    client: TestClient, db: Session, role_code: str, anchor: str
) -> None:
    world = make_world(db)
    _populate(db, world)
    if role_code == "sales_manager":
        # Only a third of the population sits below dept_a's teams: add a page's worth.
        _populate(db, world, rows=ROWS)
    _caller, headers = as_user(client, db, getattr(world, anchor), role_code)

    assert_constant(client, db, "/api/v1/invoices", headers)
    assert_constant(client, db, "/api/v1/invoices", headers, sort="amount", status="issued")
    assert_constant(client, db, "/api/v1/payments", headers)
    assert_constant(client, db, "/api/v1/payments", headers, sort="amount", q="ref")
    assert_constant(client, db, "/api/v1/receivables", headers, as_of="2026-06-30")
    assert_constant(
        client, db, "/api/v1/receivables", headers, sort="-outstanding", overdue_only="true"
    )
    assert_constant(client, db, "/api/v1/credit-holds", headers)
    assert_constant(client, db, "/api/v1/credit-holds", headers, sort="-max_days_overdue")


def test_credit_rule_list_runs_a_fixed_number_of_statements(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    for index in range(ROWS):
        subsidiary = make_unit(db, world.group, "subsidiary", code=f"S-{index:02d}")
        if index % 2:
            make_credit_rule(db, subsidiary, max_overdue_days=30 + index)
    _admin, headers = as_user(client, db, world.group, "group_admin")
    assert_constant(client, db, "/api/v1/credit-rules", headers)


def _aging_statements(
    client: TestClient, db: Session, headers: dict[str, str], **params: Any
) -> int:
    with counting_statements(db) as statements:
        response = client.get(
            "/api/v1/receivables/aging", params={"as_of": "2026-06-30", **params}, headers=headers
        )
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.mark.parametrize("group_by", ["account", "subsidiary", "unit"])
def test_the_aging_report_does_not_grow_with_the_installments(
    client: TestClient, db: Session, group_by: str
) -> None:
    world = make_world(db)
    _populate(db, world, rows=2)
    _vp, headers = as_user(client, db, world.group, "group_sales_vp")
    few = _aging_statements(client, db, headers, group_by=group_by, currency="HKD")
    _populate(db, world, rows=ROWS)
    db.commit()
    many = _aging_statements(client, db, headers, group_by=group_by, currency="HKD")
    assert few == many, f"{few} statements for 2 accounts but {many} for {ROWS + 2}"
