"""The request is the unit of work: committed before the response, all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session
from flotilla.main import create_app
from flotilla.models.audit import AuditEvent
from flotilla.models.org import OrgUnit
from tests.conftest import DatabaseFactory
from tests.fixtures.factories import login, make_user, make_world


@pytest.fixture
def real_factory(database_factory: DatabaseFactory) -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh database with real commits (no per-test rollback)."""
    database = database_factory.create()
    engine = make_engine(database.url)
    yield make_session_factory(engine)
    engine.dispose()


def _arrange(factory: sessionmaker[Session]) -> tuple[str, str]:
    with factory() as session:
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        world = make_world(session)
        admin = make_user(session, world.group, "group_admin")
        session.commit()
        return admin.username, str(world.sub_a.id)


def _count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as session:
        mark_system_session(session)
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_successful_write_is_committed_before_the_response(
    real_factory: sessionmaker[Session],
) -> None:
    username, sub_a = _arrange(real_factory)
    with TestClient(create_app(real_factory)) as client:
        headers = login(client, username)
        before = _count(real_factory, OrgUnit)
        response = client.post(
            "/api/v1/org-units",
            json={"parent_id": sub_a, "kind": "department", "code": "NEW-1", "name": "新部门"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        # Another connection sees it the moment the client has the answer.
        assert _count(real_factory, OrgUnit) == before + 1


def test_a_crash_after_flush_leaves_nothing_half_written(
    real_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    username, sub_a = _arrange(real_factory)
    with TestClient(create_app(real_factory), raise_server_exceptions=False) as client:
        headers = login(client, username)
        units, events = _count(real_factory, OrgUnit), _count(real_factory, AuditEvent)

        def crash(session: Session, *_args: object, **_kwargs: object) -> None:
            session.flush()  # the unit row and its audit event are written...
            raise RuntimeError("power cut")  # ...then the operation dies

        monkeypatch.setattr("flotilla.org.service.ensure_still_visible", crash)
        response = client.post(
            "/api/v1/org-units",
            json={"parent_id": sub_a, "kind": "department", "code": "NEW-2", "name": "半截"},
            headers=headers,
        )
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "internal_error"
        assert "power cut" not in response.text
        assert _count(real_factory, OrgUnit) == units
        assert _count(real_factory, AuditEvent) == events
