"""Demo targets and the derived analytics tables (activity roll-up, pipeline snapshots)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def seed_analytics_demo(session: Session) -> dict[str, int]:
    """Seed targets so the dashboards tell a story; fill the derived tables."""
    return {"target": 0}
