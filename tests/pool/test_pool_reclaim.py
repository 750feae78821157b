"""The ``pool-reclaim`` job: accounts nobody follows up return to the pool, on time, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import clock
from flotilla.core.jobs import JobReport, run_job
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account, AccountClaim, PoolRelease
from flotilla.pool import service
from tests.fixtures.factories import as_user, login, make_user, make_world
from tests.fixtures.sales import make_account, make_claim, make_pool_account, make_pool_rule

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def _reclaim(session_factory: sessionmaker[Session]) -> JobReport:
    return run_job(session_factory, "pool-reclaim")


def _status(db: Session, account: Account) -> str:
    db.expire_all()
    return db.execute(select(Account.status).where(Account.id == account.id)).scalar_one()


def _count(db: Session, model: type, *where: object) -> int:
    stmt = select(func.count()).select_from(model)
    if where:
        stmt = stmt.where(*where)  # type: ignore[arg-type]
    return int(db.execute(stmt).scalar_one())


def test_an_account_returns_to_the_pool_once_idle_longer_than_the_rule_and_not_before(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        make_pool_rule(db, world.sub_a, reclaim_after_days=30)
        owner = make_user(db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=owner, last_follow_up_at=T0)
        expired_protection = make_claim(db, account, protected_until=T0 + 10 * DAY)
        db.commit()

        clock.advance(30 * DAY - SECOND)
        assert _reclaim(session_factory).processed == 0
        clock.advance(SECOND)  # idle for exactly 30 days: not older than the rule yet
        assert _reclaim(session_factory).processed == 0
        assert _status(db, account) == "owned"

        clock.advance(SECOND)
        report = _reclaim(session_factory)
        reclaimed_at = clock.now()

    assert (report.processed, report.counts) == (1, {"reclaimed": 1})
    db.expire_all()
    stored = db.execute(select(Account).where(Account.id == account.id)).scalar_one()
    assert (stored.status, stored.owner_id, stored.unit_id, stored.pool_entered_at) == (
        "pool",
        None,
        world.sub_a.id,
        reclaimed_at,
    )
    assert (
        db.execute(
            select(AccountClaim.status).where(AccountClaim.id == expired_protection.id)
        ).scalar_one()
        == "expired"
    )
    release = db.execute(select(PoolRelease)).scalar_one()
    assert (release.account_id, release.user_id, release.reason, release.released_at) == (
        account.id,
        owner.id,
        "reclaimed",
        reclaimed_at,
    )
    event = db.execute(select(AuditEvent).where(AuditEvent.action == "pool.reclaim")).scalar_one()
    assert (event.actor_id, event.actor_name, event.entity_id) == (None, "system", account.id)
    assert event.unit_id == world.team_a.id
    assert event.changes["owner_id"] == {"before": str(owner.id), "after": None}
    assert _count(db, AuditEvent, AuditEvent.action == "account.update") == 1
    assert _count(db, AuditEvent, AuditEvent.action == "account_claim.update") == 1


def test_an_account_never_followed_up_counts_from_its_creation(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        old = make_account(db, world.team_a, created_at=T0 - 31 * DAY)
        recent = make_account(db, world.team_a, created_at=T0 - 29 * DAY)
        db.commit()

        report = _reclaim(session_factory)

    assert report.processed == 1  # the default rule: 30 days
    assert (_status(db, old), _status(db, recent)) == ("pool", "owned")
    # Nobody owned it, so nobody's cool-down starts.
    assert _count(db, PoolRelease) == 0


def test_a_follow_up_activity_resets_the_clock(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        rep = make_user(db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=rep, last_follow_up_at=T0)
        db.commit()

        clock.advance(20 * DAY)
        headers = login(client, rep)
        logged = client.post(
            "/api/v1/activities",
            json={"kind": "visit", "subject": "上门拜访", "account_id": str(account.id)},
            headers=headers,
        )
        assert logged.status_code == 201, logged.text

        clock.advance(11 * DAY)  # 31 days after the first follow-up, 11 after the visit
        assert _reclaim(session_factory).processed == 0
        clock.advance(19 * DAY + SECOND)  # 30 days and a second after the visit
        assert _reclaim(session_factory).processed == 1

    assert _status(db, account) == "pool"


def test_completing_a_task_resets_the_clock(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=rep, last_follow_up_at=T0 - 29 * DAY)
        task = client.post(
            "/api/v1/activities",
            json={
                "kind": "task",
                "subject": "寄送样品",
                "account_id": str(account.id),
                "due_at": (T0 + DAY).isoformat(),
            },
            headers=headers,
        ).json()
        done = client.post(f"/api/v1/activities/{task['id']}/complete", headers=headers)
        assert done.status_code == 200, done.text

        clock.advance(5 * DAY)
        assert _reclaim(session_factory).processed == 0

    assert _status(db, account) == "owned"


def test_a_running_protection_keeps_an_idle_account(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        owner = make_user(db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=owner, last_follow_up_at=T0 - 40 * DAY)
        protection = make_claim(db, account, protected_until=T0 + 5 * DAY)
        db.commit()

        assert _reclaim(session_factory).processed == 0
        clock.advance(5 * DAY)  # protected_until reached: no longer protecting
        assert _reclaim(session_factory).processed == 1

    assert _status(db, account) == "pool"
    assert (
        db.execute(select(AccountClaim.status).where(AccountClaim.id == protection.id)).scalar_one()
        == "expired"
    )


def test_each_subsidiary_reclaims_on_its_own_rule(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        make_pool_rule(db, world.sub_b, reclaim_after_days=10)
        in_a = make_account(db, world.team_a, last_follow_up_at=T0 - 11 * DAY)
        in_b = make_account(db, world.dept_b, last_follow_up_at=T0 - 11 * DAY)
        db.commit()

        assert _reclaim(session_factory).processed == 1

    assert (_status(db, in_a), _status(db, in_b)) == ("owned", "pool")


def test_running_the_job_again_changes_nothing(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        owner = make_user(db, world.team_a, "sales_rep")
        for _ in range(3):
            make_account(db, world.team_a, owner=owner, last_follow_up_at=T0 - 60 * DAY)
        make_pool_account(db, world.sub_a)
        db.commit()

        first = _reclaim(session_factory)
        events, releases = _count(db, AuditEvent), _count(db, PoolRelease)
        second = _reclaim(session_factory)

    assert first.processed == 3
    assert (second.processed, second.batches) == (0, 1)
    assert (_count(db, AuditEvent), _count(db, PoolRelease)) == (events, releases)


def test_a_large_backlog_is_reclaimed_in_bounded_batches(
    db: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "RECLAIM_BATCH_SIZE", 2)
    with clock.frozen_at(T0):
        world = make_world(db)
        for unit in (world.team_a, world.dept_a, world.dept_b, world.dept_b, world.team_a):
            make_account(db, unit, last_follow_up_at=T0 - 45 * DAY)
        db.commit()

        report = _reclaim(session_factory)

    assert (report.processed, report.batches) == (5, 3)
    assert _count(db, Account, Account.status == "pool") == 5


def test_the_former_owner_of_a_reclaimed_account_cools_down(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        make_pool_rule(db, world.sub_a, cooldown_days=15)
        owner = make_user(db, world.team_a, "sales_rep")
        colleague = make_user(db, world.team_a, "sales_rep")
        account = make_account(db, world.team_a, owner=owner, last_follow_up_at=T0 - 31 * DAY)
        db.commit()
        _reclaim(session_factory)

        refused = client.post(f"/api/v1/pool/{account.id}/claim", headers=login(client, owner))
        taken = client.post(f"/api/v1/pool/{account.id}/claim", headers=login(client, colleague))

    assert refused.status_code == 409
    assert refused.json()["error"]["cooldown_until"] == "2026-03-17T09:00:00+00:00"
    assert taken.status_code == 200, taken.text
