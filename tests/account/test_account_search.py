"""Search (``GET /accounts?q=``): Chinese substrings, full pinyin from a syllable start,
pinyin initials and English words, case-insensitive, always inside the caller's scope,
and answered by an index range on ``account_search_key``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session

from flotilla.account.search import prefix_upper_bound, query_prefixes
from flotilla.models.customer import AccountSearchKey
from tests import conftest as harness
from tests.fixtures.customer import make_account
from tests.fixtures.factories import as_user, make_user, make_world, valid_uscc

ACCOUNTS = "/api/v1/accounts"


def _found(client: TestClient, headers: dict[str, str], q: str) -> set[str]:
    response = client.get(ACCOUNTS, params={"q": q, "limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    "q",
    [
        "华为",  # Chinese, from the start
        "技术有限",  # Chinese, from the middle
        "hwjs",  # pinyin initials
        "HWJS",  # case-insensitive
        "wjs",  # initials from the second syllable
        "huawei",  # full pinyin
        "jishu",  # full pinyin from a syllable start
        "huaweijish",  # full pinyin across syllables, cut mid-syllable
        "Huawei Tech",  # English words (name_en)
        "technologies",  # an English word in the middle
        "ＨＵＡＷＥＩ",  # full-width
    ],
)
def test_search_finds_the_account_by_name_pinyin_initials_and_english(
    client: TestClient, db: Session, q: str
) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    make_account(db, world.team_a, "华为技术有限公司", name_en="Huawei Technologies Co., Ltd.")
    make_account(db, world.team_a, "中兴通讯股份有限公司", name_en="ZTE Corporation")
    db.commit()

    assert _found(client, headers, q) == {"华为技术有限公司"}


@pytest.mark.parametrize("q", ["uawei", "jsh", "三星", "hwx"])
def test_search_does_not_match_mid_syllable_or_unrelated_text(
    client: TestClient, db: Session, q: str
) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    make_account(db, world.team_a, "华为技术有限公司", name_en="Huawei Technologies Co., Ltd.")
    db.commit()

    assert _found(client, headers, q) == set()


def test_a_pasted_uscc_finds_its_account(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    code = valid_uscc(5150)
    make_account(db, world.team_a, "华为技术有限公司", uscc=code)
    make_account(db, world.dept_b, "中兴通讯股份有限公司", uscc=valid_uscc(5151))
    db.commit()

    assert _found(client, headers, f" {code.lower()} ") == {"华为技术有限公司"}
    assert _found(client, headers, valid_uscc(5151)) == set()


def test_search_respects_scope(client: TestClient, db: Session) -> None:
    world = make_world(db)
    rep, rep_headers = as_user(client, db, world.team_a, "sales_rep")
    colleague = make_user(db, world.team_a, "sales_rep")
    _director, director_headers = as_user(client, db, world.sub_a, "sales_director")
    make_account(db, world.team_a, "华为技术有限公司", owner=rep)
    make_account(db, world.team_a, "华为终端有限公司", owner=colleague)
    make_account(db, world.dept_b, "华为数字能源技术有限公司")
    db.commit()

    assert _found(client, rep_headers, "hw") == {"华为技术有限公司"}
    assert _found(client, director_headers, "hw") == {"华为技术有限公司", "华为终端有限公司"}
    total = client.get(
        ACCOUNTS, params={"q": "华为", "include_total": "true"}, headers=director_headers
    ).json()["total"]
    assert total == 2


def test_punctuation_only_search_lists_everything_visible(client: TestClient, db: Session) -> None:
    world = make_world(db)
    _director, headers = as_user(client, db, world.sub_a, "sales_director")
    make_account(db, world.team_a, "华为技术有限公司")
    db.commit()

    assert _found(client, headers, " ,. ") == {"华为技术有限公司"}


def test_search_is_an_index_range_on_the_key(
    db: Session, test_database: harness.TestDatabase
) -> None:
    """The key ranges must be answered from the primary-key index, not by a scan."""
    prefixes = query_prefixes("hwjs")
    stmt = select(AccountSearchKey.account_id).where(
        or_(
            *[
                and_(AccountSearchKey.key >= p, AccountSearchKey.key < prefix_upper_bound(p))
                for p in prefixes
            ]
        )
    )
    compiled = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    if test_database.is_postgres:
        db.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.execute(text(f"EXPLAIN {compiled}")).scalars())
        assert "pk_account_search_key" in plan, plan
        assert "Seq Scan" not in plan, plan
    else:
        rows = db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        plan = "\n".join(str(row[-1]) for row in rows)
        assert "SEARCH account_search_key USING" in plan, plan
        assert "(key>? AND key<?)" in plan, plan
        assert "SCAN account_search_key" not in plan, plan
