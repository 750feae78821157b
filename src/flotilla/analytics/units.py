"""The unit a report is about, and "today" for reports — one rule for every analytic
(KPIs, trends, aging, funnel, forecast, pipeline), so the same unit answers alike everywhere.

A unit is reported on when ``analytics.read`` reaches it as a unit (``Scope.reaches_unit``:
the caller's group, subsidiary, department or team grants); anything else does not exist
(404). The "own" data scope opens records, not units, so a rep has no unit reports — the
figures of a unit would otherwise mix the unit's targets with only the rep's own rows.
"""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from flotilla.core import clock, lookup
from flotilla.core.errors import NotFound
from flotilla.core.scope import Scope, system_access
from flotilla.models.org import OrgUnit

READ = "analytics.read"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def top_reached_unit(session: Session, scope: Scope) -> OrgUnit | None:
    """The shallowest active unit ``analytics.read`` reaches as a unit: the group root for
    group-wide callers, a director's subsidiary, a manager's department — always a unit the
    caller could also have asked for."""
    reach = scope.reach(READ)
    if not (reach.everything or reach.path_prefixes or reach.unit_ids):
        return None
    stmt = select(OrgUnit).where(OrgUnit.is_active.is_(True))
    if not reach.everything:
        stmt = stmt.where(OrgUnit.id.in_(scope.visible_unit_ids(READ)))
    stmt = stmt.order_by(OrgUnit.depth, OrgUnit.path).limit(1)
    # The condition above is the scope kernel's own unit reach for this permission.
    return session.execute(system_access(stmt)).scalar_one_or_none()


def report_unit(session: Session, scope: Scope, unit_id: uuid.UUID | None) -> OrgUnit:
    """The unit asked for when ``analytics.read`` reaches it (by default the caller's top
    reached unit); 403 without the permission at all, 404 for any other unit."""
    scope.require(READ)
    unit: OrgUnit | None
    if unit_id is None:
        unit = top_reached_unit(session, scope)
    elif scope.reaches_unit(session, READ, unit_id):
        unit = lookup.unit_by_id(session, unit_id)
    else:
        unit = None
    if unit is None:
        raise NotFound()
    return unit


def group_today(session: Session) -> date:
    """Today's date in the group's time zone (the root's; China time when unset): the day
    reports count "today", the current period and "overdue" from."""
    name = session.execute(
        system_access(select(OrgUnit.timezone).where(OrgUnit.parent_id.is_(None))).limit(1)
    ).scalar_one_or_none()
    try:
        zone = ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    return clock.now().astimezone(zone).date()
