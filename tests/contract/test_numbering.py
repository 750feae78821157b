"""Contract numbers on a real, committed database: concurrent creations never share a
number, and a failed creation gives its number back (the series stays 1..n without gaps).

PostgreSQL serializes the takers on the counter row (``SELECT … FOR UPDATE``); SQLite on its
one writer lock (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit
from flotilla.core.audit import verify_chain
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session
from flotilla.main import create_app
from flotilla.models.ltc import Contract, DocumentSequence
from tests.conftest import DatabaseFactory
from tests.fixtures.contract import make_contract_world, make_quote
from tests.fixtures.factories import login, make_user
from tests.fixtures.process import (
    SIMPLE_STAGES,
    latest_version,
    make_account,
    make_opportunity,
    make_template,
)

pytestmark = pytest.mark.concurrency

T = TypeVar("T")
BASE = "/api/v1/contracts"


@pytest.fixture
def fresh_factory(database_factory: DatabaseFactory) -> Iterator[sessionmaker[Session]]:
    database = database_factory.create()
    engine = make_engine(database.url)
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


def _arrange(factory: sessionmaker[Session]) -> tuple[list[str], list[str], str]:
    """Two reps of subsidiary A with an account each, and an accepted quote."""
    with _system_session(factory) as session:
        world = make_contract_world(session)
        reps = [make_user(session, world.team_a, "sales_rep") for _ in range(2)]
        accounts = [make_account(session, world.team_a, rep) for rep in reps]
        version = latest_version(session, make_template(session, SIMPLE_STAGES, code="NUM"))
        deal = make_opportunity(session, world.team_a, reps[0], version=version)
        quote = make_quote(session, deal)
        session.commit()
        return [r.username for r in reps], [str(a.id) for a in accounts], str(quote.id)


def _numbers(factory: sessionmaker[Session]) -> list[str]:
    with _system_session(factory) as session:
        return sorted(session.execute(select(Contract.number)).scalars())


def test_two_contracts_created_at_once_get_distinct_consecutive_numbers(
    fresh_factory: sessionmaker[Session],
) -> None:
    usernames, accounts, _quote = _arrange(fresh_factory)
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = [login(first, usernames[0]), login(second, usernames[1])]
        responses = _together(
            partial(
                first.post,
                BASE,
                json={"account_id": accounts[0], "amount": "1000.00"},
                headers=headers[0],
            ),
            partial(
                second.post,
                BASE,
                json={"account_id": accounts[1], "amount": "2000.00"},
                headers=headers[1],
            ),
        )
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert sorted(r.json()["number"] for r in responses) == [
        "SUB-A-HT-2026-000001",
        "SUB-A-HT-2026-000002",
    ]
    assert _numbers(fresh_factory) == ["SUB-A-HT-2026-000001", "SUB-A-HT-2026-000002"]
    with _system_session(fresh_factory) as session:
        counter = session.execute(select(DocumentSequence)).scalar_one()
        assert (counter.kind, counter.year, counter.last_value) == ("contract", 2026, 2)
        assert verify_chain(session).ok


def test_a_failed_creation_does_not_burn_a_number(
    fresh_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    usernames, accounts, quote = _arrange(fresh_factory)
    with TestClient(create_app(fresh_factory), raise_server_exceptions=False) as client:
        headers = login(client, usernames[0])
        first = client.post(BASE, json={"quote_id": quote}, headers=headers)
        assert first.status_code == 201, first.text
        assert first.json()["number"] == "SUB-A-HT-2026-000001"

        # Refused after the number was taken (the quote already backs a contract)…
        refused = client.post(BASE, json={"quote_id": quote}, headers=headers)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "contract_quote_in_use"

        # …and a crash after the contract row was written.
        def crash(session: Session, *_args: object, **_kwargs: object) -> None:
            session.flush()
            raise RuntimeError("power cut")

        with monkeypatch.context() as patched:
            patched.setattr("flotilla.contract.service.ensure_still_visible", crash)
            crashed = client.post(
                BASE, json={"account_id": accounts[0], "amount": "5.00"}, headers=headers
            )
        assert crashed.status_code == 500
        assert _numbers(fresh_factory) == ["SUB-A-HT-2026-000001"]

        second = client.post(
            BASE, json={"account_id": accounts[0], "amount": "5.00"}, headers=headers
        )
        assert second.status_code == 201, second.text
        assert second.json()["number"] == "SUB-A-HT-2026-000002"
    assert _numbers(fresh_factory) == ["SUB-A-HT-2026-000001", "SUB-A-HT-2026-000002"]
