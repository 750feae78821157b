"""The payment and receivable list filters the analytics drill into: received day range,
status and unit subtree on payments; unit subtree and ``overdue`` on receivables — always
inside the caller's scope."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from flotilla.models.ltc import Payment, PaymentInstallment
from flotilla.models.org import OrgUnit
from tests.core.test_export_drill_filters import (
    check_day_range,
    check_query_count,
    check_unit_subtree,
    director_and_vp,
    listed,
)
from tests.fixtures.factories import make_user, make_world
from tests.fixtures.receivable import make_contract, make_installment, make_payment
from tests.fixtures.sales import make_account

PAYMENTS = "/api/v1/payments"
RECEIVABLES = "/api/v1/receivables"


def _payment(unit: OrgUnit, db: Session, day: date = date(2026, 5, 1)) -> Payment:
    return make_payment(db, make_account(db, unit), received_on=day)


def _installment(
    unit: OrgUnit, db: Session, due: date = date(2026, 5, 1), paid: str = "0"
) -> PaymentInstallment:
    contract = make_contract(db, unit, make_account(db, unit))
    return make_installment(db, contract, due_date=due, amount="100", paid=paid)


def test_payments_received_range_is_inclusive(client: TestClient, db: Session) -> None:
    check_day_range(
        client, db, PAYMENTS, "received", lambda unit, day: _payment(unit, db, day), on_times=False
    )


def test_payments_status_narrows_the_range(client: TestClient, db: Session) -> None:
    world = make_world(db)
    recorded = _payment(world.team_a, db)
    reversed_one = _payment(world.team_a, db)
    reversed_one.status = "reversed"
    director, _vp = director_and_vp(client, db, world)

    may = {"received_from": "2026-05-01", "received_to": "2026-05-31"}
    assert listed(client, director, PAYMENTS, status="recorded", **may) == {str(recorded.id)}
    assert listed(client, director, PAYMENTS, status="reversed", **may) == {str(reversed_one.id)}


def test_payments_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    check_unit_subtree(client, db, PAYMENTS, lambda unit: _payment(unit, db))


def test_receivables_unit_is_the_subtree(client: TestClient, db: Session) -> None:
    check_unit_subtree(client, db, RECEIVABLES, lambda unit: _installment(unit, db))


def test_receivables_overdue_means_past_due_with_money_outstanding(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    day_before = _installment(world.team_a, db, due=date(2026, 6, 29))
    on_the_day = _installment(world.team_a, db, due=date(2026, 6, 30))
    part_paid = _installment(world.dept_a, db, due=date(2026, 1, 31), paid="40")
    _installment(world.team_a, db, due=date(2026, 1, 31), paid="100")
    sibling = _installment(world.dept_b, db, due=date(2026, 3, 31))
    director, vp = director_and_vp(client, db, world)

    as_of = {"as_of": "2026-06-30"}
    overdue = {str(day_before.id), str(part_paid.id)}
    assert listed(client, director, RECEIVABLES, overdue="true", **as_of) == overdue
    assert listed(client, director, RECEIVABLES, overdue="false", **as_of) == {str(on_the_day.id)}
    # The older spelling still works.
    assert listed(client, director, RECEIVABLES, overdue_only="true", **as_of) == overdue
    assert listed(client, vp, RECEIVABLES, overdue="true", **as_of) == overdue | {str(sibling.id)}


def test_drill_filters_keep_the_query_count_constant(client: TestClient, db: Session) -> None:
    check_query_count(
        client,
        db,
        PAYMENTS,
        lambda unit: _payment(unit, db),
        status="recorded",
        received_from="2026-04-01",
        received_to="2026-06-30",
    )


def test_receivable_drill_filters_keep_the_query_count_constant(
    client: TestClient, db: Session
) -> None:
    check_query_count(
        client,
        db,
        RECEIVABLES,
        lambda unit: _installment(unit, db),
        overdue="true",
        as_of="2026-06-30",
    )


def test_owner_narrows_payments_and_receivables_to_one_person(
    client: TestClient, db: Session
) -> None:
    """The league table's person rows drill with ``owner_id`` inside the unit."""
    world = make_world(db)
    rep = make_user(db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=rep)
    payment = make_payment(db, account)
    installment = make_installment(
        db, make_contract(db, world.team_a, account), due_date=date(2026, 5, 1), amount="100"
    )
    _payment(world.team_a, db)
    _installment(world.team_a, db)
    director, _vp = director_and_vp(client, db, world)

    mine = {"unit_id": str(world.dept_a.id), "owner_id": str(rep.id)}
    assert listed(client, director, PAYMENTS, **mine) == {str(payment.id)}
    assert listed(client, director, RECEIVABLES, **mine) == {str(installment.id)}
