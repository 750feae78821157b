from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.customer import ClaimConflict, Contact
from flotilla.models.identity import Role, RoleGrant
from tests.fixtures.customer import make_account, make_contact
from tests.fixtures.factories import as_user, make_user, make_world, unknown_id

CONTACTS = "/api/v1/contacts"


def test_owner_creates_a_contact_and_the_keys_follow_the_values(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=rep)
    db.commit()

    created = client.post(
        CONTACTS,
        json={
            "account_id": str(account.id),
            "name": "张伟",
            "title": "采购总监",
            "phone": "+86 138-0013-8000",
            "email": "Zhang.Wei@Customer.CN",
            "is_primary": True,
        },
        headers=headers,
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["phone"] == "+86 138-0013-8000"
    assert body["email"] == "Zhang.Wei@Customer.CN"
    assert body["account_name"] == account.name
    assert body["subsidiary_id"] == str(world.sub_a.id)
    stored = db.execute(select(Contact).where(Contact.name == "张伟")).scalar_one()
    assert (stored.phone_key, stored.email_key) == ("13800138000", "zhang.wei@customer.cn")

    patched = client.patch(
        f"{CONTACTS}/{body['id']}",
        json={"version": body["version"], "phone": "010-6552 8888", "email": None},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    db.expire_all()
    stored = db.execute(select(Contact).where(Contact.name == "张伟")).scalar_one()
    assert (stored.phone_key, stored.email_key) == ("01065528888", None)

    stale = client.patch(
        f"{CONTACTS}/{body['id']}",
        json={"version": body["version"], "title": "CEO"},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def test_personal_data_is_masked_without_pii_read(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account = make_account(db, world.team_a)
    contact = make_contact(db, account, phone="13812345678", email="li.na@customer.cn")
    _auditor, auditor_headers = as_user(client, db, world.group, "auditor")
    _director, director_headers = as_user(client, db, world.sub_a, "sales_director")

    masked = client.get(f"{CONTACTS}/{contact.id}", headers=auditor_headers).json()
    assert (masked["phone"], masked["email"]) == ("138****5678", "l***@customer.cn")
    listed = client.get(CONTACTS, headers=auditor_headers).json()["items"]
    assert listed[0]["phone"] == "138****5678"

    clear = client.get(f"{CONTACTS}/{contact.id}", headers=director_headers).json()
    assert (clear["phone"], clear["email"]) == ("13812345678", "li.na@customer.cn")


def test_phone_search_only_finds_contacts_whose_phone_the_caller_may_read(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    account = make_account(db, world.team_a)
    contact = make_contact(db, account, name="王芳", phone="13811112222")
    _auditor, auditor_headers = as_user(client, db, world.group, "auditor")
    _director, director_headers = as_user(client, db, world.sub_a, "sales_director")

    def found(headers: dict[str, str], q: str) -> list[str]:
        response = client.get(CONTACTS, params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert found(director_headers, "138 1111") == [str(contact.id)]
    assert found(auditor_headers, "138 1111") == []
    assert found(auditor_headers, "王芳") == [str(contact.id)]


def test_only_one_primary_contact_per_account(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    account = make_account(db, world.team_a, owner=rep)
    first = make_contact(db, account, is_primary=True)
    db.commit()

    second = client.post(
        CONTACTS,
        json={"account_id": str(account.id), "name": "李雷", "is_primary": True},
        headers=headers,
    )

    assert second.status_code == 201, second.text
    db.expire_all()
    primaries = db.execute(
        select(Contact.id).where(Contact.account_id == account.id, Contact.is_primary.is_(True))
    ).scalars()
    assert [str(p) for p in primaries] == [second.json()["id"]]
    assert db.get(Contact, first.id).is_primary is False  # type: ignore[union-attr]


def test_contact_on_an_unseen_account_is_an_unknown_reference(
    client: TestClient, db: Session
) -> None:
    world = make_world(db)
    hidden = make_account(db, world.dept_b)
    _rep, headers = as_user(client, db, world.team_a, "sales_rep")

    for account_id in (hidden.id, unknown_id()):
        response = client.post(
            CONTACTS, json={"account_id": str(account_id), "name": "韩梅梅"}, headers=headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0] == {
            "field": "account_id",
            "code": "unknown_reference",
            "message": "引用的记录不存在",
        }


def test_read_only_roles_cannot_write_contacts(client: TestClient, db: Session) -> None:
    world = make_world(db)
    account = make_account(db, world.team_a)
    contact = make_contact(db, account)
    _auditor, headers = as_user(client, db, world.group, "auditor")

    created = client.post(
        CONTACTS, json={"account_id": str(account.id), "name": "韩梅梅"}, headers=headers
    )
    assert created.status_code == 403
    deleted = client.delete(f"{CONTACTS}/{contact.id}", headers=headers)
    assert deleted.status_code == 404


def test_delete_removes_the_contact(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, headers = as_user(client, db, world.team_a, "sales_rep")
    contact = make_contact(db, make_account(db, world.team_a, owner=rep))
    db.commit()

    assert client.delete(f"{CONTACTS}/{contact.id}", headers=headers).status_code == 204
    assert client.get(f"{CONTACTS}/{contact.id}", headers=headers).status_code == 404


def test_account_contacts_lists_only_that_account(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    account = make_account(db, world.team_a)
    other = make_account(db, world.team_a)
    mine = {make_contact(db, account).id, make_contact(db, account).id}
    make_contact(db, other)
    hidden = make_account(db, world.dept_b)
    make_contact(db, hidden)
    db.commit()

    response = client.get(
        f"/api/v1/accounts/{account.id}/contacts",
        params={"include_total": "true"},
        headers=headers,
    )
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {str(i) for i in mine}
    assert response.json()["total"] == 2
    unseen = client.get(f"/api/v1/accounts/{hidden.id}/contacts", headers=headers)
    assert unseen.status_code == 404


def test_contact_writes_on_a_protected_account_are_claim_conflicts(
    client: TestClient, db: Session
) -> None:
    """Someone acting for another subsidiary who can write the account (here a director of
    sub B who also holds a manager grant in sub A) is refused while sub A protects it."""
    world = make_world(db)
    account = make_account(db, world.team_a, owner=make_user(db, world.team_a, "sales_rep"))
    outsider, headers = as_user(client, db, world.dept_b, "sales_director")
    manager = db.execute(select(Role).where(Role.code == "sales_manager")).scalar_one()
    db.add(RoleGrant(user_id=outsider.id, role_id=manager.id, unit_id=world.team_a.id))
    db.commit()

    response = client.post(
        CONTACTS, json={"account_id": str(account.id), "name": "韩梅梅"}, headers=headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "claim_conflict"
    conflict = db.execute(
        select(ClaimConflict).where(ClaimConflict.account_id == account.id)
    ).scalar_one()
    assert conflict.attempted_action == "contact.create"
    assert db.execute(select(Contact).where(Contact.name == "韩梅梅")).first() is None
