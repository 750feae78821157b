"""Test harness: a real, migrated database per run (SQLite file or throwaway PostgreSQL
database), and one rolled-back transaction per test.

``pytest --db=sqlite`` (default) or ``pytest --db=postgresql`` (URL from
``FLOTILLA_TEST_DATABASE_URL``). With ``CI=true`` an unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("FLOTILLA_ENV", "test")
os.environ["FLOTILLA_ARGON2_TIME_COST"] = "1"
os.environ["FLOTILLA_ARGON2_MEMORY_KIB"] = "1024"

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.migrate import upgrade
from flotilla.core.scope import mark_system_session
from flotilla.core.settings import get_settings

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"flotilla test database: {config.getoption('--db')}"


@dataclass
class TestDatabase:
    __test__ = False  # a fixture value, not a test class
    url: str
    backend: str

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgresql"


class DatabaseFactory:
    """Creates throwaway, migrated databases and removes them at the end of the run."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.created: list[str] = []
        self.admin_url = os.environ.get("FLOTILLA_TEST_DATABASE_URL", DEFAULT_PG_URL)

    def _admin_engine(self) -> Engine:
        return make_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def create(self) -> TestDatabase:
        name = f"flotilla_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        if self.backend == "sqlite":
            url = f"sqlite:///{self.workdir / (name + '.db')}"
        else:
            engine = self._admin_engine()
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as error:
                message = f"PostgreSQL is not reachable at {self.admin_url}: {error}"
                if os.environ.get("CI") == "true":
                    pytest.exit(message, returncode=1)
                pytest.skip(message)
            finally:
                engine.dispose()
            url = make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
            self.created.append(name)
        upgrade(url)
        return TestDatabase(url=url, backend=self.backend)

    def drop_all(self) -> None:
        if not self.created:
            return
        engine = self._admin_engine()
        with engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseFactory]:
    get_settings.cache_clear()
    factory = DatabaseFactory(request.config.getoption("--db"), tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def test_database(database_factory: DatabaseFactory) -> TestDatabase:
    return database_factory.create()


@pytest.fixture(scope="session")
def engine(test_database: TestDatabase) -> Iterator[Engine]:
    engine = make_engine(test_database.url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One outer transaction per test, rolled back at the end: tests never see each other."""
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Each request's commit releases a savepoint inside the test's transaction.
    return make_session_factory(connection, join_transaction_mode="create_savepoint")  # type: ignore[arg-type]


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A system session for arranging data (factories); writes are audited as 'system'."""
    session = session_factory()
    mark_system_session(session)
    audit.set_context(session, audit.SYSTEM_CONTEXT)
    yield session
    session.close()


@pytest.fixture(scope="session")
def app() -> FastAPI:
    from flotilla.main import create_app

    placeholder = make_session_factory(make_engine("sqlite://"))
    return create_app(placeholder)


@pytest.fixture
def client(app: FastAPI, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app.state.session_factory = session_factory
    app.state.read_session_factory = session_factory
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
