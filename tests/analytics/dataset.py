"""The small fixed dataset every analytics test measures, with its figures worked out by hand.

Today is 2026-12-15 (Beijing; the clock is frozen at 12:00 there). The fiscal year starts in
January, so the current period is 2026-Q4 = 2026-10-01 … 2026-12-31.

Org: group 测试集团 (CNY) → 甲子公司 sub_a (CNY) → 甲大客户部 dept_a → 甲一组 team_a;
     group → 乙子公司 sub_b (HKD) → 乙大客户部 dept_b.
People: vp (group, group_sales_vp), director_a (sub_a, sales_director), director_b (sub_b,
sales_director), manager_a (dept_a, sales_manager, no export.run), rep1 and rep2 (team_a,
sales_rep), rep_b (dept_b, sales_rep).

FX (HKD→CNY): average 2026-10 = 0.92, average 2026-11 = 0.91, no December average;
period_end 2026-12 = 0.90. No USD rate at all.

Contracts (pre-tax amount, signing date):
  C1  team_a rep1  CNY 100,000  2026-10-10 active        → Q4
  C2  team_a rep2  CNY  50,000  2026-11-05 signed        → Q4
  C3  dept_a  —    CNY  30,000  2026-11-15 completed     → Q4
  C4  dept_b rep_b HKD 200,000  2026-10-20 active        → Q4, ×0.92 = 184,000.00
  C5  dept_b rep_b HKD 100,000  2026-12-03 signed        → Q4, no Dec rate: missing, left out
  C6  team_a rep1  CNY  40,000  2026-10-12 terminated    → never counted
  C7  team_a rep1  CNY     999  draft, unsigned          → never counted
  C8  team_a rep1  CNY  70,000  2026-09-30 active        → Q3 (trends: September)
  C9  dept_b rep_b USD   1,000  2025-06-01 active        → only its receivable matters
  C10 team_a rep1  CNY 200,000  2025-10-15 completed     → a year earlier (trends: YoY)
Payments: P1 team_a rep1 CNY 60,000 2026-10-25; P2 team_a rep2 CNY 20,000 2026-11-10
  reversed (never counted); P3 dept_b rep_b HKD 50,000 2026-11-08 (×0.91 = 45,500.00);
  P4 dept_a CNY 10,000 2026-12-02.
Accounts created: A1 team_a rep1 2026-10-03; A2 team_a rep2 2026-11-11; A3 dept_b rep_b
  2026-12-01; A4 team_a rep1 2026-09-15; A5 team_a 2026-09-30 20:00 UTC (already October 1
  in Beijing, but bounds are UTC: September). The accounts deals hang on were created in 2025.
Deals (created → closed, UTC 04:00 both, so cycles are whole days):
  O1 team_a rep1 won  CNY  80,000  2026-09-01 → 2026-10-11   40 days
  O2 team_a rep2 won  CNY  40,000  2026-10-01 → 2026-11-20   50 days
  O3 team_a rep1 lost CNY  30,000  closed 2026-11-02
  O4 dept_b rep_b won HKD 100,000  2026-08-01 → 2026-11-09  100 days, ×0.91 = 91,000.00
  O5 dept_b rep_b lost HKD 20,000  closed 2026-10-15
  O6 dept_b rep_b won HKD  10,000  2026-11-05 → 2026-12-05   30 days, Dec rate missing
  O7 team_a rep1 won  CNY  60,000  closed 2026-09-20 (Q3)
  Open: O8 team_a rep1 proposal (50 %) CNY 100,000 expected 2026-12-20, in stage since
  2026-11-01 (stalled: 44 days > 20); O9 team_a rep2 closing (80 %) CNY 25,000 expected
  2026-12-31; O10 dept_b rep_b prospect (10 %) HKD 300,000 expected 2026-12-10, in stage
  since 2026-12-10 (5 days, not stalled); O11 team_a rep1 prospect CNY 10,000 expected
  2027-01-15 (outside the period), in stage since 2026-11-20 (25 days > 10: stalled).
Installments (outstanding at 2026-12-15):
  I1 C1 due 2026-11-30 30,000 paid 10,000 → 20,000 d1_30 (15 days)
  I2 C1 due 2027-01-31 70,000             → 70,000 not_due
  I3 C4 due 2026-08-31 HKD 100,000        → d91_180 (106 days), ×0.90 = 90,000.00
  I4 C3 due 2026-06-01 5,000              → over_180 (197 days)
  I5 C5 due 2027-03-01 HKD 100,000        → not_due, ×0.90 = 90,000.00
  I6 C9 due 2026-12-01 USD 1,000          → d1_30, no USD rate: missing, left out
Activities (through the ORM, so the monthly roll-up is maintained): rep1 3 in October and
  2 in November, rep2 1 in December, rep_b 4 in November, rep1 1 in September.
Targets (2026-Q4): group contract_amount 500,000; sub_a contract_amount 150,000; sub_b
  contract_amount 400,000; sub_a won_deals 4; sub_a new_customers 0; rep1 (in team_a)
  contract_amount 80,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from flotilla.models.analytics import Target
from flotilla.models.customer import Account
from flotilla.models.identity import User
from flotilla.models.ltc import Contract
from flotilla.models.org import OrgUnit
from flotilla.models.sales import Opportunity, ProcessVersion
from tests.fixtures.contract import make_contract, make_fx_rate, make_plan
from tests.fixtures.factories import World, make_user, make_world
from tests.fixtures.process import SIMPLE_STAGES, latest_version, make_opportunity, make_template
from tests.fixtures.receivable import make_payment
from tests.fixtures.sales import make_account, make_activity

TODAY = date(2026, 12, 15)
NOW = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
LONG_AGO = datetime(2025, 1, 15, 4, 0, tzinfo=UTC)


def at(day: str, hour: int = 4) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Dataset:
    world: World
    vp: User
    director_a: User
    director_b: User
    manager_a: User
    rep1: User
    rep2: User
    rep_b: User
    contracts: dict[str, Contract]
    deals: dict[str, Opportunity]


def make_deal(
    db: Session,
    unit: OrgUnit,
    owner: User | None,
    version: ProcessVersion,
    account: Account,
    *,
    stage: str,
    amount: str,
    currency: str = "CNY",
    created: datetime,
    closed: datetime | None = None,
    entered: datetime | None = None,
    expected_close_date: date | None = None,
) -> Opportunity:
    deal = make_opportunity(
        db,
        unit,
        owner,
        version=version,
        account=account,
        stage_code=stage,
        amount=amount,
        expected_close_date=expected_close_date,
    )
    deal.currency = currency
    deal.created_at = created
    deal.closed_at = closed
    deal.stage_entered_at = entered or closed or created
    db.flush()
    return deal


def target(
    db: Session,
    unit: OrgUnit,
    metric: str,
    value: str,
    *,
    person: User | None = None,
    money: bool = True,
) -> Target:
    row = Target(
        metric=metric,
        period_kind="quarter",
        period_start=date(2026, 10, 1),
        unit_id=unit.id,
        subsidiary_id=unit.subsidiary_id or unit.id,
        owner_id=person.id if person else None,
        assignee_user_id=person.id if person else None,
        assignee_key=person.id.hex if person else "",
        value=Decimal(value),
        currency="CNY" if money else None,
    )
    db.add(row)
    db.flush()
    return row


def make_dataset(db: Session) -> Dataset:
    world = make_world(db)
    w = world
    vp = make_user(db, w.group, "group_sales_vp", username="vp")
    director_a = make_user(db, w.sub_a, "sales_director", username="director_a")
    director_b = make_user(db, w.sub_b, "sales_director", username="director_b")
    manager_a = make_user(db, w.dept_a, "sales_manager", username="manager_a")
    rep1 = make_user(db, w.team_a, "sales_rep", username="rep1")
    rep2 = make_user(db, w.team_a, "sales_rep", username="rep2")
    rep_b = make_user(db, w.dept_b, "sales_rep", username="rep_b")

    make_fx_rate(db, "HKD", "CNY", date(2026, 10, 1), "0.92")
    make_fx_rate(db, "HKD", "CNY", date(2026, 11, 1), "0.91")
    make_fx_rate(db, "HKD", "CNY", date(2026, 12, 1), "0.90", "period_end")

    # The customers deals and contracts hang on are old: they are no new customers.
    old_a = make_account(db, w.team_a, owner=rep1, created_at=LONG_AGO)
    old_dept_a = make_account(db, w.dept_a, created_at=LONG_AGO)
    old_b = make_account(db, w.dept_b, owner=rep_b, created_at=LONG_AGO)

    contracts = {
        "C1": make_contract(
            db,
            w.team_a,
            rep1,
            account=old_a,
            amount="100000",
            status="active",
            signing_date=date(2026, 10, 10),
        ),
        "C2": make_contract(
            db,
            w.team_a,
            rep2,
            account=old_a,
            amount="50000",
            status="signed",
            signing_date=date(2026, 11, 5),
        ),
        "C3": make_contract(
            db,
            w.dept_a,
            None,
            account=old_dept_a,
            amount="30000",
            status="completed",
            signing_date=date(2026, 11, 15),
        ),
        "C4": make_contract(
            db,
            w.dept_b,
            rep_b,
            account=old_b,
            amount="200000",
            currency="HKD",
            status="active",
            signing_date=date(2026, 10, 20),
        ),
        "C5": make_contract(
            db,
            w.dept_b,
            rep_b,
            account=old_b,
            amount="100000",
            currency="HKD",
            status="signed",
            signing_date=date(2026, 12, 3),
        ),
        "C6": make_contract(
            db,
            w.team_a,
            rep1,
            account=old_a,
            amount="40000",
            status="terminated",
            signing_date=date(2026, 10, 12),
        ),
        "C7": make_contract(db, w.team_a, rep1, account=old_a, amount="999", status="draft"),
        "C8": make_contract(
            db,
            w.team_a,
            rep1,
            account=old_a,
            amount="70000",
            status="active",
            signing_date=date(2026, 9, 30),
        ),
        "C9": make_contract(
            db,
            w.dept_b,
            rep_b,
            account=old_b,
            amount="1000",
            currency="USD",
            status="active",
            signing_date=date(2025, 6, 1),
        ),
        "C10": make_contract(
            db,
            w.team_a,
            rep1,
            account=old_a,
            amount="200000",
            status="completed",
            signing_date=date(2025, 10, 15),
        ),
    }
    c = contracts
    make_plan(
        db,
        c["C1"],
        [("首款", date(2026, 11, 30), "30000"), ("尾款", date(2027, 1, 31), "70000")],
        paid=["10000"],
    )
    make_plan(db, c["C4"], [("首款", date(2026, 8, 31), "100000")])
    make_plan(db, c["C3"], [("尾款", date(2026, 6, 1), "5000")])
    make_plan(db, c["C5"], [("首款", date(2027, 3, 1), "100000")])
    make_plan(db, c["C9"], [("首款", date(2026, 12, 1), "1000")])

    make_payment(
        db, old_a, unit=w.team_a, owner=rep1, amount="60000", received_on=date(2026, 10, 25)
    )
    reversed_payment = make_payment(
        db, old_a, unit=w.team_a, owner=rep2, amount="20000", received_on=date(2026, 11, 10)
    )
    reversed_payment.status = "reversed"
    make_payment(
        db,
        old_b,
        unit=w.dept_b,
        owner=rep_b,
        amount="50000",
        currency="HKD",
        received_on=date(2026, 11, 8),
    )
    make_payment(db, old_dept_a, unit=w.dept_a, amount="10000", received_on=date(2026, 12, 2))

    make_account(db, w.team_a, owner=rep1, created_at=at("2026-10-03"))
    make_account(db, w.team_a, owner=rep2, created_at=at("2026-11-11"))
    make_account(db, w.dept_b, owner=rep_b, created_at=at("2026-12-01"))
    make_account(db, w.team_a, owner=rep1, created_at=at("2026-09-15"))
    make_account(db, w.team_a, created_at=at("2026-09-30", hour=20))

    version = latest_version(db, make_template(db, SIMPLE_STAGES))
    deals = {
        "O1": make_deal(
            db,
            w.team_a,
            rep1,
            version,
            old_a,
            stage="won",
            amount="80000",
            created=at("2026-09-01"),
            closed=at("2026-10-11"),
        ),
        "O2": make_deal(
            db,
            w.team_a,
            rep2,
            version,
            old_a,
            stage="won",
            amount="40000",
            created=at("2026-10-01"),
            closed=at("2026-11-20"),
        ),
        "O3": make_deal(
            db,
            w.team_a,
            rep1,
            version,
            old_a,
            stage="lost",
            amount="30000",
            created=at("2026-09-01"),
            closed=at("2026-11-02"),
        ),
        "O4": make_deal(
            db,
            w.dept_b,
            rep_b,
            version,
            old_b,
            stage="won",
            amount="100000",
            currency="HKD",
            created=at("2026-08-01"),
            closed=at("2026-11-09"),
        ),
        "O5": make_deal(
            db,
            w.dept_b,
            rep_b,
            version,
            old_b,
            stage="lost",
            amount="20000",
            currency="HKD",
            created=at("2026-08-01"),
            closed=at("2026-10-15"),
        ),
        "O6": make_deal(
            db,
            w.dept_b,
            rep_b,
            version,
            old_b,
            stage="won",
            amount="10000",
            currency="HKD",
            created=at("2026-11-05"),
            closed=at("2026-12-05"),
        ),
        "O7": make_deal(
            db,
            w.team_a,
            rep1,
            version,
            old_a,
            stage="won",
            amount="60000",
            created=at("2026-08-01"),
            closed=at("2026-09-20"),
        ),
        "O8": make_deal(
            db,
            w.team_a,
            rep1,
            version,
            old_a,
            stage="proposal",
            amount="100000",
            created=at("2026-10-01"),
            entered=at("2026-11-01"),
            expected_close_date=date(2026, 12, 20),
        ),
        "O9": make_deal(
            db,
            w.team_a,
            rep2,
            version,
            old_a,
            stage="closing",
            amount="25000",
            created=at("2026-10-01"),
            entered=at("2026-12-01"),
            expected_close_date=date(2026, 12, 31),
        ),
        "O10": make_deal(
            db,
            w.dept_b,
            rep_b,
            version,
            old_b,
            stage="prospect",
            amount="300000",
            currency="HKD",
            created=at("2026-12-10"),
            entered=at("2026-12-10"),
            expected_close_date=date(2026, 12, 10),
        ),
        "O11": make_deal(
            db,
            w.team_a,
            rep1,
            version,
            old_a,
            stage="prospect",
            amount="10000",
            created=at("2026-11-20"),
            entered=at("2026-11-20"),
            expected_close_date=date(2027, 1, 15),
        ),
    }

    for day in ("2026-10-05", "2026-10-06", "2026-10-07", "2026-11-03", "2026-11-04"):
        make_activity(db, w.team_a, owner=rep1, occurred_at=at(day))
    make_activity(db, w.team_a, owner=rep2, occurred_at=at("2026-12-01"))
    for day in ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"):
        make_activity(db, w.dept_b, owner=rep_b, occurred_at=at(day))
    make_activity(db, w.team_a, owner=rep1, occurred_at=at("2026-09-10"))

    target(db, w.group, "contract_amount", "500000")
    target(db, w.sub_a, "contract_amount", "150000")
    target(db, w.sub_b, "contract_amount", "400000")
    target(db, w.sub_a, "won_deals", "4", money=False)
    target(db, w.sub_a, "new_customers", "0", money=False)
    target(db, w.team_a, "contract_amount", "80000", person=rep1)
    db.commit()
    return Dataset(
        world=world,
        vp=vp,
        director_a=director_a,
        director_b=director_b,
        manager_a=manager_a,
        rep1=rep1,
        rep2=rep2,
        rep_b=rep_b,
        contracts=contracts,
        deals=deals,
    )
