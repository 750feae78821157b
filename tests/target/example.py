"""The worked example the target tests share: fiscal quarter 2026-Q2 (April–June 2026, the
fiscal year starting in January), contract-amount targets from the group down to reps, and
the contracts they are measured against.

    group (CNY) ── 甲子公司 sub_a (CNY) ── 甲大客户部 dept_a ── 甲一组 team_a
               │                       └─ 甲渠道部 dept_a2 (no target)
               └─ 乙子公司 sub_b (HKD) ── 乙大客户部 dept_b

Contracts in force (signed):
    C1  team_a, rep1   ¥120,000.00           2026-04-10
    C2  dept_a, rep2   ¥30,000.00            2026-05-20
    C3  dept_b, rep_b  HK$100,000.00         2026-05-05  average HKD→CNY 2026-05 = 0.92
                                                         → ¥92,000.00
    C5  dept_b, rep_b  HK$10,000.00          2026-06-15  no June rate: left out, reported
Not counted: C4 sub_a ¥50,000.00 signed 2026-07-01 (next quarter); C6 team_a ¥999.00 dated
2026-04-11 but still a draft. (A period-end May rate of 0.50 is on file and must not be used.)

Targets (contract amount, 2026-Q2) and what they achieve:
    group   ¥300,000.00  actual 120,000 + 30,000 + 92,000 = ¥242,000.00  ratio 0.8067
    sub_a   ¥200,000.00  actual 120,000 + 30,000 = ¥150,000.00           ratio 0.7500  rank 2
    sub_b   ¥80,000.00   actual ¥92,000.00                               ratio 1.1500  rank 1
    dept_a  ¥150,000.00  actual ¥150,000.00                              ratio 1.0000  rank 1
    team_a  ¥100,000.00  actual ¥120,000.00                              ratio 1.2000  rank 1
    rep2 in dept_a  ¥40,000.00  actual ¥30,000.00 (C2)                   ratio 0.7500  rank 1
    rep3 in dept_a  ¥10,000.00  actual ¥0.00                             ratio 0.0000  rank 2
    rep1 in team_a  ¥0.00       actual ¥120,000.00 (C1)                  ratio null    rank null
New customers (2026-Q2) in team_a: target 4; accounts created 2026-04-02 and 2026-06-30 23:00
UTC count, one created 2026-07-01 00:00 UTC does not → actual 2, ratio 0.5000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from flotilla.models.analytics import Target
from flotilla.models.identity import User
from flotilla.models.org import OrgUnit
from tests.fixtures.factories import World, make_unit, make_user, make_world
from tests.fixtures.receivable import make_rate
from tests.fixtures.sales import make_account
from tests.fixtures.target import make_target, signed_contract

PERIOD = "2026-Q2"
Q2 = date(2026, 4, 1)


@dataclass
class Example:
    world: World
    dept_a2: OrgUnit
    rep1: User
    rep2: User
    rep3: User
    rep_b: User
    group: Target
    sub_a: Target
    sub_b: Target
    dept_a: Target
    team_a: Target
    rep1_target: Target
    rep2_target: Target
    rep3_target: Target
    new_customers: Target


def build_example(db: Session) -> Example:
    world = make_world(db)
    dept_a2 = make_unit(db, world.sub_a, "department", "甲渠道部", code="A-CH")
    rep1 = make_user(db, world.team_a, "sales_rep")
    rep2 = make_user(db, world.dept_a, "sales_rep")
    rep3 = make_user(db, world.dept_a, "sales_rep")
    rep_b = make_user(db, world.dept_b, "sales_rep")

    signed_contract(db, world.team_a, "120000.00", date(2026, 4, 10), owner=rep1)
    signed_contract(db, world.dept_a, "30000.00", date(2026, 5, 20), owner=rep2)
    signed_contract(db, world.dept_b, "100000.00", date(2026, 5, 5), owner=rep_b, currency="HKD")
    signed_contract(db, world.dept_b, "10000.00", date(2026, 6, 15), owner=rep_b, currency="HKD")
    signed_contract(db, world.sub_a, "50000.00", date(2026, 7, 1))
    signed_contract(db, world.team_a, "999.00", date(2026, 4, 11), owner=rep1, status="draft")
    make_rate(db, "HKD", "CNY", date(2026, 5, 1), "0.92", rate_type="average")
    make_rate(db, "HKD", "CNY", date(2026, 5, 1), "0.50", rate_type="period_end")

    for created in (
        datetime(2026, 4, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 0, 0, tzinfo=UTC),
    ):
        make_account(db, world.team_a, owner=rep1, created_at=created)

    example = Example(
        world=world,
        dept_a2=dept_a2,
        rep1=rep1,
        rep2=rep2,
        rep3=rep3,
        rep_b=rep_b,
        group=make_target(db, world.group, "300000.00"),
        sub_a=make_target(db, world.sub_a, "200000.00"),
        sub_b=make_target(db, world.sub_b, "80000.00"),
        dept_a=make_target(db, world.dept_a, "150000.00"),
        team_a=make_target(db, world.team_a, "100000.00"),
        rep1_target=make_target(db, world.team_a, "0.00", assignee=rep1),
        rep2_target=make_target(db, world.dept_a, "40000.00", assignee=rep2),
        rep3_target=make_target(db, world.dept_a, "10000.00", assignee=rep3),
        new_customers=make_target(db, world.team_a, "4", metric="new_customers"),
    )
    db.commit()
    return example
