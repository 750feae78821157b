"""Payments and invoices pass the shared scoped-resource contract."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.models.customer import Account
from flotilla.models.identity import User
from flotilla.models.ltc import Invoice, Payment, PaymentInstallment
from tests.contracts.scoped_resource import ScopedResourceContract
from tests.fixtures.factories import World
from tests.fixtures.receivable import make_contract, make_installment, make_invoice, make_payment
from tests.fixtures.sales import make_account


def _installment_in(
    db: Session, world: World, unit_name: str, owner: User | None = None
) -> tuple[Account, PaymentInstallment]:
    unit = getattr(world, unit_name)
    account = make_account(db, unit, owner=owner)
    currency = "HKD" if unit.subsidiary_id == world.sub_b.id else "CNY"
    contract = make_contract(db, unit, account, currency=currency)
    return account, make_installment(db, contract, due_date=date(2026, 5, 31), amount="5000")


class TestPaymentsAreScoped(ScopedResourceContract):
    collection = "/api/v1/payments"

    # An installment in subsidiary B, made with each record, for the move attempt.
    target_installment: uuid.UUID | None = None

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        account, _installment = _installment_in(db, world, unit_name)
        reference = f"PAY-{uuid.uuid4().hex[:10]}"
        payment = make_payment(db, account, reference=reference)
        self.target_installment = _installment_in(db, world, "dept_b")[1].id
        return payment.id, reference

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        account = make_account(db, world.team_a, owner=owner)
        return make_payment(db, account, owner=owner).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        """Payments sit where their contract or account does; the only way to tie one to
        subsidiary B is to allocate it to an installment there, which is refused."""
        response: Response = client.post(
            f"{self.collection}/{record_id}/allocations",
            json={"allocations": [{"installment_id": str(self.target_installment), "amount": "1"}]},
            headers=headers,
        )
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        payment = db.execute(select(Payment).where(Payment.id == record_id)).scalar_one()
        return (payment.unit_id, payment.subsidiary_id, payment.owner_id, payment.allocated_amount)


class TestInvoicesAreScoped(ScopedResourceContract):
    collection = "/api/v1/invoices"
    mover_role = "finance"

    def make_record(self, db: Session, world: World, unit_name: str) -> tuple[uuid.UUID, str]:
        _account, installment = _installment_in(db, world, unit_name)
        number = f"FP-{uuid.uuid4().hex[:10]}"
        return make_invoice(db, installment, number=number).id, number

    def own_record(self, db: Session, world: World, owner_id: uuid.UUID) -> uuid.UUID:
        owner = db.execute(select(User).where(User.id == owner_id)).scalar_one()
        return make_invoice(db, _installment_in(db, world, "team_a", owner)[1]).id

    def move_out(
        self, client: TestClient, headers: dict[str, str], record_id: uuid.UUID, world: World
    ) -> Response:
        """An invoice sits where its installment does and no endpoint places it elsewhere: a
        placement smuggled into the one write on it is refused as an unknown field."""
        response: Response = client.post(
            f"{self.collection}/{record_id}/void",
            json={"reason": "移到乙公司", "unit_id": str(world.dept_b.id)},
            headers=headers,
        )
        return response

    def placement(self, db: Session, record_id: uuid.UUID) -> Any:
        invoice = db.execute(select(Invoice).where(Invoice.id == record_id)).scalar_one()
        return (invoice.unit_id, invoice.subsidiary_id, invoice.owner_id, invoice.status)
