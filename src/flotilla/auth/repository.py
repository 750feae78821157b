"""Queries for sessions and login attempts (identity tables, not business data)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from flotilla.models.identity import AuthSession, LoginAttempt


def failures_since(
    session: Session,
    *,
    username_key: str | None = None,
    client_ip: str | None = None,
    since: datetime,
) -> int:
    stmt = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since)
    )
    if username_key is not None:
        last_success = (
            select(func.max(LoginAttempt.attempted_at))
            .where(LoginAttempt.username_key == username_key, LoginAttempt.succeeded.is_(True))
            .scalar_subquery()
        )
        stmt = stmt.where(
            LoginAttempt.username_key == username_key,
            (last_success.is_(None)) | (LoginAttempt.attempted_at > last_success),
        )
    if client_ip is not None:
        stmt = stmt.where(LoginAttempt.client_ip == client_ip)
    return int(session.execute(stmt).scalar_one())


def oldest_failure_since(session: Session, username_key: str, since: datetime) -> datetime | None:
    stmt = select(func.min(LoginAttempt.attempted_at)).where(
        LoginAttempt.username_key == username_key,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.attempted_at >= since,
    )
    return session.execute(stmt).scalar_one_or_none()


def revoke_sessions(session: Session, user_id: uuid.UUID, at: datetime) -> None:
    session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def get_session_by_id(session: Session, session_id: uuid.UUID) -> AuthSession | None:
    return session.get(AuthSession, session_id)
