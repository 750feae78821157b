"""Activities and tasks: links, times, completion, the account's follow-up clock, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.audit import AuditEvent
from flotilla.models.customer import Account
from tests.fixtures.factories import World, as_user, make_user, make_world
from tests.fixtures.sales import make_account, make_activity, make_contact

ACTIVITIES = "/api/v1/activities"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _follow_up(db: Session, account: Account) -> datetime | None:
    db.expire_all()
    return db.execute(
        select(Account.last_follow_up_at).where(Account.id == account.id)
    ).scalar_one()


def _post(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(ACTIVITIES, json={"subject": "跟进", **body}, headers=headers)


def _rep_with_account(
    client: TestClient, db: Session
) -> tuple[World, Any, dict[str, str], Account]:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=rep, last_follow_up_at=T0 - timedelta(days=10))
    db.commit()
    return world, rep, headers, account


def test_logging_a_call_moves_the_accounts_follow_up_clock(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        _world, rep, headers, account = _rep_with_account(client, db)
        response = _post(client, headers, kind="call", account_id=str(account.id))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["owner_id"] == str(rep.id)
    assert body["completed_at"] == body["occurred_at"]
    assert _follow_up(db, account) == T0
    event = db.execute(
        select(AuditEvent).where(AuditEvent.action == "account.follow_up")
    ).scalar_one()
    assert event.entity_id == account.id
    assert event.actor_id == rep.id
    assert event.changes["last_follow_up_at"]["after"] == "2026-03-02T09:00:00.000000Z"


def test_a_note_does_not_count_as_a_follow_up(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        _world, _rep, headers, account = _rep_with_account(client, db)
        response = _post(client, headers, kind="note", account_id=str(account.id))

    assert response.status_code == 201, response.text
    assert _follow_up(db, account) == T0 - timedelta(days=10)


def test_an_older_follow_up_never_moves_the_clock_back(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        _world, _rep, headers, account = _rep_with_account(client, db)
        older = (T0 - timedelta(days=20)).isoformat()
        response = _post(
            client, headers, kind="visit", account_id=str(account.id), occurred_at=older
        )

    assert response.status_code == 201, response.text
    assert _follow_up(db, account) == T0 - timedelta(days=10)


def test_a_logged_activity_cannot_lie_in_the_future(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        _world, _rep, headers, account = _rep_with_account(client, db)
        within_skew = _post(
            client, headers, kind="call", occurred_at=(T0 + timedelta(minutes=4)).isoformat()
        )
        future = _post(
            client,
            headers,
            kind="meeting",
            account_id=str(account.id),
            occurred_at=(T0 + timedelta(days=3)).isoformat(),
        )

    assert within_skew.status_code == 201, within_skew.text
    assert future.status_code == 422
    assert future.json()["error"]["fields"][0]["code"] == "in_future"
    assert _follow_up(db, account) == T0 - timedelta(days=10)


def test_a_task_needs_a_due_time_and_only_tasks_have_one(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        _world, _rep, headers, _account = _rep_with_account(client, db)
        no_due = _post(client, headers, kind="task")
        call_with_due = _post(client, headers, kind="call", due_at=T0.isoformat())
        task = _post(client, headers, kind="task", due_at=(T0 + timedelta(days=2)).isoformat())

    assert no_due.status_code == 422
    assert no_due.json()["error"]["fields"][0]["field"] == "due_at"
    assert call_with_due.status_code == 422
    assert call_with_due.json()["error"]["fields"][0]["code"] == "only_for_tasks"
    assert task.status_code == 201, task.text
    assert task.json()["completed_at"] is None
    assert task.json()["is_overdue"] is False


def test_completing_a_task_on_an_account_is_a_follow_up(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        _world, _rep, headers, account = _rep_with_account(client, db)
        task = _post(
            client,
            headers,
            kind="task",
            account_id=str(account.id),
            due_at=(T0 + timedelta(days=1)).isoformat(),
        ).json()
        # Setting up a task is not a follow-up by itself.
        assert _follow_up(db, account) == T0 - timedelta(days=10)
        clock.advance(timedelta(hours=5))
        done = client.post(
            f"{ACTIVITIES}/{task['id']}/complete",
            json={"version": task["version"]},
            headers=headers,
        )
        again = client.post(f"{ACTIVITIES}/{task['id']}/complete", headers=headers)

    assert done.status_code == 200, done.text
    assert done.json()["completed_at"] == "2026-03-02T14:00:00Z"
    assert _follow_up(db, account) == T0 + timedelta(hours=5)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_completed"


def test_only_tasks_complete_and_a_stale_version_is_refused(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world, rep, headers, _account = _rep_with_account(client, db)
        call = make_activity(db, world.team_a, owner=rep, kind="call")
        task = make_activity(db, world.team_a, owner=rep, kind="task")
        db.commit()
        not_a_task = client.post(f"{ACTIVITIES}/{call.id}/complete", headers=headers)
        stale = client.post(
            f"{ACTIVITIES}/{task.id}/complete", json={"version": 7}, headers=headers
        )

    assert not_a_task.status_code == 409
    assert not_a_task.json()["error"]["code"] == "not_a_task"
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_links_the_caller_cannot_see_are_unknown_references(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")
    elsewhere = make_account(db, world.dept_b)
    colleagues = make_account(db, world.team_a)  # no owner: not the rep's
    contact = make_contact(db, elsewhere)
    db.commit()

    for field, value in (
        ("account_id", elsewhere.id),
        ("account_id", colleagues.id),
        ("contact_id", contact.id),
        ("opportunity_id", colleagues.id),
    ):
        response = _post(client, headers, kind="call", **{field: str(value)})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"]["fields"] == [
            {"field": field, "code": "unknown_reference", "message": "引用的记录不存在"}
        ]


def test_a_contact_brings_its_account_and_must_agree_with_an_explicit_one(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world, rep, headers, account = _rep_with_account(client, db)
        other = make_account(db, world.team_a, owner=rep)
        contact = make_contact(db, account)
        db.commit()
        derived = _post(client, headers, kind="call", contact_id=str(contact.id))
        mismatch = _post(
            client, headers, kind="call", contact_id=str(contact.id), account_id=str(other.id)
        )

    assert derived.status_code == 201, derived.text
    assert derived.json()["account_id"] == str(account.id)
    assert _follow_up(db, account) == T0
    assert mismatch.status_code == 422
    assert mismatch.json()["error"]["fields"][0] == {
        "field": "contact_id",
        "code": "link_mismatch",
        "message": "关联的联系人或商机不属于该客户",
    }


def test_editing_an_activity_checks_new_links_and_versions(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        world, _rep, headers, account = _rep_with_account(client, db)
        created = _post(client, headers, kind="note").json()
        elsewhere = make_account(db, world.dept_b)
        db.commit()
        relinked = client.patch(
            f"{ACTIVITIES}/{created['id']}",
            json={"version": created["version"], "account_id": str(account.id), "body": "纪要"},
            headers=headers,
        )
        hidden = client.patch(
            f"{ACTIVITIES}/{created['id']}",
            json={"version": relinked.json()["version"], "account_id": str(elsewhere.id)},
            headers=headers,
        )
        stale = client.patch(
            f"{ACTIVITIES}/{created['id']}",
            json={"version": created["version"], "subject": "旧版本"},
            headers=headers,
        )

    assert relinked.status_code == 200, relinked.text
    assert relinked.json()["account_id"] == str(account.id)
    assert relinked.json()["body"] == "纪要"
    assert hidden.status_code == 422
    assert stale.status_code == 409


def test_overdue_lists_the_callers_open_tasks_past_due_oldest_first(
    client: TestClient, db: Session
) -> None:
    with clock.frozen_at(T0):
        world = make_world(db)
        rep, headers = as_user(client, db, world.team_a, "sales_rep")
        colleague = make_user(db, world.team_a, "sales_rep")
        _manager, manager = as_user(client, db, world.dept_a, "sales_manager")
        long_overdue = make_activity(
            db, world.team_a, owner=rep, kind="task", due_at=T0 - timedelta(days=3)
        )
        overdue = make_activity(
            db, world.team_a, owner=rep, kind="task", due_at=T0 - timedelta(hours=1)
        )
        make_activity(db, world.team_a, owner=rep, kind="task", due_at=T0 + timedelta(hours=1))
        make_activity(
            db,
            world.team_a,
            owner=rep,
            kind="task",
            due_at=T0 - timedelta(days=1),
            completed_at=T0 - timedelta(hours=2),
        )
        make_activity(db, world.team_a, owner=rep, kind="call", occurred_at=T0 - timedelta(days=5))
        theirs = make_activity(
            db, world.team_a, owner=colleague, kind="task", due_at=T0 - timedelta(days=2)
        )
        db.commit()

        mine = client.get(ACTIVITIES, params={"owner_id": "me", "overdue": "true"}, headers=headers)
        team = client.get(ACTIVITIES, params={"overdue": "true"}, headers=manager)
        colleague_view = client.get(
            ACTIVITIES, params={"owner_id": str(colleague.id), "overdue": "true"}, headers=manager
        )

    assert mine.status_code == 200, mine.text
    assert [i["id"] for i in mine.json()["items"]] == [str(long_overdue.id), str(overdue.id)]
    assert all(i["is_overdue"] for i in mine.json()["items"])
    assert [i["id"] for i in team.json()["items"]] == [
        str(long_overdue.id),
        str(theirs.id),
        str(overdue.id),
    ]
    assert [i["id"] for i in colleague_view.json()["items"]] == [str(theirs.id)]


def test_list_filters_by_account_kind_and_completion(client: TestClient, db: Session) -> None:
    with clock.frozen_at(T0):
        world, rep, headers, account = _rep_with_account(client, db)
        on_account = make_activity(db, world.team_a, owner=rep, kind="visit", account=account)
        task = make_activity(db, world.team_a, owner=rep, kind="task", account=account)
        make_activity(db, world.team_a, owner=rep, kind="call")
        db.commit()

        def ids(**params: str) -> list[str]:
            response = client.get(ACTIVITIES, params=params, headers=headers)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()["items"]]

        assert set(ids(account_id=str(account.id))) == {str(on_account.id), str(task.id)}
        assert ids(kind="visit") == [str(on_account.id)]
        assert ids(account_id=str(account.id), completed="false") == [str(task.id)]
        assert ids(sort="due_at") == [str(task.id)]
