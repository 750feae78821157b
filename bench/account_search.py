"""Account search and duplicate check: our code over the index lookups the database needs.

Builds a fresh, migrated database with a group of 50 subsidiaries and N accounts (default
1,000,000) with generated Chinese company names (region + brand + industry + legal suffix;
some with an English name, a few 中国… names), their ``name_key`` and ``account_search_key``
rows from ``flotilla.account.search``, then times in the same run, for a caller holding
``group_sales_vp`` at the group (``group`` data scope, built with ``resolve_scope``):

* search — ours: ``flotilla.account.service.list_accounts(..., q=...)``, the first page of
  50 (ordered by name). Baselines through ``text()``: *same page*, the matching ids from the
  same prefix ranges on ``account_search_key`` joined to ``account``, ``ORDER BY name, id
  LIMIT 51``; and *probe*, the bare index lookup ``SELECT DISTINCT account_id ... LIMIT 50``
  joined to ``account`` (any 50 matches, unordered).
* duplicate check — ours: ``flotilla.account.service.check_duplicates(..., name=...)``.
  Baseline: ``SELECT ... FROM account WHERE name_key = :k``, the exact ``k:`` key, and 200
  candidates from the ``k:`` prefix range, scored with the same rapidfuzz rule.

A further column replays the exact SQL our code emitted straight on the driver, which splits
our time into the database's share and the Python share. All sides run on the same
connection, interleaved, many times; medians are reported with the ratios. Answers are
compared before timing: ours and *same page* must return the same ids in the same order,
*probe* must return matches only; duplicate checks must find the same accounts (a
difference is printed, not hidden).

    .venv/bin/python bench/account_search.py                          # SQLite, 1,000,000
    .venv/bin/python bench/account_search.py --db postgresql          # throwaway PostgreSQL
    .venv/bin/python bench/account_search.py --accounts 200000        # smaller data set

Loading: keys are computed with ``search_keys`` in one worker process per CPU. On PostgreSQL
rows go in with ``COPY``; on SQLite with ``executemany`` in large transactions. The
non-unique indexes of ``account`` and ``account_search_key`` (and, on PostgreSQL, their
foreign keys) are dropped after ``upgrade`` and recreated from their own definitions after
loading; the benchmark checks that the schema is then identical to the migrated one.
PostgreSQL gets ``VACUUM ANALYZE`` after loading, as autovacuum would; SQLite gets no
``ANALYZE``, as Flotilla runs none.

PostgreSQL is reached through ``FLOTILLA_BENCH_DATABASE_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); the benchmark creates its own
database there and drops it at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
import sqlalchemy.exc
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from sqlalchemy import Connection, Engine, event, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from flotilla.account import service
from flotilla.account.repository import CANDIDATE_LIMIT
from flotilla.account.search import (
    KEY_LENGTH,
    KIND_NAME_KEY,
    name_key_prefix,
    normalize_name,
    prefix_upper_bound,
    query_prefixes,
    search_keys,
)
from flotilla.core.db import make_engine, make_session_factory
from flotilla.core.ids import new_id
from flotilla.core.migrate import upgrade
from flotilla.core.pagination import PageRequest
from flotilla.core.scope import Scope, mark_system_session, resolve_scope, system_access
from flotilla.models.customer import Account
from flotilla.models.identity import Position, Role, RoleGrant, User
from flotilla.models.org import OrgUnit, path_segment
from flotilla.role.builtin import BUILTIN_ROLES

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SUBSIDIARIES = 50
DEPARTMENTS_PER_SUBSIDIARY = 3
TEAMS_PER_DEPARTMENT = 3
USERS_PER_TEAM = 3
PAGE_SIZE = 50
CALLER_ROLE = "group_sales_vp"
FAKE_PASSWORD_HASH = "$argon2id$bench$not-a-real-hash"
TASK_SIZE = 2_000  # accounts per worker task
COMMIT_EVERY = 100_000  # accounts per loading transaction
ENGLISH_SHARE = 0.15  # accounts that also carry an English name
CHINA_SHARE = 0.02  # 中国… names (a common first two characters of a normalized name)
SEED = 20261124

# --- names -----------------------------------------------------------------------------------

# (zh, en, is a city): the first 30 are cities, the rest provinces.
REGIONS = [
    ("北京", "Beijing", True),
    ("上海", "Shanghai", True),
    ("深圳", "Shenzhen", True),
    ("广州", "Guangzhou", True),
    ("杭州", "Hangzhou", True),
    ("南京", "Nanjing", True),
    ("苏州", "Suzhou", True),
    ("武汉", "Wuhan", True),
    ("成都", "Chengdu", True),
    ("西安", "Xi'an", True),
    ("重庆", "Chongqing", True),
    ("天津", "Tianjin", True),
    ("长沙", "Changsha", True),
    ("郑州", "Zhengzhou", True),
    ("青岛", "Qingdao", True),
    ("厦门", "Xiamen", True),
    ("宁波", "Ningbo", True),
    ("合肥", "Hefei", True),
    ("福州", "Fuzhou", True),
    ("东莞", "Dongguan", True),
    ("佛山", "Foshan", True),
    ("无锡", "Wuxi", True),
    ("济南", "Jinan", True),
    ("沈阳", "Shenyang", True),
    ("大连", "Dalian", True),
    ("昆明", "Kunming", True),
    ("常州", "Changzhou", True),
    ("温州", "Wenzhou", True),
    ("珠海", "Zhuhai", True),
    ("泉州", "Quanzhou", True),
    ("江苏", "Jiangsu", False),
    ("浙江", "Zhejiang", False),
    ("广东", "Guangdong", False),
    ("山东", "Shandong", False),
    ("河南", "Henan", False),
    ("四川", "Sichuan", False),
    ("湖北", "Hubei", False),
    ("湖南", "Hunan", False),
    ("福建", "Fujian", False),
    ("安徽", "Anhui", False),
]

BRAND_CHARACTERS = "".join(
    dict.fromkeys(
        "华信达恒盛泰鑫源宏瑞德祥荣昌兴隆丰裕博远航星辰金嘉诚立创新美佳和安康宁益利通腾飞龙凤"
        "鹏宇明光辉耀伟业正中大富豪威力强胜凯旋峰岳川江河湖林森青松柏竹梅兰云雨雪霖阳春秋东"
        "方元亨汇聚联合协同智慧睿思维优品尚卓越精锐捷迅宝玉晶彩虹蓝绿红紫银铭鼎晟昊煜炜琪璟"
        "珑瀚澜涛波浩洋沃润泽清静雅致志君仁义贤良善福禄寿喜乐欣悦怡逸舒畅普众万千百九天地人"
        "国民邦家海山石田亿兆启帆舟桥路道途征拓展开广弘扬振奋进步高升"
    )
)

# (zh, en)
INDUSTRIES = [
    ("网络科技", "Network Technology"),
    ("信息技术", "Information Technology"),
    ("电子科技", "Electronic Technology"),
    ("软件", "Software"),
    ("智能科技", "Intelligent Technology"),
    ("数据科技", "Data Technology"),
    ("通信技术", "Communication Technology"),
    ("生物医药", "Biomedical"),
    ("医疗器械", "Medical Devices"),
    ("药业", "Pharmaceutical"),
    ("健康管理", "Health Management"),
    ("新材料", "New Materials"),
    ("化工", "Chemical"),
    ("环保科技", "Environmental Technology"),
    ("新能源", "New Energy"),
    ("能源", "Energy"),
    ("电力工程", "Power Engineering"),
    ("光电", "Optoelectronics"),
    ("半导体", "Semiconductor"),
    ("精密机械", "Precision Machinery"),
    ("机械设备", "Machinery Equipment"),
    ("自动化设备", "Automation Equipment"),
    ("汽车零部件", "Auto Parts"),
    ("电气", "Electric"),
    ("仪器仪表", "Instruments"),
    ("模具", "Mould"),
    ("建筑工程", "Construction Engineering"),
    ("建材", "Building Materials"),
    ("装饰工程", "Decoration Engineering"),
    ("房地产开发", "Real Estate Development"),
    ("物业管理", "Property Management"),
    ("园林绿化", "Landscaping"),
    ("国际贸易", "International Trading"),
    ("贸易", "Trading"),
    ("供应链管理", "Supply Chain Management"),
    ("物流", "Logistics"),
    ("冷链物流", "Cold Chain Logistics"),
    ("电子商务", "E-commerce"),
    ("食品", "Food"),
    ("餐饮管理", "Catering Management"),
    ("农业科技", "Agricultural Technology"),
    ("纺织", "Textile"),
    ("服饰", "Apparel"),
    ("家居", "Home Furnishing"),
    ("包装", "Packaging"),
    ("印务", "Printing"),
    ("文化传媒", "Culture Media"),
    ("广告", "Advertising"),
    ("教育科技", "Education Technology"),
    ("企业管理咨询", "Management Consulting"),
    ("投资管理", "Investment Management"),
    ("融资租赁", "Financial Leasing"),
    ("人力资源", "Human Resources"),
    ("酒店管理", "Hotel Management"),
    ("旅游发展", "Tourism Development"),
    ("实业", "Industrial"),
    ("照明", "Lighting"),
    ("水务", "Water"),
    ("环境工程", "Environmental Engineering"),
    ("钢结构", "Steel Structure"),
]

# (zh suffix, English suffix, weight)
LEGAL_SUFFIXES = [
    ("有限公司", "Co., Ltd.", 62),
    ("股份有限公司", "Co., Ltd.", 14),
    ("有限责任公司", "Co., Ltd.", 12),
    ("集团有限公司", "Group Co., Ltd.", 7),
    ("控股有限公司", "Holdings Co., Ltd.", 3),
    ("集团股份有限公司", "Group Co., Ltd.", 2),
]
_SUFFIX_WEIGHTS = [w for _zh, _en, w in LEGAL_SUFFIXES]
TIERS = [("strategic", 2), ("key_account", 18), ("smb", 80)]


def _brands() -> list[str]:
    """Two-character brands that stay whole under ``normalize_name`` (no 宁波, 中山 …)."""
    out = []
    for first in BRAND_CHARACTERS:
        for second in BRAND_CHARACTERS:
            brand = first + second
            if first == second or brand == "中国":
                continue
            if normalize_name(f"{brand}实业有限公司") == f"{brand}实业":
                out.append(brand)
    return out


@dataclass(frozen=True)
class NameSpec:
    """One generated account's names and master data (everything but ids and owners)."""

    index: int
    brand: str
    industry: int
    region: int | None
    name: str
    name_en: str | None
    tier: str
    value_class: str


@dataclass
class Plan:
    """The deterministic recipe for N accounts: every process rebuilds the same names."""

    n: int
    seed: int
    brands: list[str]
    pairs: list[int]  # brand index * len(INDUSTRIES) + industry index, all distinct
    target: int  # an ordinary account the queries are built around
    china_target: int  # a 中国… account
    _pinyin: dict[str, str] = field(default_factory=dict)

    @classmethod
    def make(cls, n: int, seed: int) -> Plan:
        brands = _brands()
        space = len(brands) * len(INDUSTRIES)
        if n > space * 0.9:
            sys.exit(f"--accounts is limited to {int(space * 0.9):,} distinct names")
        rng = random.Random(seed)
        pairs = rng.sample(range(space), n)
        return cls(
            n=n, seed=seed, brands=brands, pairs=pairs, target=n // 2, china_target=(n * 3) // 4
        )

    def pinyin(self, brand: str) -> str:
        found = self._pinyin.get(brand)
        if found is None:
            found = self._pinyin[brand] = "".join(lazy_pinyin(brand))
        return found

    def spec(self, index: int) -> NameSpec:
        rng = random.Random(self.seed * 10_000_000 + index)
        brand_index, industry = divmod(self.pairs[index], len(INDUSTRIES))
        brand = self.brands[brand_index]
        industry_zh, industry_en = INDUSTRIES[industry]
        suffix_zh, suffix_en, _w = rng.choices(LEGAL_SUFFIXES, weights=_SUFFIX_WEIGHTS)[0]
        english = rng.random() < ENGLISH_SHARE
        china = rng.random() < CHINA_SHARE
        form = rng.random()
        if index == self.target:
            english, china, form, suffix_zh, suffix_en = True, False, 0.0, "有限公司", "Co., Ltd."
        elif index == self.china_target:
            china, suffix_zh = True, "集团有限公司"
        region: int | None = None
        if china:
            name = f"中国{brand}{industry_zh}{suffix_zh}"
        elif form < 0.55:  # 深圳(市)华信网络科技有限公司
            region = rng.randrange(len(REGIONS))
            zh, _en, city = REGIONS[region]
            city_suffix = "市" if city and rng.random() < 0.3 else ""
            name = f"{zh}{city_suffix}{brand}{industry_zh}{suffix_zh}"
        elif form < 0.70:  # 华信网络科技(深圳)有限公司
            region = rng.randrange(len(REGIONS))
            name = f"{brand}{industry_zh}({REGIONS[region][0]}){suffix_zh}"
        else:
            name = f"{brand}{industry_zh}{suffix_zh}"
        name_en = None
        if english:
            prefix = "China " if china else ""
            name_en = f"{prefix}{self.pinyin(brand).capitalize()} {industry_en} {suffix_en}"
        tier = rng.choices([t for t, _w in TIERS], weights=[w for _t, w in TIERS])[0]
        value_class = "A" if tier == "strategic" else rng.choice("BCC")
        return NameSpec(index, brand, industry, region, name, name_en, tier, value_class)

    def unused_pair(self) -> tuple[str, int]:
        """A brand and industry no generated account has: a genuinely new company."""
        used = set(self.pairs)
        rng = random.Random(self.seed + 1)
        while True:
            pair = rng.randrange(len(self.brands) * len(INDUSTRIES))
            if pair not in used:
                brand_index, industry = divmod(pair, len(INDUSTRIES))
                return self.brands[brand_index], industry


_PLAN: Plan | None = None  # set before the worker pool forks


def _keys_task(bounds: tuple[int, int]) -> list[tuple[NameSpec, str, list[str]]]:
    """Worker: the names of accounts [start, stop) with their name_key and search keys."""
    assert _PLAN is not None
    out = []
    for index in range(*bounds):
        spec = _PLAN.spec(index)
        out.append((spec, normalize_name(spec.name), sorted(search_keys(spec.name, spec.name_en))))
    return out


# --- database lifecycle ------------------------------------------------------------------


@contextmanager
def throwaway_database(backend: str) -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="flotilla-bench-") as workdir:
            yield f"sqlite:///{Path(workdir) / 'bench.db'}"
        return
    admin_url = os.environ.get("FLOTILLA_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    name = f"flotilla_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except sqlalchemy.exc.SQLAlchemyError as error:
        admin.dispose()
        sys.exit(f"cannot create a database (FLOTILLA_BENCH_DATABASE_URL): {error}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BULK_TABLES = ("account", "account_search_key")


def schema_snapshot(conn: Connection) -> list[tuple[Any, ...]]:
    """Every index and constraint definition of the database, to compare before/after."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        )
    else:
        rows = conn.exec_driver_sql(
            "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' "
            "UNION ALL SELECT 'constraint', conname, conrelid::regclass::text, "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
    return [tuple(r) for r in rows]


def drop_for_load(conn: Connection) -> list[str]:
    """Drop what makes bulk inserts slow on the bulk tables; return the statements that
    recreate it exactly. SQLite: the non-unique indexes (the primary keys are part of the
    tables). PostgreSQL: also the foreign keys and the primary key of the search keys, whose
    random-order inserts into a 3 GB B-tree would dominate the load; re-adding them
    validates every row."""
    recreate: list[str] = []
    if conn.dialect.name == "sqlite":
        placeholders = ", ".join(f"'{t}'" for t in BULK_TABLES)
        indexes = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            f"AND tbl_name IN ({placeholders}) AND sql LIKE 'CREATE INDEX%' ORDER BY name"
        ).all()
        for name, sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
            recreate.append(sql)
        return recreate
    tables = ", ".join(f"'{t}'::regclass" for t in BULK_TABLES)
    constraints = conn.exec_driver_sql(
        "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid IN ({tables}) AND (contype = 'f' "
        "OR (contype = 'p' AND conrelid = 'account_search_key'::regclass)) "
        "ORDER BY contype DESC, conname"  # the primary key first
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        f"WHERE indrelid IN ({tables}) AND NOT indisunique AND NOT indisprimary ORDER BY 1"
    ).all()
    for name, _definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    for name, table, _definition in constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    # Primary key, then indexes (which also serve the foreign-key checks), then foreign keys.
    adds = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for n, t, d in constraints]
    primary = [a for a in adds if " PRIMARY KEY " in a]
    return primary + [d for _n, d in indexes] + [a for a in adds if a not in primary]


# --- data ----------------------------------------------------------------------------------


def _unit_row(
    parent: dict[str, Any] | None, kind: str, code: str, name: str, now: datetime
) -> dict[str, Any]:
    unit_id = new_id()
    if kind == "group":
        subsidiary_id = None
    elif kind == "subsidiary":
        subsidiary_id = unit_id
    else:
        assert parent is not None
        subsidiary_id = parent["subsidiary_id"]
    return {
        "id": unit_id,
        "parent_id": parent["id"] if parent else None,
        "kind": kind,
        "code": code,
        "name": name,
        "name_en": None,
        "uscc": None,
        "currency": "CNY",
        "region": None,
        "timezone": "Asia/Shanghai",
        "subsidiary_id": subsidiary_id,
        "path": (parent["path"] if parent else "/") + path_segment(unit_id),
        "depth": parent["depth"] + 1 if parent else 0,
        "is_active": True,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _user_row(username: str, display_name: str, unit: dict[str, Any], now: datetime) -> dict:
    return {
        "id": new_id(),
        "username": username,
        "display_name": display_name,
        "email": f"{username}@bench.example.cn",
        "phone": None,
        "password_hash": FAKE_PASSWORD_HASH,
        "is_active": True,
        "locale": "zh-CN",
        "primary_unit_id": unit["id"],
        "subsidiary_id": unit["subsidiary_id"],
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


@dataclass(frozen=True)
class Org:
    caller_id: uuid.UUID
    units: int
    users: int
    # per subsidiary: (subsidiary id, [(team id, [owner ids])])
    seats: list[tuple[uuid.UUID, list[tuple[uuid.UUID, list[uuid.UUID]]]]]


def build_org(factory: sessionmaker[Session]) -> Org:
    """The group, 50 subsidiaries with departments and teams, reps, roles, and the caller
    (group_sales_vp at the group); bulk Core inserts in a system session, no audit."""
    now = datetime.now(UTC)
    group = _unit_row(None, "group", "G", "基准集团", now)
    units, users, positions = [group], [], []
    seats = []
    for s in range(SUBSIDIARIES):
        sub = _unit_row(group, "subsidiary", f"S{s:02d}", f"子公司{s:02d}", now)
        units.append(sub)
        teams = []
        for d in range(DEPARTMENTS_PER_SUBSIDIARY):
            dept = _unit_row(sub, "department", f"S{s:02d}-D{d}", f"销售{d}部", now)
            units.append(dept)
            for t in range(TEAMS_PER_DEPARTMENT):
                team = _unit_row(dept, "team", f"S{s:02d}-D{d}-T{t}", f"{t}组", now)
                units.append(team)
                owners = []
                for u in range(USERS_PER_TEAM):
                    user = _user_row(f"rep{s:02d}{d}{t}{u}", f"销售{s:02d}{d}{t}{u}", team, now)
                    users.append(user)
                    owners.append(user["id"])
                    positions.append(
                        {
                            "id": new_id(),
                            "user_id": user["id"],
                            "unit_id": team["id"],
                            "title": "销售代表",
                            "is_primary": True,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                teams.append((team["id"], owners))
        seats.append((sub["id"], teams))
    caller = _user_row("vp", "集团销售副总", group, now)
    users.append(caller)
    positions.append(
        {
            "id": new_id(),
            "user_id": caller["id"],
            "unit_id": group["id"],
            "title": "集团销售副总",
            "is_primary": True,
            "created_at": now,
            "updated_at": now,
        }
    )
    roles = []
    for code, (name, name_en, data_scope, permissions, description) in BUILTIN_ROLES.items():
        roles.append(
            {
                "id": new_id(),
                "code": code,
                "name": name,
                "name_en": name_en,
                "description": description,
                "permissions": sorted(set(permissions)),
                "data_scope": data_scope,
                "is_builtin": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    role = next(r for r in roles if r["code"] == CALLER_ROLE)
    grant = {
        "id": new_id(),
        "user_id": caller["id"],
        "role_id": role["id"],
        "unit_id": group["id"],
        "created_at": now,
        "updated_at": now,
    }
    with factory() as session:
        mark_system_session(session)
        session.execute(insert(OrgUnit.__table__), units)
        session.execute(insert(Role.__table__), roles)
        session.execute(insert(User.__table__), users)
        session.execute(insert(Position.__table__), positions)
        session.execute(insert(RoleGrant.__table__), [grant])
        session.commit()
    return Org(caller_id=caller["id"], units=len(units), users=len(users), seats=seats)


class Loader:
    """Streams account rows and search-key rows into the database, one backend each."""

    def __init__(self, engine: Engine, columns: list[str]) -> None:
        self.dialect = engine.dialect
        self.raw = engine.raw_connection()
        self.driver: Any = self.raw.driver_connection
        if self.dialect.name == "sqlite":
            table = Account.__table__
            self.processors = [
                table.c[c].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                for c in columns
            ]
            # This connection only: a 4 GB page cache for the key index, no fsync, and no
            # per-row foreign-key lookups (every account_id comes from the row just written).
            self.driver.execute("PRAGMA cache_size = -4000000")
            self.driver.execute("PRAGMA synchronous = OFF")
            self.driver.execute("PRAGMA foreign_keys = OFF")
            self.driver.execute("BEGIN")
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            self.insert_account = f"INSERT INTO account ({names}) VALUES ({marks})"
        else:
            self.driver.execute("SET synchronous_commit = off")
            self.copy_account = f"COPY account ({', '.join(columns)}) FROM STDIN"

    def write(self, accounts: list[tuple[Any, ...]], keys: list[tuple[str, uuid.UUID]]) -> None:
        if self.dialect.name == "sqlite":
            processors = self.processors
            self.driver.executemany(
                self.insert_account,
                [
                    tuple(p(v) if p else v for p, v in zip(processors, row, strict=True))
                    for row in accounts
                ],
            )
            self.driver.executemany(
                "INSERT INTO account_search_key (key, account_id) VALUES (?, ?)", keys
            )
            return
        with self.driver.cursor() as cur:
            with cur.copy(self.copy_account) as copy:
                for row in accounts:
                    copy.write_row(row)
            with cur.copy("COPY account_search_key (key, account_id) FROM STDIN") as copy:
                for row in keys:
                    copy.write_row(row)

    def commit(self, again: bool = True) -> None:
        if self.dialect.name == "sqlite":
            self.driver.execute("COMMIT")
            if again:
                self.driver.execute("BEGIN")
        else:
            self.driver.commit()

    def close(self) -> None:
        self.commit(again=False)
        self.raw.close()


@dataclass
class LoadStats:
    accounts: int = 0
    english: int = 0
    keys: int = 0
    stream_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    specs: dict[int, NameSpec] = field(default_factory=dict)


def load_accounts(engine: Engine, plan: Plan, org: Org, stats: LoadStats) -> None:
    """Generate and insert every account and its search keys (see the module docstring)."""
    global _PLAN
    with engine.connect() as conn:
        db_columns = [c["name"] for c in inspect(conn).get_columns("account")]
        model_columns = {c.name for c in Account.__table__.columns}
        if set(db_columns) - model_columns:
            sys.exit(
                f"migrated account has columns the model lacks: {set(db_columns) - model_columns}"
            )
        before = schema_snapshot(conn)
        recreate = drop_for_load(conn)
        conn.commit()

    started = time.perf_counter()
    _PLAN = plan
    rng = random.Random(plan.seed + 2)
    now = datetime.now(UTC)
    tasks = [(start, min(start + TASK_SIZE, plan.n)) for start in range(0, plan.n, TASK_SIZE)]
    is_sqlite = engine.dialect.name == "sqlite"
    uncommitted = 0
    # The workers fork with no database connection open (none crosses the fork).
    engine.dispose()
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        loader = Loader(engine, db_columns)
        for chunk in pool.imap(_keys_task, tasks):
            accounts: list[tuple[Any, ...]] = []
            keys: list[tuple[str, Any]] = []
            for spec, name_key, account_keys in chunk:
                account_id = new_id()
                subsidiary_id, teams = org.seats[spec.index % SUBSIDIARIES]
                team_id, owners = teams[rng.randrange(len(teams))]
                owner_id = owners[rng.randrange(len(owners))]
                created = now - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
                followed = created + (now - created) * rng.random() if rng.random() < 0.7 else None
                pooled = rng.random() < 0.08
                values = {
                    "id": account_id,
                    "name": spec.name,
                    "name_en": spec.name_en,
                    "name_key": name_key,
                    "industry": INDUSTRIES[spec.industry][0],
                    "region": REGIONS[spec.region][0] if spec.region is not None else None,
                    "tier": spec.tier,
                    "value_class": spec.value_class,
                    "status": "pool" if pooled else "owned",
                    "last_follow_up_at": followed,
                    "pool_entered_at": now if pooled else None,
                    "created_by_id": owner_id,
                    "created_at": created,
                    "updated_at": followed or created,
                    "version": 1,
                    "subsidiary_id": subsidiary_id,
                    "unit_id": team_id,
                    "owner_id": owner_id,
                }
                accounts.append(tuple(values.get(c) for c in db_columns))
                key_id: Any = account_id.hex if is_sqlite else account_id
                keys.extend((key, key_id) for key in account_keys)
                stats.english += spec.name_en is not None
                if spec.index in (plan.target, plan.china_target):
                    stats.specs[spec.index] = spec
            loader.write(accounts, keys)
            stats.accounts += len(accounts)
            stats.keys += len(keys)
            uncommitted += len(accounts)
            if uncommitted >= COMMIT_EVERY:
                loader.commit()
                uncommitted = 0
                elapsed = time.perf_counter() - started
                print(
                    f"  loaded {stats.accounts:,} accounts, {stats.keys:,} keys ({elapsed:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
    loader.close()
    _PLAN = None
    stats.stream_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with engine.connect() as conn:
        if not is_sqlite:
            conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        for statement in recreate:
            conn.exec_driver_sql(statement)
        conn.commit()
        if schema_snapshot(conn) != before:
            sys.exit("the schema after loading differs from the migrated one")
    stats.index_seconds = time.perf_counter() - started

    started = time.perf_counter()
    if not is_sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    stats.analyze_seconds = time.perf_counter() - started


# --- the cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCase:
    kind: str
    q: str


@dataclass(frozen=True)
class DuplicateCase:
    kind: str
    name: str


def initials(text_zh: str) -> str:
    return "".join(s[0] for s in lazy_pinyin(text_zh))


def build_cases(plan: Plan, stats: LoadStats) -> tuple[list[SearchCase], list[DuplicateCase]]:
    """Queries around one generated account (华信 网络科技 …) and one 中国… account."""
    target = stats.specs[plan.target]
    brand = target.brand
    industry_zh, industry_en = INDUSTRIES[target.industry]
    assert target.region is not None
    region = REGIONS[target.region][0]
    brand_pinyin = plan.pinyin(brand)
    industry_syllables = lazy_pinyin(industry_zh)
    searches = [
        SearchCase("Chinese substring", brand),
        SearchCase("Chinese substring", industry_zh),
        SearchCase("full pinyin", brand_pinyin + industry_syllables[0]),
        SearchCase("full pinyin", "keji"),
        SearchCase("pinyin initials", initials(brand) + initials(industry_zh)[:2]),
        SearchCase("pinyin initials", "kj"),
        SearchCase("English words", f"{brand_pinyin} {industry_en.split()[0].lower()}"),
        SearchCase("English word", "technology"),
    ]
    china = stats.specs[plan.china_target]
    new_brand, new_industry = plan.unused_pair()
    duplicates = [
        DuplicateCase("same name, other form", f"{brand}{industry_zh}({region})股份有限公司"),
        DuplicateCase(
            "English name, other form", f"{brand_pinyin.upper()} {industry_en.upper()} CO LTD"
        ),
        DuplicateCase("near miss (one char added)", f"{region}{brand}新{industry_zh}有限公司"),
        DuplicateCase("new company", f"{new_brand}{INDUSTRIES[new_industry][0]}有限公司"),
        DuplicateCase(
            "same name, common prefix 中国",
            f"中国{china.brand}{INDUSTRIES[china.industry][0]}有限公司",
        ),
    ]
    return searches, duplicates


# --- timing --------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _ids(values: Sequence[Any]) -> list[uuid.UUID]:
    return [v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)) for v in values]


def ours_search(
    factory: sessionmaker[Session], conn: Connection, scope: Scope, q: str
) -> Callable[[], list[uuid.UUID]]:
    """One request's service call: a fresh session (empty identity map) on ``conn``."""
    request = PageRequest(limit=PAGE_SIZE)

    def run() -> list[uuid.UUID]:
        with factory(bind=conn) as session:
            page = service.list_accounts(session, scope, request, q=q)
            return [a.id for a in page.rows]

    return run


def ours_duplicates(
    factory: sessionmaker[Session], conn: Connection, scope: Scope, name: str
) -> Callable[[], tuple[set[uuid.UUID], int]]:
    def run() -> tuple[set[uuid.UUID], int]:
        with factory(bind=conn) as session:
            out = service.check_duplicates(session, scope, name=name)
            found = {m.id for m in out.matches if m.id is not None}
            return found, sum(1 for m in out.matches if m.id is None)

    return run


def captured_sql(engine: Engine, run_ours: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SELECTs our code sends to the driver, with their parameters, from one run."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run_ours()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return captured


def replay(conn: Connection, statements: list[tuple[str, Any]]) -> Callable[[], None]:
    """Our exact SQL straight to the driver: the database's share of our time."""

    def run() -> None:
        for statement, parameters in statements:
            conn.exec_driver_sql(statement, parameters).all()
        conn.rollback()

    return run


def _ranges(q: str) -> tuple[str, dict[str, str]]:
    """``key >= :p AND key < :u`` for each prefix ``q`` matches, as UNION ALL branches."""
    params: dict[str, str] = {}
    branches = []
    for i, prefix in enumerate(query_prefixes(q)):
        params[f"p{i}"], params[f"u{i}"] = prefix, prefix_upper_bound(prefix)
        branches.append(
            f"SELECT account_id FROM account_search_key WHERE key >= :p{i} AND key < :u{i}"
        )
    return " UNION ALL ".join(branches), params


def baseline_page(conn: Connection, q: str, columns: str) -> Callable[[], list[uuid.UUID]]:
    """The same page in plain SQL: matching ids through the key index, ORDER BY name."""
    matching, params = _ranges(q)
    stmt = text(
        f"SELECT {columns} FROM account a WHERE a.id IN ({matching}) "
        f"ORDER BY a.name, a.id LIMIT {PAGE_SIZE + 1}"
    )

    def run() -> list[uuid.UUID]:
        rows = conn.execute(stmt, params).all()
        conn.rollback()
        return _ids([r.id for r in rows[:PAGE_SIZE]])

    return run


def probe(conn: Connection, q: str, columns: str) -> Callable[[], list[uuid.UUID]]:
    """The bare index lookup: any 50 distinct matching ids, joined to account."""
    matching, params = _ranges(q)
    stmt = text(
        f"SELECT {columns} FROM account a JOIN (SELECT DISTINCT account_id FROM ({matching}) r "
        f"LIMIT {PAGE_SIZE}) m ON m.account_id = a.id"
    )

    def run() -> list[uuid.UUID]:
        rows = conn.execute(stmt, params).all()
        conn.rollback()
        return _ids([r.id for r in rows])

    return run


def all_matches(conn: Connection, q: str) -> set[uuid.UUID]:
    matching, params = _ranges(q)
    rows = conn.execute(text(f"SELECT DISTINCT account_id FROM ({matching}) r"), params)
    found = set(_ids(rows.scalars().all()))
    conn.rollback()
    return found


DUPLICATE_THRESHOLD = service.DUPLICATE_THRESHOLD
BASELINE_DUPLICATES = text(
    "SELECT a.id, a.name_key, a.name_en FROM account a WHERE a.name_key = :k "
    "UNION ALL SELECT a.id, a.name_key, a.name_en FROM account a "
    "JOIN account_search_key s ON s.account_id = a.id WHERE s.key = :exact "
    "UNION ALL SELECT a.id, a.name_key, a.name_en FROM account a JOIN ("
    "SELECT account_id FROM account_search_key WHERE key >= :p AND key < :u "
    f"LIMIT {CANDIDATE_LIMIT}) c ON c.account_id = a.id"
)


def baseline_duplicates(conn: Connection, name: str) -> Callable[[], tuple[set[uuid.UUID], int]]:
    """The exact name_key, the exact ``k:`` key and a bounded ``k:`` prefix range, scored."""
    key = normalize_name(name)
    prefix = name_key_prefix(key) or (KIND_NAME_KEY + key)[:KEY_LENGTH]
    params = {
        "k": key,
        "exact": (KIND_NAME_KEY + key)[:KEY_LENGTH],
        "p": prefix,
        "u": prefix_upper_bound(prefix),
    }

    def run() -> tuple[set[uuid.UUID], int]:
        found: set[uuid.UUID] = set()
        for row in conn.execute(BASELINE_DUPLICATES, params):
            known = {row.name_key}
            if row.name_en:
                known.add(normalize_name(row.name_en))
            if key in known or max(fuzz.ratio(key, k) for k in known) >= DUPLICATE_THRESHOLD:
                found.add(_ids([row.id])[0])
        conn.rollback()
        return found, 0

    return run


def measure(
    sides: tuple[Callable[[], Any], ...], repeat: int, warmup: int, budget: float
) -> tuple[list[float], int]:
    """Median seconds of each side, interleaved (rotating order) so drift hits all alike.
    Slow cases run fewer times: as many as fit in ``budget`` seconds, at least 7."""
    for _ in range(warmup):
        for side in sides:
            side()
    one_round = sum(_timed(side)[0] for side in sides)
    runs = max(7, min(repeat, int(budget / max(one_round, 1e-6))))
    times: list[list[float]] = [[] for _ in sides]
    for i in range(runs):
        for k in range(len(sides)):
            index = (i + k) % len(sides)
            times[index].append(_timed(sides[index])[0])
    return [statistics.median(t) for t in times], runs


def server_version(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(conn.exec_driver_sql("select sqlite_version()").scalar_one())
        return "PostgreSQL " + str(conn.exec_driver_sql("show server_version").scalar_one())


def run(backend: str, n: int, repeat: int, warmup: int, budget: float, seed: int) -> None:
    run_started = time.perf_counter()
    plan = Plan.make(n, seed)
    stats = LoadStats()
    with throwaway_database(backend) as url:
        started = time.perf_counter()
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        org = build_org(factory)
        setup_seconds = time.perf_counter() - started
        load_accounts(engine, plan, org, stats)
        searches, duplicates = build_cases(plan, stats)
        columns = ", ".join(f"a.{c}" for c in (col.name for col in Account.__table__.columns))

        with engine.connect() as conn:
            with factory(bind=conn) as session:
                caller = session.execute(
                    system_access(select(User).where(User.id == org.caller_id))
                ).scalar_one()
                scope = resolve_scope(session, caller)
            conn.rollback()
            assert scope.reach(service.READ).everything

            search_rows = []
            for case in searches:
                ours_run = ours_search(factory, conn, scope, case.q)
                sides = (
                    ours_run,
                    replay(conn, captured_sql(engine, ours_run)),
                    baseline_page(conn, case.q, columns),
                    probe(conn, case.q, columns),
                )
                matches = all_matches(conn, case.q)
                ours_ids, same_ids, probe_ids = sides[0](), sides[2](), sides[3]()
                if ours_ids != same_ids:
                    sys.exit(
                        f"answers differ for {case.q!r}: ours {ours_ids}, same page {same_ids}"
                    )
                if not set(probe_ids) <= matches or len(probe_ids) != min(PAGE_SIZE, len(matches)):
                    sys.exit(f"the probe for {case.q!r} returned something else than matches")
                if len(matches) <= PAGE_SIZE and set(probe_ids) != set(ours_ids):
                    sys.exit(f"answers differ for {case.q!r}: ours {ours_ids}, probe {probe_ids}")
                medians, runs = measure(sides, repeat, warmup, budget)
                search_rows.append((case, len(matches), runs, medians))
                print(f"  timed search {case.q!r}", file=sys.stderr, flush=True)

            duplicate_rows = []
            for dup in duplicates:
                ours_run = ours_duplicates(factory, conn, scope, dup.name)
                sides = (
                    ours_run,
                    replay(conn, captured_sql(engine, ours_run)),
                    baseline_duplicates(conn, dup.name),
                )
                (ours_found, hidden), (base_found, _) = sides[0](), sides[2]()
                medians, runs = measure(sides, repeat, warmup, budget)
                duplicate_rows.append((dup, ours_found, hidden, base_found, runs, medians))
                print(f"  timed duplicate check {dup.name!r}", file=sys.stderr, flush=True)
        version = server_version(engine)
        engine.dispose()
    total_seconds = time.perf_counter() - run_started

    print(f"Account search — {version}")
    print(
        f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"data: {stats.accounts:,} accounts ({stats.english:,} with an English name), "
        f"{stats.keys:,} search keys, {SUBSIDIARIES} subsidiaries, {org.users:,} users"
    )
    print(
        f"load: migrate + org {setup_seconds:.0f} s, generate keys + insert "
        f"{stats.stream_seconds:.0f} s, indexes {stats.index_seconds:.0f} s"
        + (f", VACUUM ANALYZE {stats.analyze_seconds:.0f} s" if backend == "postgresql" else "")
    )
    print(f"caller: {CALLER_ROLE} at the group (group scope)")
    print(
        f"search, first page of {PAGE_SIZE} by name; medians, interleaved "
        f"(runs: as many as fit {budget:.0f} s, {repeat} at most, 7 at least):"
    )
    print(
        f"  {'kind':<18}{'query':<20}{'matches':>9}{'runs':>6}{'ours ms':>10}{'our SQL':>10}"
        f"{'same page':>11}{'probe':>9}{'ours/page':>11}{'ours/probe':>12}"
    )
    for case, matches, runs, (ours_s, sql_s, page_s, probe_s) in search_rows:
        print(
            f"  {case.kind:<18}{case.q:<20}{matches:>9,}{runs:>6}{ours_s * 1000:>10.2f}"
            f"{sql_s * 1000:>10.2f}{page_s * 1000:>11.2f}{probe_s * 1000:>9.2f}"
            f"{ours_s / page_s:>10.2f}x{ours_s / probe_s:>11.2f}x"
        )
    print("duplicate check (check_duplicates, whole group); medians, interleaved:")
    print(
        f"  {'case':<30}{'found':>7}{'base':>6}{'runs':>6}{'ours ms':>10}{'our SQL':>10}"
        f"{'baseline':>10}{'ours/base':>11}  name"
    )
    disagreements = []
    for dup, ours_found, hidden, base_found, runs, (ours_s, sql_s, base_s) in duplicate_rows:
        print(
            f"  {dup.kind:<30}{len(ours_found) + hidden:>7}{len(base_found):>6}{runs:>6}"
            f"{ours_s * 1000:>10.2f}{sql_s * 1000:>10.2f}{base_s * 1000:>10.2f}"
            f"{ours_s / base_s:>10.2f}x  {dup.name}"
        )
        if ours_found != base_found:
            disagreements.append(
                f"  {dup.kind}: ours missed {len(base_found - ours_found)}, "
                f"found {len(ours_found - base_found)} the baseline did not"
            )
    if disagreements:
        print("DUPLICATE CHECKS DISAGREE:")
        print("\n".join(disagreements))
    print(
        "  ours = the service call through the ORM; our SQL = the statements it emits, replayed "
        "on the driver; same page / probe / baseline = hand-written SQL"
    )
    print(f"total runtime {total_seconds / 60:.1f} min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--accounts", type=int, default=1_000_000, help="accounts to generate")
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per query, at most")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds of timed runs per query, about"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    if args.accounts < 1_000:
        parser.error("--accounts must be at least 1,000")
    run(args.db, args.accounts, args.repeat, args.warmup, args.budget, args.seed)


if __name__ == "__main__":
    main()
