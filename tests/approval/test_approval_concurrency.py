"""Two approvers deciding one request at the same moment, on a fresh database with real
commits: exactly one decision passes an ``any`` step, and an ``all`` step never ends up with
every task approved but the request still waiting (no half-written state)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit
from flotilla.core.audit import verify_chain
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.scope import mark_system_session
from flotilla.main import create_app
from flotilla.models.approval import ApprovalRequest, ApprovalTask
from flotilla.models.audit import AuditEvent
from flotilla.process.seed import StageSpec
from tests.conftest import DatabaseFactory
from tests.fixtures.approval import make_request, make_staff
from tests.fixtures.factories import login
from tests.fixtures.process import latest_version, make_opportunity, make_template

pytestmark = pytest.mark.concurrency

GATED = (
    StageSpec("prospect", "初步接触", "Prospect", 10),
    StageSpec("review", "评审", "Review", 40, requires_approval=True),
    StageSpec("won", "赢单", "Won", 100, kind="won"),
    StageSpec("lost", "输单", "Lost", 0, kind="lost"),
)


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


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on their own threads, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
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


def _arrange(factory: sessionmaker[Session], mode: str, rounds: int) -> tuple[list[str], list[Any]]:
    with _system_session(factory) as session:
        staff = make_staff(session)
        requests = []
        for _ in range(rounds):
            request = make_request(
                session,
                staff.world.team_a,
                staff.rep,
                approvers=[[staff.lead, staff.manager], [staff.director]],
            )
            for task in session.execute(
                select(ApprovalTask).where(ApprovalTask.request_id == request.id)
            ).scalars():
                task.mode = mode
            requests.append(request.id)
        session.commit()
        return [staff.lead.username, staff.manager.username], requests


def _state(factory: sessionmaker[Session], request_id: Any) -> tuple[ApprovalRequest, list[str]]:
    with _system_session(factory) as session:
        request = session.execute(
            select(ApprovalRequest).where(ApprovalRequest.id == request_id)
        ).scalar_one()
        statuses = list(
            session.execute(
                select(ApprovalTask.status)
                .where(ApprovalTask.request_id == request_id, ApprovalTask.step_index == 0)
                .order_by(ApprovalTask.approver_id)
            ).scalars()
        )
        return request, statuses


def test_two_approvers_of_an_any_step_at_once_exactly_one_decides(
    fresh_factory: sessionmaker[Session],
) -> None:
    usernames, requests = _arrange(fresh_factory, "any", rounds=3)
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = [login(first, usernames[0]), login(second, usernames[1])]
        for request_id in requests:
            url = f"/api/v1/approvals/{request_id}/approve"
            responses = _together(
                partial(first.post, url, json={}, headers=headers[0]),
                partial(second.post, url, json={}, headers=headers[1]),
            )
            assert sorted(r.status_code for r in responses) == [200, 403] or sorted(
                r.status_code for r in responses
            ) == [200, 409], [r.text for r in responses]
            loser = next(r for r in responses if r.status_code != 200)
            # The loser either saw the step already passed (its task skipped: not theirs to
            # decide any more) or collided with the winner's write (version conflict).
            assert loser.json()["error"]["code"] in ("approval_not_assigned", "version_conflict")

            request, statuses = _state(fresh_factory, request_id)
            assert sorted(statuses) == ["approved", "skipped"]
            assert (request.status, request.current_step) == ("pending", 1)
            with _system_session(fresh_factory) as session:
                decisions = session.execute(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(
                        AuditEvent.entity_id == request_id, AuditEvent.action == "approval.approve"
                    )
                ).scalar_one()
                assert decisions == 1
    with _system_session(fresh_factory) as session:
        assert verify_chain(session).ok


def test_two_approvers_of_an_all_step_at_once_never_leave_it_half_passed(
    fresh_factory: sessionmaker[Session],
) -> None:
    usernames, requests = _arrange(fresh_factory, "all", rounds=3)
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = [login(first, usernames[0]), login(second, usernames[1])]
        clients = [first, second]
        for request_id in requests:
            url = f"/api/v1/approvals/{request_id}/approve"
            responses = _together(
                partial(first.post, url, json={}, headers=headers[0]),
                partial(second.post, url, json={}, headers=headers[1]),
            )
            codes = sorted(r.status_code for r in responses)
            assert codes in ([200, 200], [200, 409]), [r.text for r in responses]
            request, statuses = _state(fresh_factory, request_id)
            if codes == [200, 409]:
                # The loser's whole decision was rolled back: one approval, step still open.
                loser = next(r for r in responses if r.status_code == 409)
                assert loser.json()["error"]["code"] == "version_conflict"
                assert sorted(statuses) == ["approved", "pending"]
                assert (request.status, request.current_step) == ("pending", 0)
                index = responses.index(loser)
                retry = clients[index].post(url, json={}, headers=headers[index])
                assert retry.status_code == 200, retry.text
                request, statuses = _state(fresh_factory, request_id)
            # Both approved: the step passed and the director's task opened.
            assert statuses == ["approved", "approved"]
            assert (request.status, request.current_step) == ("pending", 1)
            with _system_session(fresh_factory) as session:
                director_task = session.execute(
                    select(ApprovalTask.status).where(
                        ApprovalTask.request_id == request_id, ApprovalTask.step_index == 1
                    )
                ).scalar_one()
                assert director_task == "pending"
    with _system_session(fresh_factory) as session:
        assert verify_chain(session).ok


def test_two_attempts_on_one_record_at_once_raise_a_single_request(
    fresh_factory: sessionmaker[Session],
) -> None:
    with _system_session(fresh_factory) as session:
        staff = make_staff(session)
        deals = [
            make_opportunity(
                session,
                staff.world.team_a,
                staff.rep,
                version=latest_version(session, make_template(session, GATED)),
            )
            for _ in range(3)
        ]
        session.commit()
        username = staff.rep.username
    app = create_app(fresh_factory)
    with TestClient(app) as first, TestClient(app) as second:
        headers = [login(first, username), login(second, username)]
        for deal in deals:
            url = f"/api/v1/opportunities/{deal.id}/transitions"
            body = {"to_stage": "review", "version": deal.version}
            responses = _together(
                partial(first.post, url, json=body, headers=headers[0]),
                partial(second.post, url, json=body, headers=headers[1]),
            )
            assert [r.status_code for r in responses] == [409, 409], [r.text for r in responses]
            ids = {r.json()["error"]["approval_request_id"] for r in responses}
            assert len(ids) == 1
            with _system_session(fresh_factory) as session:
                stored = session.execute(
                    select(func.count())
                    .select_from(ApprovalRequest)
                    .where(ApprovalRequest.record_id == deal.id)
                ).scalar_one()
                assert stored == 1
