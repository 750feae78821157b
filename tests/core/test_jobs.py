"""The jobs kernel: registry, batched runs in system sessions, the CLI and the scheduler."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from flotilla.cli import app as cli
from flotilla.core import audit, clock, jobs
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.jobs import JobResult, JobScheduler, UnknownJob, next_run_after, run_job
from flotilla.core.scope import ScopeNotApplied, mark_system_session
from flotilla.core.settings import Settings, get_settings
from flotilla.main import create_app
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account
from flotilla.models.org import OrgUnit
from tests.conftest import DatabaseFactory
from tests.fixtures.factories import make_unit, make_user, make_world
from tests.fixtures.sales import make_account

runner = CliRunner()


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, jobs.Job]:
    """A private copy of the registry: jobs registered by a test vanish after it."""
    jobs.load_jobs()
    copy = dict(jobs._registry)
    monkeypatch.setattr(jobs, "_registry", copy)
    return copy


def _units_named(db: Session, prefix: str) -> int:
    db.expire_all()
    stmt = select(func.count()).select_from(OrgUnit).where(OrgUnit.name.startswith(prefix))
    return int(db.execute(stmt).scalar_one())


def test_the_pool_reclaim_job_is_registered_with_an_hourly_schedule() -> None:
    names = [j.name for j in jobs.registered_jobs()]
    reclaim = jobs.get_job("pool-reclaim")

    assert "pool-reclaim" in names
    assert names == sorted(names)
    assert reclaim.schedule == "7 * * * *"
    assert next_run_after(reclaim, datetime(2026, 3, 2, 9, 30, tzinfo=UTC)) == datetime(
        2026, 3, 2, 10, 7, tzinfo=UTC
    )


def test_an_unknown_job_is_refused() -> None:
    with pytest.raises(UnknownJob):
        jobs.get_job("no-such-job")


def test_a_name_is_registered_once_and_schedules_are_crontabs(
    registry: dict[str, jobs.Job],
) -> None:
    def first(_session: Session, _now: datetime) -> JobResult:
        return JobResult()

    def second(_session: Session, _now: datetime) -> JobResult:
        return JobResult()

    jobs.job("test-once", schedule="* * * * *", description="x")(first)
    jobs.job("test-once", schedule="* * * * *", description="x")(first)  # re-import: fine
    with pytest.raises(ValueError, match="registered twice"):
        jobs.job("test-once", schedule="* * * * *", description="x")(second)
    with pytest.raises(ValueError, match="crontab"):
        jobs.job("test-bad", schedule="hourly", description="x")


def test_a_run_commits_batch_after_batch_with_the_same_now_as_the_system(
    db: Session, session_factory: sessionmaker[Session], registry: dict[str, jobs.Job]
) -> None:
    world = make_world(db)
    for _ in range(5):
        make_unit(db, world.dept_a, "team", name="待处理")
    db.commit()
    seen: list[datetime] = []

    @jobs.job("test-rename", schedule="0 * * * *", description="rename two units a call")
    def rename(session: Session, now: datetime) -> JobResult:
        seen.append(now)
        pending = (
            session.execute(select(OrgUnit).where(OrgUnit.name == "待处理").limit(2))
            .scalars()
            .all()
        )
        for unit in pending:
            unit.name = "已处理"
        return JobResult(processed=len(pending), more=len(pending) == 2, counts={"renamed": 1})

    moment = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    report = run_job(session_factory, "test-rename", now=moment)

    assert (report.processed, report.batches, report.counts) == (5, 3, {"renamed": 3})
    assert seen == [moment, moment, moment]
    assert report.summary().startswith("test-rename: processed=5 batches=3, renamed=3 (")
    assert _units_named(db, "已处理") == 5
    actors = set(
        db.execute(
            select(AuditEvent.actor_name, AuditEvent.actor_id).where(
                AuditEvent.action == "org_unit.update"
            )
        ).all()
    )
    assert actors == {("system", None)}


def test_a_failing_batch_rolls_back_and_the_error_surfaces(
    db: Session, session_factory: sessionmaker[Session], registry: dict[str, jobs.Job]
) -> None:
    world = make_world(db)
    make_unit(db, world.dept_a, "team", name="原名")
    db.commit()

    @jobs.job("test-crash", schedule="0 * * * *", description="writes, then dies")
    def crash(session: Session, _now: datetime) -> JobResult:
        unit = session.execute(select(OrgUnit).where(OrgUnit.name == "原名")).scalar_one()
        unit.name = "半截"
        session.flush()
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        run_job(session_factory, "test-crash")

    assert _units_named(db, "原名") == 1
    assert _units_named(db, "半截") == 0


def test_a_runaway_job_stops_at_the_batch_limit(
    session_factory: sessionmaker[Session], registry: dict[str, jobs.Job]
) -> None:
    @jobs.job("test-runaway", schedule="0 * * * *", description="always wants more")
    def runaway(_session: Session, _now: datetime) -> JobResult:
        return JobResult(processed=1, more=True)

    report = run_job(session_factory, "test-runaway", max_batches=4)

    assert (report.batches, report.processed) == (4, 4)


def test_jobs_run_without_a_scope_only_because_their_session_is_a_system_session(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, pytest.raises(ScopeNotApplied):
        session.execute(select(Account)).all()
    with session_factory() as session:
        mark_system_session(session)
        session.execute(select(Account)).all()


def test_the_scheduled_wrapper_logs_a_failure_instead_of_killing_the_scheduler(
    session_factory: sessionmaker[Session],
    registry: dict[str, jobs.Job],
    caplog: pytest.LogCaptureFixture,
) -> None:
    @jobs.job("test-fails", schedule="0 * * * *", description="always fails")
    def fails(_session: Session, _now: datetime) -> JobResult:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="flotilla.jobs"):
        jobs._run_logged(session_factory, "test-fails")

    assert "job test-fails failed" in caplog.text


# --- where jobs run -------------------------------------------------------------------------


def test_jobs_run_in_process_by_default_only_on_the_embedded_database() -> None:
    assert Settings(database_url="sqlite:///var/x.db").jobs_in_process is True
    assert Settings(database_url="postgresql+psycopg://db/flotilla").jobs_in_process is False
    assert Settings(database_url="sqlite:///var/x.db", run_jobs=False).jobs_in_process is False
    assert (
        Settings(database_url="postgresql+psycopg://db/flotilla", run_jobs=True).jobs_in_process
        is True
    )


def test_the_web_server_starts_and_stops_the_scheduler_in_its_lifespan(
    session_factory: sessionmaker[Session],
) -> None:
    app = create_app(session_factory, run_jobs=True)
    with TestClient(app):
        scheduler = app.state.job_scheduler
        assert isinstance(scheduler, JobScheduler)
        assert scheduler.running
        assert [j.name for j in scheduler.jobs] == [j.name for j in jobs.registered_jobs()]
    assert not scheduler.running


def test_an_app_given_its_session_factory_runs_no_jobs_unless_asked(
    session_factory: sessionmaker[Session],
) -> None:
    app = create_app(session_factory)
    with TestClient(app):
        assert app.state.job_scheduler is None


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def cli_database(
    database_factory: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    database = database_factory.create()
    get_settings.cache_clear()
    monkeypatch.setenv("FLOTILLA_DATABASE_URL", database.url)
    engine = make_engine(database.url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        monkeypatch.undo()
        get_settings.cache_clear()


def test_jobs_list_shows_each_job_with_its_schedule() -> None:
    result = runner.invoke(cli, ["jobs", "list"])

    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("pool-reclaim"))
    assert "7 * * * *" in line
    assert "next " in line


def test_jobs_run_runs_a_job_once_and_reports_what_it_did(
    cli_database: sessionmaker[Session],
) -> None:
    with cli_database() as session:
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        world = make_world(session)
        owner = make_user(session, world.team_a, "sales_rep")
        make_account(
            session, world.team_a, owner=owner, last_follow_up_at=clock.now() - timedelta(days=90)
        )
        session.commit()

    first = runner.invoke(cli, ["jobs", "run", "pool-reclaim"])
    second = runner.invoke(cli, ["jobs", "run", "pool-reclaim"])

    assert first.exit_code == 0, first.output
    assert "pool-reclaim: processed=1 batches=1, reclaimed=1" in first.output
    assert "processed=0" in second.output


def test_jobs_run_refuses_an_unknown_name(cli_database: sessionmaker[Session]) -> None:
    result = runner.invoke(cli, ["jobs", "run", "no-such-job"])

    assert result.exit_code == 2
    assert "no job named 'no-such-job'" in result.output


def test_jobs_worker_runs_the_schedule_until_interrupted(
    cli_database: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[bool] = []

    def start(self: JobScheduler) -> None:
        started.append(True)
        raise KeyboardInterrupt

    monkeypatch.setattr(JobScheduler, "start", start)
    result = runner.invoke(cli, ["jobs", "worker"])

    assert result.exit_code == 0, result.output
    assert started == [True]
    names = ", ".join(j.name for j in jobs.registered_jobs())
    assert f"job worker running: {names}" in result.output
    assert "pool-reclaim" in names
