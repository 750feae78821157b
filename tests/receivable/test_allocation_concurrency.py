"""Races on a fresh database with real commits: two payments allocating to one installment
at the same moment must never over-allocate it.

On PostgreSQL the loser either read the installment before the winner committed — its
versioned UPDATE then matches no row and the request answers ``409 version_conflict`` — or
after, and the outstanding check refuses it (``422 allocation_exceeds_outstanding``). SQLite
serializes writers (IMMEDIATE transactions), so there the loser always sees the winner's
commit. Either way exactly one payment exists and the installment is paid exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from flotilla.core import audit
from flotilla.core.audit import verify_chain
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session, resolve_scope, system_access
from flotilla.main import create_app
from flotilla.models.identity import User
from flotilla.models.ltc import Payment, PaymentAllocation, PaymentInstallment
from flotilla.receivable import repository, service
from flotilla.receivable.schemas import PaymentCreate
from tests.conftest import DatabaseFactory, TestDatabase
from tests.fixtures.factories import login, make_user, make_world
from tests.fixtures.receivable import make_contract, make_installment
from tests.fixtures.sales import make_account

pytestmark = pytest.mark.concurrency

T = TypeVar("T")
ROUNDS = 4


@pytest.fixture
def fresh_database(database_factory: DatabaseFactory) -> TestDatabase:
    return database_factory.create()


@pytest.fixture
def fresh_factory(fresh_database: TestDatabase) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(fresh_database.url)
    yield make_session_factory(engine)
    engine.dispose()


def _system_session(factory: sessionmaker[Session]) -> Session:
    session = factory()
    mark_system_session(session)
    audit.set_context(session, audit.SYSTEM_CONTEXT)
    return session


def _together(*calls: Callable[[], T]) -> list[T]:
    """Run the calls on their own threads, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def _arrange(factory: sessionmaker[Session], installments: int) -> tuple[Any, str, list[Any]]:
    with _system_session(factory) as session:
        world = make_world(session)
        finance = make_user(session, world.sub_a, "finance")
        account = make_account(session, world.team_a)
        contract = make_contract(session, world.team_a, account)
        plan = [
            make_installment(session, contract, due_date=date(2026, 3, 1), amount="10000")
            for _ in range(installments)
        ]
        session.commit()
        return account, finance.username, plan


def _payment(account_id: Any, installment_id: Any) -> dict[str, Any]:
    return {
        "account_id": str(account_id),
        "amount": "10000",
        "currency": "CNY",
        "received_on": "2026-06-30",
        "allocations": [{"installment_id": str(installment_id), "amount": "10000"}],
    }


def test_two_payments_racing_for_one_installment_pay_it_once(
    fresh_factory: sessionmaker[Session],
) -> None:
    account, username, plan = _arrange(fresh_factory, ROUNDS)
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = login(first, username)
        for installment in plan:
            responses = _together(
                partial(
                    first.post,
                    "/api/v1/payments",
                    json=_payment(account.id, installment.id),
                    headers=headers,
                ),
                partial(
                    second.post,
                    "/api/v1/payments",
                    json=_payment(account.id, installment.id),
                    headers=headers,
                ),
            )
            codes = sorted(r.status_code for r in responses)
            assert codes[0] == 201 and codes[1] in (409, 422), [r.text for r in responses]
            loser = next(r for r in responses if r.status_code != 201).json()["error"]["code"]
            assert loser in ("version_conflict", "allocation_exceeds_outstanding")

    with _system_session(fresh_factory) as session:
        assert session.execute(select(func.count()).select_from(Payment)).scalar_one() == ROUNDS
        assert (
            session.execute(select(func.count()).select_from(PaymentAllocation)).scalar_one()
            == ROUNDS
        )
        paid = session.execute(select(PaymentInstallment.paid_amount)).scalars().all()
        assert paid == [Decimal("10000.00")] * ROUNDS
        assert verify_chain(session).ok


def test_a_stale_read_of_the_installment_is_refused_at_write(
    fresh_database: TestDatabase, fresh_factory: sessionmaker[Session]
) -> None:
    """The interleaving the version check exists for, made deterministic: the second
    transaction read the installment before the first committed its allocation."""
    if not fresh_database.is_postgres:
        pytest.skip("SQLite writers are serialized: a writer never reads before another commits")
    account, username, [installment] = _arrange(fresh_factory, 1)
    body = PaymentCreate.model_validate(_payment(account.id, installment.id))

    late = fresh_factory()
    early = fresh_factory()
    try:
        for session in (late, early):
            audit.set_context(session, audit.SYSTEM_CONTEXT)
        user = late.execute(
            system_access(select(User).where(User.username == username))
        ).scalar_one()
        late_scope = resolve_scope(late, user)
        seen = repository.installment(late, late_scope, "payment.write", installment.id)
        assert seen is not None and seen.paid_amount == Decimal("0.00")

        service.create_payment(early, resolve_scope(early, user), body)
        early.commit()

        with pytest.raises(StaleDataError):
            service.create_payment(late, late_scope, body)
        late.rollback()
    finally:
        late.close()
        early.close()

    with _system_session(fresh_factory) as session:
        assert session.execute(select(func.count()).select_from(Payment)).scalar_one() == 1
        stored = session.execute(select(PaymentInstallment)).scalar_one()
        assert (stored.paid_amount, stored.version) == (Decimal("10000.00"), 2)
