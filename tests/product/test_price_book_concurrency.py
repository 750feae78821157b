"""Two admins switching on a group price book in the same currency at the same moment: the
second waits for the first and is refused, so one group book per currency stays active.
Runs on a fresh database with real commits."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.errors import AppError
from flotilla.core.scope import Scope, mark_system_session, resolve_scope, system_access
from flotilla.models.identity import User
from flotilla.models.ltc import PriceBook
from flotilla.product import service
from flotilla.product.schemas import PriceBookCreate
from tests.conftest import DatabaseFactory
from tests.fixtures.factories import make_user, make_world

pytestmark = pytest.mark.concurrency


@pytest.fixture
def fresh_factory(database_factory: DatabaseFactory) -> Iterator[sessionmaker[Session]]:
    database = database_factory.create()
    engine = make_engine(database.url)
    yield make_session_factory(engine)
    engine.dispose()


def _admin_session(factory: sessionmaker[Session], admin_id: uuid.UUID) -> tuple[Session, Scope]:
    """A request-like session: the admin's resolved scope, no system bypass."""
    session = factory()
    audit.set_context(session, audit.SYSTEM_CONTEXT)
    user = session.execute(system_access(select(User).where(User.id == admin_id))).scalar_one()
    return session, resolve_scope(session, user)


def test_two_active_group_books_in_one_currency_cannot_be_created_at_once(
    fresh_factory: sessionmaker[Session],
) -> None:
    with fresh_factory() as setup:
        mark_system_session(setup)
        audit.set_context(setup, audit.SYSTEM_CONTEXT)
        world = make_world(setup)
        admin_id = make_user(setup, world.group, "group_admin").id
        setup.commit()

    first, first_scope = _admin_session(fresh_factory, admin_id)
    service.create_book(
        first,
        first_scope,
        PriceBookCreate(code="GROUP-CNY", name="集团价目表", currency="CNY"),
    )  # flushed, not committed: the first admin is still in their transaction

    outcome: list[str] = []

    def second_admin() -> None:
        session, scope = _admin_session(fresh_factory, admin_id)
        try:
            service.create_book(
                session,
                scope,
                PriceBookCreate(code="GROUP-CNY-B", name="另一张", currency="CNY"),
            )
            session.commit()
            outcome.append("created")
        except AppError as error:
            session.rollback()
            outcome.append(error.code)
        finally:
            session.close()

    thread = threading.Thread(target=second_admin)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the second admin should wait for the first one's transaction"
    first.commit()
    first.close()
    thread.join(timeout=60)

    assert outcome == ["price_book_group_currency_exists"]
    with fresh_factory() as check:
        count = check.execute(
            select(func.count()).select_from(PriceBook).where(PriceBook.is_active.is_(True))
        ).scalar_one()
        assert count == 1
