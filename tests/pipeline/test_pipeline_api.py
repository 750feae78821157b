"""The pipeline on a date and its waterfall, through the API, on the fixed story of
``tests/pipeline/story.py`` (every figure worked out by hand in the comments)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock
from flotilla.models.audit import AuditEvent
from flotilla.models.identity import Role, RoleGrant
from tests.fixtures.factories import as_user, login, make_user
from tests.fixtures.process import add_member
from tests.pipeline.story import D1, D2, D3, NOW, Story, make_story

PIPELINE = "/api/v1/analytics/pipeline"
ROWS = "/api/v1/analytics/pipeline/rows"
CHANGES = "/api/v1/analytics/pipeline-changes"


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    with clock.frozen_at(NOW):
        response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def figures(rows: list[dict[str, Any]], key: str) -> dict[str, tuple[int, str, str]]:
    return {row[key]: (row["count"], row["amount"], row["weighted_amount"]) for row in rows}


def steps(body: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {step["code"]: (step["count"], step["amount"]) for step in body["steps"]}


def movements(body: dict[str, Any]) -> dict[str, int]:
    return {m["code"]: m["count"] for m in body["movements"]}


def assert_adds_up(body: dict[str, Any]) -> None:
    total = Decimal(0)
    for step in body["steps"]:
        if step["code"] == "closing":
            assert total == Decimal(step["amount"])
        elif step["code"] == "opening":
            total = Decimal(step["amount"])
        else:
            total += step["sign"] * Decimal(step["amount"])


@pytest.fixture
def story(db: Session) -> Story:
    return make_story(db)


def _vp(client: TestClient, db: Session, story: Story) -> dict[str, str]:
    return as_user(client, db, story.world.group, "group_sales_vp")[1]


def _director_a(client: TestClient, db: Session, story: Story) -> dict[str, str]:
    return as_user(client, db, story.world.sub_a, "sales_director")[1]


# --- the pipeline on a date -----------------------------------------------------------------


def test_the_group_pipeline_on_the_first_monday(
    client: TestClient, db: Session, story: Story
) -> None:
    body = get(client, PIPELINE, _vp(client, db, story), date=D1.isoformat())

    # CNY: A1 100,000 (w 10,000) + A2 200,000 (w 100,000) + A3 50,000 (w 40,000)
    #      + A4 30,000 (w 15,000) = 380,000 (w 165,000)
    # HKD at 0.90: B1 80,000 → 72,000 (w 7,200) + B2 40,000 → 36,000 (w 28,800)
    assert body["unit"]["id"] == str(story.world.group.id)
    assert (body["date"], body["currency"]) == ("2026-03-02", "CNY")
    assert (body["rate_type"], body["rate_period"]) == ("period_end", "2026-03")
    assert body["snapshot_available"] is True
    assert body["as_of"] == "2026-03-02"
    totals = body["totals"]
    assert (totals["count"], totals["amount"], totals["weighted_amount"]) == (
        6,
        "488000.00",
        "201000.00",
    )
    assert [s["stage_code"] for s in body["by_stage"]] == ["prospect", "proposal", "closing"]
    assert figures(body["by_stage"], "stage_code") == {
        "prospect": (2, "172000.00", "17200.00"),  # A1 + B1
        "proposal": (2, "230000.00", "115000.00"),  # A2 + A4
        "closing": (2, "86000.00", "68800.00"),  # A3 + B2
    }
    assert [c["forecast_category"] for c in body["by_forecast_category"]] == [
        "pipeline",
        "best_case",
        "commit",
    ]
    assert figures(body["by_forecast_category"], "forecast_category") == {
        "pipeline": (3, "202000.00", "32200.00"),  # A1 + A4 + B1
        "best_case": (1, "50000.00", "40000.00"),  # A3
        "commit": (2, "236000.00", "128800.00"),  # A2 + B2
    }
    assert figures(body["by_unit"], "unit_name") == {
        "甲子公司": (4, "380000.00", "165000.00"),
        "乙子公司": (2, "108000.00", "36000.00"),
    }
    assert [(r["currency"], Decimal(r["rate"])) for r in body["rates"]] == [("HKD", Decimal("0.9"))]
    assert body["missing_rates"] == []
    assert body["totals"]["drill"] == {
        "resource": "pipeline-snapshot-rows",
        "query": {"unit_id": str(story.world.group.id), "date": "2026-03-02"},
    }
    assert body["by_stage"][0]["drill"]["query"] == {
        "unit_id": str(story.world.group.id),
        "date": "2026-03-02",
        "stage_code": "prospect",
    }


def test_a_director_gets_the_vps_figures_for_their_subsidiary(
    client: TestClient, db: Session, story: Story
) -> None:
    vp = get(
        client,
        PIPELINE,
        _vp(client, db, story),
        date=D1.isoformat(),
        unit_id=str(story.world.sub_a.id),
    )
    director = get(client, PIPELINE, _director_a(client, db, story), date=D1.isoformat())

    assert director == vp
    assert director["unit"]["id"] == str(story.world.sub_a.id)
    assert (director["totals"]["amount"], director["totals"]["weighted_amount"]) == (
        "380000.00",
        "165000.00",
    )
    # Department A holds A1 and A2 (its team) and A3; A4 sits on the subsidiary itself.
    assert [(u["unit_name"], u["direct"]) for u in director["by_unit"]] == [
        ("甲大客户部", False),
        ("甲子公司", True),
    ]
    assert figures(director["by_unit"], "unit_name") == {
        "甲大客户部": (3, "350000.00", "150000.00"),
        "甲子公司": (1, "30000.00", "15000.00"),
    }
    assert director["by_unit"][1]["drill"]["query"] == {
        "unit_id": str(story.world.sub_a.id),
        "date": "2026-03-02",
        "include_children": False,
    }


def test_a_director_asking_for_the_sibling_subsidiary_gets_404(
    client: TestClient, db: Session, story: Story
) -> None:
    headers = _director_a(client, db, story)
    sibling = str(story.world.sub_b.id)
    with clock.frozen_at(NOW):
        answers = [
            client.get(PIPELINE, params={"unit_id": sibling}, headers=headers),
            client.get(CHANGES, params={"unit_id": sibling}, headers=headers),
            client.get(ROWS, params={"unit_id": sibling}, headers=headers),
        ]
    assert [a.status_code for a in answers] == [404, 404, 404]


def test_a_rep_with_own_scope_has_no_unit_reports(
    client: TestClient, db: Session, story: Story
) -> None:
    db.commit()
    headers = login(client, story.rep_a)
    team = str(story.world.team_a.id)
    with clock.frozen_at(NOW):
        answers = [
            client.get(PIPELINE, headers=headers),
            client.get(PIPELINE, params={"unit_id": team}, headers=headers),
            client.get(CHANGES, params={"unit_id": team}, headers=headers),
            client.get(ROWS, params={"unit_id": team}, headers=headers),
        ]
    # "Own" opens records, not units (the rule of every analytic).
    assert [a.status_code for a in answers] == [404, 404, 404, 404]


def test_own_and_team_member_deals_add_only_those_deals_to_a_unit_report(
    client: TestClient, db: Session, story: Story
) -> None:
    role = Role(
        code="dept_analyst",
        name="部门分析员",
        data_scope="unit",
        permissions=["analytics.read", "opportunity.read"],
    )
    db.add(role)
    analyst = make_user(db, story.world.dept_a)
    db.add(RoleGrant(user_id=analyst.id, role_id=role.id, unit_id=story.world.dept_a.id))
    add_member(db, story.deals["A1"], analyst)
    db.commit()
    headers = login(client, analyst)

    body = get(client, PIPELINE, headers, date=D1.isoformat())
    rows = get(client, ROWS, headers, date=D1.isoformat())

    # The unit grant reaches department A itself (A3); A1 in its team only because the
    # analyst is on A1's team; A2 (same team) stays out. 50,000 + 100,000; w 40,000 + 10,000.
    assert body["unit"]["id"] == str(story.world.dept_a.id)
    assert (body["totals"]["count"], body["totals"]["amount"]) == (2, "150000.00")
    assert body["totals"]["weighted_amount"] == "50000.00"
    # The team is not a unit the analyst sees: its deal counts in the total, names no row.
    assert figures(body["by_unit"], "unit_name") == {"甲大客户部": (1, "50000.00", "40000.00")}
    assert sorted(r["name"] for r in rows["items"]) == sorted(
        [story.deals["A1"].name, story.deals["A3"].name]
    )
    with clock.frozen_at(NOW):
        team = client.get(PIPELINE, params={"unit_id": str(story.world.team_a.id)}, headers=headers)
    assert team.status_code == 404


def test_the_pipeline_on_a_later_day_uses_the_versions_valid_then(
    client: TestClient, db: Session, story: Story
) -> None:
    headers = _vp(client, db, story)

    on_d2 = get(client, PIPELINE, headers, date=D2.isoformat())
    between = get(client, PIPELINE, headers, date="2026-03-20")
    today = get(client, PIPELINE, headers)

    # D2: A1 120,000 (w 60,000), A2 200,000 (w 100,000), A4 30,000 (w 15,000, now in
    # subsidiary B), A5 10,000 (w 1,000), B1 70,000 HKD × 0.90 = 63,000 (w 6,300).
    assert (on_d2["totals"]["count"], on_d2["totals"]["amount"]) == (5, "423000.00")
    assert on_d2["totals"]["weighted_amount"] == "182300.00"
    assert figures(on_d2["by_unit"], "unit_name") == {
        "甲子公司": (3, "330000.00", "161000.00"),
        "乙子公司": (2, "93000.00", "21300.00"),
    }
    assert between["totals"] == {**on_d2["totals"], "drill": between["totals"]["drill"]}
    assert between["as_of"] == "2026-03-09"
    # Today (7 April): the D3 versions at April rates; B1 is now 63,000 CNY, A2 is back in
    # prospect at 180,000 (w 18,000): 120,000 + 180,000 + 30,000 + 63,000 + 10,000.
    assert today["date"] == "2026-04-07"
    assert (today["totals"]["count"], today["totals"]["amount"]) == (5, "403000.00")
    assert today["totals"]["weighted_amount"] == "100300.00"
    assert today["rate_period"] == "2026-04"
    assert today["rates"] == []


def test_before_the_first_snapshot_there_is_no_pipeline(
    client: TestClient, db: Session, story: Story
) -> None:
    body = get(client, PIPELINE, _vp(client, db, story), date="2026-02-27")

    assert body["snapshot_available"] is False
    assert body["as_of"] is None
    assert (body["totals"]["count"], body["totals"]["amount"]) == (0, "0.00")
    assert body["by_stage"] == []


def test_a_missing_rate_is_listed_and_left_out_never_taken_as_one(
    client: TestClient, db: Session
) -> None:
    story = make_story(db, march_hkd_rate=False)
    body = get(client, PIPELINE, _vp(client, db, story), date=D1.isoformat())

    # The HKD deals still count, but only the CNY amounts are summed (the March *average*
    # rate on file is not a period-end rate).
    assert (body["totals"]["count"], body["totals"]["amount"]) == (6, "380000.00")
    assert body["totals"]["weighted_amount"] == "165000.00"
    assert body["missing_rates"] == [
        {
            "from_currency": "HKD",
            "to_currency": "CNY",
            "period": "2026-03",
            "rate_type": "period_end",
        }
    ]
    assert body["rates"] == []


def test_another_report_currency_converts_through_the_inverse_rate(
    client: TestClient, db: Session, story: Story
) -> None:
    body = get(client, PIPELINE, _vp(client, db, story), date=D1.isoformat(), currency="hkd")

    # CNY→HKD = 1 / 0.90 = 1.11111111 (8 places): 380,000 × 1.11111111 = 422,222.2218
    # → 422,222.22 plus the HKD deals 120,000 as they are.
    assert body["currency"] == "HKD"
    assert body["totals"]["amount"] == "542222.22"


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("zh-CN", "日期 2026-04-08 晚于今天（2026-04-07），还没有这一天的管道"),
        ("en-US", "2026-04-08 is after today (2026-04-07): there is no pipeline for that day yet"),
    ],
)
def test_a_future_date_is_refused(
    client: TestClient, db: Session, story: Story, locale: str, message: str
) -> None:
    headers = {**_vp(client, db, story), "Accept-Language": locale}
    with clock.frozen_at(NOW):
        response = client.get(PIPELINE, params={"date": "2026-04-08"}, headers=headers)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "pipeline_date_in_future"
    assert error["fields"] == [
        {"field": "date", "code": "pipeline_date_in_future", "message": message}
    ]


def test_callers_without_a_login_or_the_permission_are_refused(
    client: TestClient, db: Session, story: Story
) -> None:
    _admin, headers = as_user(client, db, story.world.sub_a, "subsidiary_admin")
    with clock.frozen_at(NOW):
        anonymous = client.get(PIPELINE)
        no_permission = client.get(PIPELINE, headers=headers)
        bad_currency = client.get(PIPELINE, params={"currency": "RMB1"}, headers=headers)

    assert anonymous.status_code == 401
    assert no_permission.status_code == 403
    assert bad_currency.status_code == 422


# --- the waterfall --------------------------------------------------------------------------


def test_the_group_waterfall_between_the_first_two_mondays(
    client: TestClient, db: Session, story: Story
) -> None:
    body = get(
        client, CHANGES, _vp(client, db, story), **{"from": D1.isoformat(), "to": D2.isoformat()}
    )

    # One rate for both sides: HKD 0.90 (period end of March, the month of `to`).
    assert (body["from"], body["to"], body["rate_period"]) == (
        "2026-03-02",
        "2026-03-09",
        "2026-03",
    )
    assert steps(body) == {
        "opening": (6, "488000.00"),
        "new": (1, "10000.00"),  # A5
        "amount_increased": (1, "20000.00"),  # A1 100,000 → 120,000
        "amount_decreased": (1, "9000.00"),  # B1 80,000 → 70,000 HKD
        "won": (1, "50000.00"),  # A3
        "lost": (1, "36000.00"),  # B2 40,000 HKD
        "other_removed": (0, "0.00"),  # A4 moved within the group: still open
        "closing": (5, "423000.00"),
    }
    assert [s["sign"] for s in body["steps"]] == [0, 1, 1, -1, -1, -1, -1, 0]
    assert movements(body) == {"advanced": 1, "moved_back": 0, "slipped": 1, "pulled_in": 1}
    assert_adds_up(body)
    assert body["steps"][1]["drill"]["query"] == {
        "unit_id": str(story.world.group.id),
        "date": "2026-03-09",
        "from": "2026-03-02",
        "change": "new",
    }


def test_a_deal_moved_out_of_the_subsidiary_is_other_removed(
    client: TestClient, db: Session, story: Story
) -> None:
    window = {"from": D1.isoformat(), "to": D2.isoformat()}
    director = get(client, CHANGES, _director_a(client, db, story), **window)
    vp = get(client, CHANGES, _vp(client, db, story), unit_id=str(story.world.sub_a.id), **window)

    assert director == vp
    assert steps(director) == {
        "opening": (4, "380000.00"),  # A1 + A2 + A3 + A4
        "new": (1, "10000.00"),  # A5
        "amount_increased": (1, "20000.00"),  # A1
        "amount_decreased": (0, "0.00"),
        "won": (1, "50000.00"),  # A3
        "lost": (0, "0.00"),
        "other_removed": (1, "30000.00"),  # A4, now in subsidiary B
        "closing": (3, "330000.00"),  # A1 120,000 + A2 200,000 + A5 10,000
    }
    assert_adds_up(director)


def test_a_deal_re_quoted_in_another_currency_changes_by_its_converted_amounts(
    client: TestClient, db: Session, story: Story
) -> None:
    body = get(
        client, CHANGES, _vp(client, db, story), **{"from": D2.isoformat(), "to": D3.isoformat()}
    )

    # April rate 0.92 for both sides. Opening: 120,000 + 200,000 + 30,000 + 10,000 + B1
    # 70,000 HKD × 0.92 = 64,400 → 424,400. A2 200,000 → 180,000 and B1 64,400 → 63,000 CNY.
    assert steps(body) == {
        "opening": (5, "424400.00"),
        "new": (0, "0.00"),
        "amount_increased": (0, "0.00"),
        "amount_decreased": (2, "21400.00"),
        "won": (0, "0.00"),
        "lost": (0, "0.00"),
        "other_removed": (0, "0.00"),
        "closing": (5, "403000.00"),
    }
    assert movements(body) == {"advanced": 0, "moved_back": 1, "slipped": 0, "pulled_in": 0}
    assert [(r["currency"], Decimal(r["rate"])) for r in body["rates"]] == [
        ("HKD", Decimal("0.92"))
    ]
    assert_adds_up(body)


def test_a_waterfall_needs_from_before_to_and_to_not_in_the_future(
    client: TestClient, db: Session, story: Story
) -> None:
    headers = _vp(client, db, story)
    with clock.frozen_at(NOW):
        same_day = client.get(
            CHANGES, params={"from": "2026-03-09", "to": "2026-03-09"}, headers=headers
        )
        future = client.get(
            CHANGES, params={"from": "2026-03-09", "to": "2026-04-08"}, headers=headers
        )
        default = client.get(CHANGES, headers=headers)

    assert same_day.status_code == 422
    assert same_day.json()["error"]["code"] == "pipeline_range_invalid"
    assert future.status_code == 422
    assert future.json()["error"]["fields"][0]["field"] == "to"
    assert default.status_code == 200
    assert (default.json()["from"], default.json()["to"]) == ("2026-03-08", "2026-04-07")


# --- drilling to the rows -------------------------------------------------------------------


def _names(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["name"], r["amount"], r["currency"]) for r in body["items"]]


def test_every_figure_drills_to_the_deals_behind_it(
    client: TestClient, db: Session, story: Story
) -> None:
    headers = _vp(client, db, story)
    deals = story.deals
    pipeline = get(client, PIPELINE, headers, date=D1.isoformat())
    prospect = get(client, ROWS, headers, **pipeline["by_stage"][0]["drill"]["query"])
    direct = get(
        client,
        ROWS,
        headers,
        date=D1.isoformat(),
        unit_id=str(story.world.sub_a.id),
        include_children="false",
    )
    waterfall = get(
        client,
        CHANGES,
        _director_a(client, db, story),
        **{"from": D1.isoformat(), "to": D2.isoformat()},
    )
    by_code = {s["code"]: s["drill"]["query"] for s in waterfall["steps"]}
    removed = get(client, ROWS, headers, **by_code["other_removed"])
    new = get(client, ROWS, headers, **by_code["new"])
    won = get(client, ROWS, headers, **by_code["won"])
    changed = get(client, ROWS, headers, **by_code["amount_increased"])

    assert _names(prospect) == [
        (deals["A1"].name, "100000.00", "CNY"),
        (deals["B1"].name, "80000.00", "HKD"),
    ]
    first = prospect["items"][0]
    assert first["stage"]["code"] == "prospect"
    assert first["owner"] == {"id": str(story.rep_a.id), "name": story.rep_a.display_name}
    assert first["unit"]["id"] == str(story.world.team_a.id)
    assert (first["valid_from"], first["valid_to"]) == ("2026-03-02", "2026-03-09")
    assert _names(direct) == [(deals["A4"].name, "30000.00", "CNY")]
    assert _names(removed) == [(deals["A4"].name, "30000.00", "CNY")]
    assert _names(new) == [(deals["A5"].name, "10000.00", "CNY")]
    assert _names(won) == [(deals["A3"].name, "50000.00", "CNY")]  # its amount on `from`
    assert _names(changed) == [(deals["A1"].name, "120000.00", "CNY")]


def test_the_rows_page_with_a_cursor(client: TestClient, db: Session, story: Story) -> None:
    headers = _vp(client, db, story)
    first = get(client, ROWS, headers, date=D1.isoformat(), limit=4, include_total="true")
    second = get(client, ROWS, headers, date=D1.isoformat(), limit=4, cursor=first["next_cursor"])

    amounts = [r["amount"] for r in first["items"] + second["items"]]
    assert first["total"] == 6
    assert amounts == ["200000.00", "100000.00", "80000.00", "50000.00", "40000.00", "30000.00"]
    assert second["next_cursor"] is None


def test_a_change_drill_needs_from(client: TestClient, db: Session, story: Story) -> None:
    headers = _vp(client, db, story)
    with clock.frozen_at(NOW):
        response = client.get(
            ROWS, params={"date": D2.isoformat(), "change": "new"}, headers=headers
        )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "from"


# --- exports --------------------------------------------------------------------------------


def _workbook(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return load_workbook(BytesIO(response.content))


def test_pipeline_waterfall_and_rows_export_to_xlsx_and_are_audited(
    client: TestClient, db: Session, story: Story
) -> None:
    headers = {**_vp(client, db, story), "Accept-Language": "en-US"}
    window = {"from": D1.isoformat(), "to": D2.isoformat(), "format": "xlsx"}
    with clock.frozen_at(NOW):
        pipeline = _workbook(
            client.get(PIPELINE, params={"date": D1.isoformat(), "format": "xlsx"}, headers=headers)
        )
        waterfall = _workbook(client.get(CHANGES, params=window, headers=headers))
        rows = _workbook(
            client.get(
                ROWS,
                params={"date": D1.isoformat(), "stage_code": "prospect", "format": "xlsx"},
                headers=headers,
            )
        )

    assert pipeline.sheetnames == ["Pipeline", "By stage", "By forecast category", "By unit"]
    stages = [list(r) for r in pipeline["By stage"].iter_rows(values_only=True)]
    assert stages[0] == ["Stage code", "Stage", "Position", "Deals", "Amount", "Weighted amount"]
    assert stages[1][:4] == ["prospect", "初步接触", 1, 2]
    assert Decimal(str(stages[1][4])) == Decimal("172000")
    changes = {
        r[0]: r for r in waterfall["Pipeline changes"].iter_rows(min_row=2, values_only=True)
    }
    assert Decimal(str(changes["closing"][3])) == Decimal("423000")
    assert changes["slipped"][2] == 1
    sheet = rows[rows.sheetnames[0]]
    header = [cell.value for cell in sheet[1]]
    deal_rows = list(sheet.iter_rows(min_row=2, values_only=True))
    name_column = header.index(next(h for h in header if h in ("name", "Name")))
    assert [r[name_column] for r in deal_rows] == [story.deals["A1"].name, story.deals["B1"].name]
    exports = (
        db.execute(
            select(AuditEvent.entity_type)
            .where(AuditEvent.action == "export")
            .order_by(AuditEvent.seq)
        )
        .scalars()
        .all()
    )
    assert exports == ["pipeline", "pipeline-changes", "pipeline-rows"]


def test_an_export_needs_the_export_permission(
    client: TestClient, db: Session, story: Story
) -> None:
    # A sales manager reads the department's pipeline but may not export it.
    _manager, headers = as_user(client, db, story.world.dept_a, "sales_manager")
    with clock.frozen_at(NOW):
        json_answer = client.get(PIPELINE, headers=headers)
        response = client.get(PIPELINE, params={"format": "xlsx"}, headers=headers)
    assert json_answer.status_code == 200
    assert response.status_code == 403
