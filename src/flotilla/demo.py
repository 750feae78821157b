"""The demo group: a realistic Chinese group company to explore Flotilla with.

Seeding runs as the system actor, so every row it writes is on the audit trail too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import uscc as uscc_number

from flotilla.core import audit
from flotilla.core.ids import new_id
from flotilla.core.scope import mark_system_session
from flotilla.core.security import hash_password
from flotilla.models.identity import Position, RoleGrant, User
from flotilla.models.org import OrgUnit, path_segment
from flotilla.role.builtin import ensure_builtin_roles

GROUP_CODE = "XH"


@dataclass(frozen=True)
class SubsidiarySpec:
    code: str
    name: str
    name_en: str
    uscc_body: str  # 17 characters; the check character is computed
    currency: str
    region: str
    timezone: str
    people: tuple[tuple[str, str, str], ...]  # (username suffix, display name, role)


SUBSIDIARIES = (
    SubsidiarySpec(
        "BJ",
        "星海科技(北京)有限公司",
        "Xinghai Technology (Beijing) Co., Ltd.",
        "91110108MA01A2B3C",
        "CNY",
        "华北",
        "Asia/Shanghai",
        (
            ("gm", "赵建国", "subsidiary_gm"),
            ("admin", "刘洋", "subsidiary_admin"),
            ("finance", "马丽", "finance"),
            ("director", "钱文静", "sales_director"),
            ("manager", "孙志强", "sales_manager"),
            ("manager2", "李娜", "sales_manager"),
            ("rep1", "周晓明", "sales_rep"),
            ("rep2", "吴婷", "sales_rep"),
            ("rep3", "郑浩", "sales_rep"),
            ("rep4", "王磊", "sales_rep"),
        ),
    ),
    SubsidiarySpec(
        "SH",
        "星海智造(上海)有限公司",
        "Xinghai Smart Manufacturing (Shanghai) Co., Ltd.",
        "91310115MA1H7K8L9",
        "CNY",
        "华东",
        "Asia/Shanghai",
        (
            ("gm", "王海燕", "subsidiary_gm"),
            ("admin", "高峰", "subsidiary_admin"),
            ("finance", "唐敏", "finance"),
            ("director", "冯立新", "sales_director"),
            ("manager", "陈静", "sales_manager"),
            ("manager2", "褚国栋", "sales_manager"),
            ("rep1", "卫晓东", "sales_rep"),
            ("rep2", "蒋丽", "sales_rep"),
            ("rep3", "沈磊", "sales_rep"),
        ),
    ),
    SubsidiarySpec(
        "SZ",
        "星海医疗(深圳)有限公司",
        "Xinghai Medical (Shenzhen) Co., Ltd.",
        "91440300MA5F2G3H4",
        "CNY",
        "华南",
        "Asia/Shanghai",
        (
            ("gm", "韩雪", "subsidiary_gm"),
            ("admin", "罗敏", "subsidiary_admin"),
            ("finance", "袁晓", "finance"),
            ("director", "杨帆", "sales_director"),
            ("manager", "朱明", "sales_manager"),
            ("manager2", "秦芳", "sales_manager"),
            ("rep1", "尤佳", "sales_rep"),
            ("rep2", "许强", "sales_rep"),
            ("rep3", "何琳", "sales_rep"),
        ),
    ),
    SubsidiarySpec(
        "HK",
        "星海国际(香港)有限公司",
        "Xinghai International (Hong Kong) Limited",
        "91440300MA5K6M7N8",
        "HKD",
        "香港",
        "Asia/Hong_Kong",
        (
            ("gm", "吕振华", "subsidiary_gm"),
            ("admin", "谢宝仪", "subsidiary_admin"),
            ("finance", "杜家欣", "finance"),
            ("director", "施美玲", "sales_director"),
            ("manager", "张家豪", "sales_manager"),
            ("manager2", "邓嘉欣", "sales_manager"),
            ("rep1", "孔令辉", "sales_rep"),
            ("rep2", "曹颖", "sales_rep"),
            ("rep3", "梁伟文", "sales_rep"),
        ),
    ),
    SubsidiarySpec(
        "SG",
        "星海新加坡有限公司",
        "Xinghai Singapore Pte. Ltd.",
        "91440300MA5P8Q9R1",
        "SGD",
        "东南亚",
        "Asia/Singapore",
        (
            ("gm", "严家伟", "subsidiary_gm"),
            ("admin", "郭俊辉", "subsidiary_admin"),
            ("finance", "方慧敏", "finance"),
            ("director", "华秀英", "sales_director"),
            ("manager", "金志明", "sales_manager"),
            ("manager2", "林美华", "sales_manager"),
            ("rep1", "魏丽华", "sales_rep"),
            ("rep2", "陶俊杰", "sales_rep"),
            ("rep3", "黄志豪", "sales_rep"),
        ),
    ),
)

GROUP_PEOPLE = (
    ("admin", "系统管理员", "group_admin"),
    ("vp", "林振东", "group_sales_vp"),
    ("auditor", "欧阳敏", "auditor"),
    ("auditor2", "司马静", "auditor"),
)


def full_uscc(body: str) -> str:
    return body + uscc_number.calc_check_digit(body)


def database_is_empty(session: Session) -> bool:
    mark_system_session(session)
    units = session.execute(select(func.count()).select_from(OrgUnit)).scalar_one()
    users = session.execute(select(func.count()).select_from(User)).scalar_one()
    return units == 0 and users == 0


def _unit(
    session: Session,
    parent: OrgUnit | None,
    kind: str,
    code: str,
    name: str,
    name_en: str | None = None,
    **legal: str | None,
) -> OrgUnit:
    unit = OrgUnit(id=new_id(), kind=kind, code=code, name=name, name_en=name_en, **legal)
    unit.parent_id = parent.id if parent else None
    unit.path = (parent.path if parent else "/") + path_segment(unit.id)
    unit.depth = parent.depth + 1 if parent else 0
    if kind == "group":
        unit.subsidiary_id = None
    elif kind == "subsidiary":
        unit.subsidiary_id = unit.id
    else:
        assert parent is not None
        unit.subsidiary_id = parent.id if parent.kind == "subsidiary" else parent.subsidiary_id
        unit.currency = unit.currency or parent.currency
        unit.region = unit.region or parent.region
        unit.timezone = unit.timezone or parent.timezone
    session.add(unit)
    return unit


def _person(
    session: Session,
    username: str,
    display_name: str,
    unit: OrgUnit,
    password_hash: str,
    title: str,
    index: int,
) -> User:
    user = User(
        id=new_id(),
        username=username,
        display_name=display_name,
        email=f"{username}@xinghai-demo.cn",
        phone=f"139{index:08d}",
        password_hash=password_hash,
        primary_unit_id=unit.id,
        subsidiary_id=unit.subsidiary_id if unit.kind != "subsidiary" else unit.id,
    )
    session.add(user)
    session.add(Position(user_id=user.id, unit_id=unit.id, title=title, is_primary=True))
    return user


def _demo_collisions(session: Session, with_root: bool) -> list[str]:
    """Demo logins and unit codes that already exist (seeding would violate uniqueness)."""
    usernames = [u for u, _n, _r in GROUP_PEOPLE] + [
        f"{spec.code.lower()}.{suffix}" for spec in SUBSIDIARIES for suffix, _n, _r in spec.people
    ]
    codes = [f"{GROUP_CODE}-HQ"] + [
        code
        for spec in SUBSIDIARIES
        for code in (
            spec.code,
            f"{spec.code}-KA",
            f"{spec.code}-SMB",
            f"{spec.code}-KA-1",
            f"{spec.code}-SMB-1",
        )
    ]
    if with_root:
        codes.append(GROUP_CODE)
    taken_users = session.execute(
        select(User.username).where(func.lower(User.username).in_(usernames))
    ).scalars()
    taken_codes = session.execute(
        select(OrgUnit.code).where(func.lower(OrgUnit.code).in_([c.lower() for c in codes]))
    ).scalars()
    return sorted(taken_users) + sorted(taken_codes)


def seed_demo(factory: sessionmaker[Session], password: str) -> str:
    """Seed the demo group in one transaction; returns a one-line summary.

    On a database that already has an org tree (``demo --force``) the demo subsidiaries go
    under the existing group root, so the tree keeps its single root; if demo logins or unit
    codes already exist, nothing is written and ``ValueError`` names them.
    """
    with factory() as session:
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        root = session.execute(
            select(OrgUnit).where(OrgUnit.parent_id.is_(None))
        ).scalar_one_or_none()
        collisions = _demo_collisions(session, with_root=root is None)
        if collisions:
            raise ValueError(
                "the demo data would collide with existing users or org units: "
                + ", ".join(collisions)
            )
        roles = ensure_builtin_roles(session)
        password_hash = hash_password(password)  # one hash: every demo user shares it
        group = root or _unit(
            session,
            None,
            "group",
            GROUP_CODE,
            "星海控股集团",
            "Xinghai Holdings Group",
            uscc=full_uscc("91110000MA00XH001"),
            currency="CNY",
            region="中国",
            timezone="Asia/Shanghai",
        )
        hq = _unit(session, group, "department", "XH-HQ", "集团销售管理部", "Group Sales Office")
        session.flush()
        counter = 0
        users = 0
        heads: list[tuple[OrgUnit, User]] = []
        for username, display_name, role_code in GROUP_PEOPLE:
            counter += 1
            person = _person(
                session, username, display_name, hq, password_hash, roles[role_code].name, counter
            )
            session.add(RoleGrant(user_id=person.id, role_id=roles[role_code].id, unit_id=group.id))
            if role_code == "group_sales_vp":
                heads += [(group, person), (hq, person)]
            users += 1
        for spec in SUBSIDIARIES:
            sub = _unit(
                session,
                group,
                "subsidiary",
                spec.code,
                spec.name,
                spec.name_en,
                uscc=full_uscc(spec.uscc_body),
                currency=spec.currency,
                region=spec.region,
                timezone=spec.timezone,
            )
            ka = _unit(
                session, sub, "department", f"{spec.code}-KA", "大客户部", "Key Account Sales"
            )
            smb = _unit(session, sub, "department", f"{spec.code}-SMB", "中小企业部", "SMB Sales")
            teams = [
                _unit(session, ka, "team", f"{spec.code}-KA-1", "大客户一组", "Key Account Team 1"),
                _unit(session, smb, "team", f"{spec.code}-SMB-1", "中小企业一组", "SMB Team 1"),
            ]
            session.flush()
            managers_seen = 0
            reps_seen = 0
            for suffix, display_name, role_code in spec.people:
                counter += 1
                if role_code in ("subsidiary_gm", "sales_director", "subsidiary_admin", "finance"):
                    seat, anchor = sub, sub
                elif role_code == "sales_manager":
                    seat = ka if managers_seen == 0 else smb
                    anchor = seat
                    managers_seen += 1
                else:
                    seat = teams[reps_seen % len(teams)]
                    anchor = seat
                    reps_seen += 1
                person = _person(
                    session,
                    f"{spec.code.lower()}.{suffix}",
                    display_name,
                    seat,
                    password_hash,
                    roles[role_code].name,
                    counter,
                )
                session.add(
                    RoleGrant(user_id=person.id, role_id=roles[role_code].id, unit_id=anchor.id)
                )
                if role_code in ("subsidiary_gm", "sales_manager"):
                    # Heads of units: line-manager approvals climb rep → manager → GM → VP.
                    heads.append((seat, person))
                users += 1
        # A part-time seat (兼职): the Beijing director also covers the Shenzhen key accounts.
        session.flush()
        for unit, head in heads:
            unit.manager_id = head.id
        bj_director = session.execute(
            select(User).where(User.username == "bj.director")
        ).scalar_one()
        sz_ka = session.execute(select(OrgUnit).where(OrgUnit.code == "SZ-KA")).scalar_one()
        session.add(Position(user_id=bj_director.id, unit_id=sz_ka.id, title="兼大客户顾问"))
        session.flush()
        from flotilla.demo_sales import seed_sales_demo

        counts = seed_sales_demo(session)
        from flotilla.demo_ltc import seed_ltc_demo

        ltc = seed_ltc_demo(session)
        from flotilla.demo_analytics import seed_analytics_demo

        analytics = seed_analytics_demo(session)
        session.commit()
    return (
        f"demo group seeded: {len(SUBSIDIARIES)} subsidiaries, {users} users, "
        f"{counts['account']} accounts, {counts['opportunity']} opportunities, "
        f"{counts['activity']} activities, {ltc['quote']} quotes, {ltc['contract']} contracts, "
        f"{ltc['payment']} payments, {analytics['target']} targets "
        "(password from FLOTILLA_DEMO_PASSWORD)"
    )


def create_admin_user(
    factory: sessionmaker[Session], username: str, display_name: str, password: str
) -> str:
    """Create a group administrator; creates the group root on an empty database."""
    from flotilla.user.service import check_password_policy

    try:
        check_password_policy(username, password)
    except Exception:
        raise ValueError("password too weak: at least 10 characters, not the username") from None
    with factory() as session:
        mark_system_session(session)
        audit.set_context(session, audit.SYSTEM_CONTEXT)
        if session.execute(
            select(User.id).where(func.lower(User.username) == username.lower())
        ).first():
            raise ValueError(f"user {username!r} already exists")
        roles = ensure_builtin_roles(session)
        # A new installation starts with the group's standard lead-to-cash process, so the
        # first opportunity can open at once; admins adapt it as a new version.
        from flotilla.process.seed import ensure_standard_template

        ensure_standard_template(session)
        root = session.execute(
            select(OrgUnit).where(OrgUnit.parent_id.is_(None))
        ).scalar_one_or_none()
        if root is None:
            root = _unit(
                session,
                None,
                "group",
                "GROUP",
                "集团",
                "Group",
                currency="CNY",
                timezone="Asia/Shanghai",
            )
            session.flush()
        user = _person(
            session,
            username.lower(),
            display_name,
            root,
            hash_password(password),
            roles["group_admin"].name,
            0,
        )
        user.email = None
        user.phone = None
        session.flush()
        session.add(RoleGrant(user_id=user.id, role_id=roles["group_admin"].id, unit_id=root.id))
        session.commit()
    return f"group administrator {username!r} created"
