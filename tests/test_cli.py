"""The ``flotilla`` command, run in-process against a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from flotilla.cli import app
from flotilla.core import audit
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session
from flotilla.core.settings import Settings, get_settings
from flotilla.main import create_app
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import Role, RoleGrant, User
from flotilla.models.org import OrgUnit
from flotilla.role.builtin import BUILTIN_ROLES
from tests.audit.helpers import bypass_append_only, remove, tamper

if TYPE_CHECKING:
    from tests.conftest import DatabaseFactory

DEMO_PASSWORD = "flotilla-demo"
runner = CliRunner()


@dataclass
class CliDatabase:
    url: str
    factory: sessionmaker[Session]

    def session(self) -> Session:
        session = self.factory()
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        return session

    def count(self, model: type, *where: Any) -> int:
        with self.session() as session:
            stmt = select(func.count()).select_from(model)
            if where:
                stmt = stmt.where(*where)
            return int(session.execute(stmt).scalar_one())

    def snapshot(self) -> tuple[int, int, int, int]:
        return (
            self.count(OrgUnit),
            self.count(User),
            self.count(RoleGrant),
            self.count(AuditEvent),
        )


@pytest.fixture
def cli_db(
    database_factory: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliDatabase]:
    """A fresh migrated database that ``FLOTILLA_DATABASE_URL`` points the command at."""
    database = database_factory.create()
    get_settings.cache_clear()
    monkeypatch.setenv("FLOTILLA_DATABASE_URL", database.url)
    monkeypatch.delenv("FLOTILLA_DEMO_PASSWORD", raising=False)
    engine = make_engine(database.url)
    try:
        yield CliDatabase(database.url, make_session_factory(engine))
    finally:
        engine.dispose()
        monkeypatch.undo()
        get_settings.cache_clear()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)


def sign_in(database: CliDatabase, username: str, password: str) -> tuple[TestClient, Any]:
    client = TestClient(create_app(database.factory))
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    return client, response


# --- demo ----------------------------------------------------------------------------------


def test_demo_seeds_subsidiaries_in_several_currencies_with_people_in_every_role(
    cli_db: CliDatabase,
) -> None:
    result = run("demo")
    assert_ok(result)
    assert "demo group seeded" in result.output

    with cli_db.session() as session:
        subsidiaries = (
            session.execute(select(OrgUnit).where(OrgUnit.kind == "subsidiary")).scalars().all()
        )
        usernames = set(session.execute(select(User.username)).scalars())
        granted_roles = set(
            session.execute(
                select(Role.code).join(RoleGrant, RoleGrant.role_id == Role.id)
            ).scalars()
        )
        roots = session.execute(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).scalars().all()

    assert len(subsidiaries) >= 4
    assert len({s.currency for s in subsidiaries}) >= 2
    assert 35 <= len(usernames) <= 50, len(usernames)
    assert {"admin", "vp", "auditor"} <= usernames
    for sub in subsidiaries:
        code = sub.code.lower()
        expected = {f"{code}.director", f"{code}.manager", f"{code}.rep1", f"{code}.rep2"}
        assert expected <= usernames, (sub.code, expected - usernames)
    assert set(BUILTIN_ROLES) <= granted_roles, set(BUILTIN_ROLES) - granted_roles
    assert len(roots) == 1


def test_demo_seeding_is_on_the_audit_trail_as_the_system(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    with cli_db.session() as session:
        assert audit.verify_chain(session).ok
        actors = set(session.execute(select(AuditEvent.actor_name)).scalars())
    assert actors == {"system"}
    assert cli_db.count(AuditEvent, AuditEvent.action == "app_user.create") == cli_db.count(User)


def test_demo_logins_sign_in_with_the_demo_password(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    for username in ("admin", "vp", "auditor", "bj.director", "hk.manager", "sg.rep2"):
        _client, response = sign_in(cli_db, username, DEMO_PASSWORD)
        assert response.status_code == 200, (username, response.text)


def test_demo_refuses_a_non_empty_database(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    before = cli_db.snapshot()
    result = run("demo")
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert cli_db.snapshot() == before


def test_demo_if_empty_leaves_a_non_empty_database_alone_and_succeeds(
    cli_db: CliDatabase,
) -> None:
    assert_ok(run("demo"))
    before = cli_db.snapshot()
    result = run("demo", "--if-empty")
    assert_ok(result)
    assert "already has data" in result.output
    assert cli_db.snapshot() == before


def test_demo_if_empty_seeds_an_empty_database(cli_db: CliDatabase) -> None:
    assert_ok(run("demo", "--if-empty"))
    assert cli_db.count(User, User.username == "bj.director") == 1


def test_demo_force_seeds_a_non_empty_database_under_its_group_root(cli_db: CliDatabase) -> None:
    assert_ok(run("user", "create-admin", "--username", "boss", "--password", "boss-password-1"))
    refused = run("demo")
    assert refused.exit_code == 1

    assert_ok(run("demo", "--force"))
    with cli_db.session() as session:
        roots = session.execute(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).scalars().all()
        assert len(roots) == 1, "the org tree must keep a single root"
        parents = set(
            session.execute(select(OrgUnit.parent_id).where(OrgUnit.kind == "subsidiary")).scalars()
        )
        assert parents == {roots[0].id}
        assert audit.verify_chain(session).ok
    assert cli_db.count(User, User.username.in_(["boss", "admin", "bj.director"])) == 3
    _client, response = sign_in(cli_db, "boss", "boss-password-1")
    assert response.status_code == 200, response.text


def test_demo_force_on_a_seeded_database_refuses_cleanly_and_writes_nothing(
    cli_db: CliDatabase,
) -> None:
    assert_ok(run("demo"))
    before = cli_db.snapshot()
    result = run("demo", "--force")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "collide" in result.output and "bj.director" in result.output
    assert cli_db.snapshot() == before


# --- audit verify --------------------------------------------------------------------------


def test_audit_verify_passes_on_a_seeded_database(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    result = run("audit", "verify")
    assert_ok(result)
    assert f"{cli_db.count(AuditEvent)} events verified" in result.output


def _commit_tampering(cli_db: CliDatabase, action: Any) -> None:
    """Alter the throwaway database for real, bypassing the append-only triggers."""
    engine = make_engine(cli_db.url)
    try:
        with engine.begin() as conn:
            bypass_append_only(conn)
            action(conn)
    finally:
        engine.dispose()


def test_audit_verify_fails_naming_the_seq_of_an_altered_event(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    seq = cli_db.count(AuditEvent) // 2
    _commit_tampering(cli_db, lambda conn: tamper(conn, seq, actor_name="某人"))

    result = run("audit", "verify")
    assert result.exit_code != 0
    assert f"seq={seq}" in result.output
    assert "BROKEN" in result.output


def test_audit_verify_fails_when_the_newest_event_is_removed(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    last = cli_db.count(AuditEvent)
    _commit_tampering(cli_db, lambda conn: remove(conn, last))

    result = run("audit", "verify")
    assert result.exit_code != 0
    assert f"seq={last}" in result.output


# --- user create-admin -----------------------------------------------------------------------


def test_create_admin_on_an_empty_database_creates_the_root_and_an_admin_who_can_sign_in(
    cli_db: CliDatabase,
) -> None:
    result = run(
        "user",
        "create-admin",
        "--username",
        "Chief",
        "--display-name",
        "总管",
        "--password",
        "chief-password-1",
    )
    assert_ok(result)
    with cli_db.session() as session:
        root = session.execute(select(OrgUnit).where(OrgUnit.parent_id.is_(None))).scalar_one()
        assert root.kind == "group"
        user = session.execute(select(User).where(User.username == "chief")).scalar_one()
        assert user.primary_unit_id == root.id
        grants = session.execute(
            select(Role.code, RoleGrant.unit_id)
            .join(Role, Role.id == RoleGrant.role_id)
            .where(RoleGrant.user_id == user.id)
        ).all()
        assert [(g.code, g.unit_id) for g in grants] == [("group_admin", root.id)]

    client, response = sign_in(cli_db, "chief", "chief-password-1")
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    created = client.post(
        "/api/v1/org-units",
        json={
            "parent_id": str(root.id),
            "kind": "subsidiary",
            "code": "FIRST",
            "name": "第一家子公司",
            "currency": "CNY",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    # The group's standard process is published, so the first opportunity can open at once.
    effective = client.get(
        "/api/v1/process-templates/effective",
        params={"subsidiary_id": created.json()["id"]},
        headers=headers,
    )
    assert effective.status_code == 200, effective.text


def test_create_admin_refuses_a_weak_password(cli_db: CliDatabase) -> None:
    result = run("user", "create-admin", "--username", "chief", "--password", "short")
    assert result.exit_code == 1
    assert "password" in result.output
    assert cli_db.count(User) == 0


def test_create_admin_refuses_an_existing_username(cli_db: CliDatabase) -> None:
    assert_ok(run("user", "create-admin", "--username", "chief", "--password", "chief-password-1"))
    result = run("user", "create-admin", "--username", "CHIEF", "--password", "chief-password-2")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert cli_db.count(User) == 1


def test_create_admin_on_a_seeded_database_joins_the_existing_group(cli_db: CliDatabase) -> None:
    assert_ok(run("demo"))
    assert_ok(run("user", "create-admin", "--username", "second", "--password", "second-admin-1"))
    with cli_db.session() as session:
        roots = session.execute(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))).all()
    assert len(roots) == 1


# --- settings ----------------------------------------------------------------------------------


def test_production_settings_without_a_secret_key_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FLOTILLA_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="FLOTILLA_SECRET_KEY"):
        Settings(env="production")
    assert Settings(env="production", secret_key="s3cret-from-the-vault").env == "production"
    assert Settings(env="development").secret_key is None


def test_serve_refuses_to_start_in_production_without_a_secret_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: started.append(args))
    monkeypatch.delenv("FLOTILLA_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    monkeypatch.setenv("FLOTILLA_ENV", "production")
    try:
        result = run("serve")
        assert result.exit_code != 0
        assert isinstance(result.exception, ValidationError)
        assert started == []

        monkeypatch.setenv("FLOTILLA_SECRET_KEY", "s3cret-from-the-vault")
        get_settings.cache_clear()
        assert_ok(run("serve"))
        assert len(started) == 1
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
