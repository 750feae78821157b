"""A small, fixed pipeline history for the endpoint tests, snapshotted on three Mondays.

Process SIMPLE_STAGES: prospect (1, 10 %), proposal (2, 50 %), closing (3, 80 %), won, lost.
HKD→CNY period-end rates: March 2026 0.90, April 2026 0.92 (a March *average* rate of 0.95
is on file too and must never be used).

On D1 (2026-03-02), open:
  A1 team A   rep_a          prospect  100,000 CNY  close 04-30  pipeline
  A2 team A   rep_a2 (+rep_a member) proposal 200,000 CNY close 05-31 commit
  A3 dept A   no owner       closing    50,000 CNY  close 04-15  best_case
  A4 sub A    no owner       proposal   30,000 CNY  no close date pipeline
  B1 dept B   rep_b          prospect   80,000 HKD  close 06-30  pipeline
  B2 dept B   rep_b          closing    40,000 HKD  close 04-30  commit
  (W  team A  rep_a  won 60,000 CNY: never in the open pipeline)
Before D2 (2026-03-09): A1 → proposal and 120,000; A3 won; B1 70,000 HKD and close 05-31;
  B2 lost; A4 moved to dept B (subsidiary B); A2 close 06-30; new A5 team A rep_a prospect
  10,000 CNY close 04-30.
Before D3 (2026-04-06): A2 back to prospect and 180,000; B1 re-quoted as 63,000 CNY.
The API is asked on 2026-04-07 10:00 in Beijing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.identity import User
from flotilla.models.sales import Opportunity
from flotilla.pipeline.snapshot import take
from tests.fixtures.factories import World, make_user, make_world
from tests.fixtures.process import add_member, make_opportunity
from tests.fixtures.receivable import make_rate
from tests.pipeline.helpers import Process, make_process, move

D1 = date(2026, 3, 2)
D2 = date(2026, 3, 9)
D3 = date(2026, 4, 6)
NOW = datetime(2026, 4, 7, 2, 0, tzinfo=UTC)


@dataclass
class Story:
    world: World
    process: Process
    rep_a: User
    rep_a2: User
    rep_b: User
    deals: dict[str, Opportunity]


def make_story(db: Session, *, march_hkd_rate: bool = True) -> Story:
    world = make_world(db)
    process = make_process(db)
    rep_a = make_user(db, world.team_a, "sales_rep")
    rep_a2 = make_user(db, world.team_a, "sales_rep")
    rep_b = make_user(db, world.dept_b, "sales_rep")
    if march_hkd_rate:
        make_rate(db, "HKD", "CNY", date(2026, 3, 1), "0.90")
    make_rate(db, "HKD", "CNY", date(2026, 3, 1), "0.95", rate_type="average")
    make_rate(db, "HKD", "CNY", date(2026, 4, 1), "0.92")
    version = process.version

    def deal(
        unit: object, owner: User | None, code: str, amount: str, **fields: object
    ) -> Opportunity:
        return make_opportunity(
            db,
            unit,  # type: ignore[arg-type]
            owner,
            version=version,
            stage_code=code,
            amount=amount,
            **fields,  # type: ignore[arg-type]
        )

    with clock.frozen_at(datetime(2026, 3, 1, 2, 0, tzinfo=UTC)):
        deals = {
            "A1": deal(
                world.team_a, rep_a, "prospect", "100000", expected_close_date=date(2026, 4, 30)
            ),
            "A2": deal(
                world.team_a, rep_a2, "proposal", "200000", expected_close_date=date(2026, 5, 31)
            ),
            "A3": deal(
                world.dept_a, None, "closing", "50000", expected_close_date=date(2026, 4, 15)
            ),
            "A4": deal(world.sub_a, None, "proposal", "30000"),
            "B1": deal(
                world.dept_b, rep_b, "prospect", "80000", expected_close_date=date(2026, 6, 30)
            ),
            "B2": deal(
                world.dept_b, rep_b, "closing", "40000", expected_close_date=date(2026, 4, 30)
            ),
            "W": deal(world.team_a, rep_a, "won", "60000", expected_close_date=date(2026, 2, 27)),
        }
        deals["A2"].forecast_category = "commit"
        deals["A3"].forecast_category = "best_case"
        deals["B2"].forecast_category = "commit"
        for code in ("B1", "B2"):
            deals[code].currency = "HKD"
        add_member(db, deals["A2"], rep_a)
    db.flush()
    take(db, D1)

    moment = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    move(db, deals["A1"], process, "proposal", moment)
    deals["A1"].amount = Decimal("120000")
    move(db, deals["A3"], process, "won", moment)
    deals["B1"].amount = Decimal("70000")
    deals["B1"].expected_close_date = date(2026, 5, 31)
    move(db, deals["B2"], process, "lost", moment)
    deals["A4"].unit_id = world.dept_b.id
    deals["A4"].subsidiary_id = world.sub_b.id
    deals["A2"].expected_close_date = date(2026, 6, 30)
    with clock.frozen_at(moment):
        deals["A5"] = deal(
            world.team_a, rep_a, "prospect", "10000", expected_close_date=date(2026, 4, 30)
        )
    db.flush()
    take(db, D2)

    moment = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    move(db, deals["A2"], process, "prospect", moment)
    deals["A2"].amount = Decimal("180000")
    deals["B1"].currency = "CNY"
    deals["B1"].amount = Decimal("63000")
    db.flush()
    take(db, D3)
    db.commit()
    return Story(world, process, rep_a, rep_a2, rep_b, deals)
