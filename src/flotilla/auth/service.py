"""Login, logout and the caller's own profile.

Unknown users and wrong passwords fail identically (same message, same argon2 work).
Lock-out counts failures per username string, known or not, so it reveals nothing either.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from flotilla.auth import repository
from flotilla.auth.schemas import MeOut, MePosition, MeUser, ScopeSummary
from flotilla.core import audit, clock, lookup
from flotilla.core.errors import AppError, TooManyRequests, Unauthenticated
from flotilla.core.scope import Scope, resolve_scope
from flotilla.core.security import dummy_hash, new_token, token_digest, verify_password
from flotilla.core.settings import get_settings
from flotilla.models.identity import AuthSession, LoginAttempt, User
from flotilla.user import repository as user_repository
from flotilla.user.schemas import GrantOut


@dataclass(frozen=True)
class LoginResult:
    token: str
    csrf_token: str
    expires_at: datetime
    user: User
    scope: Scope


def _locked_error(minutes: int) -> AppError:
    return TooManyRequests(
        "login_locked",
        minutes=minutes,
        headers={"Retry-After": str(minutes * 60)},
        keep_writes=True,
    )


def login(
    session: Session,
    username: str,
    password: str,
    client_ip: str | None,
    user_agent: str | None,
) -> LoginResult:
    settings = get_settings()
    now = clock.now()
    key = username.strip().lower()
    window_start = now - timedelta(minutes=settings.login_lock_minutes)
    if (
        client_ip
        and repository.failures_since(session, client_ip=client_ip, since=window_start)
        >= settings.login_ip_max_failures
    ):
        raise _locked_error(settings.login_lock_minutes)
    failures = repository.failures_since(session, username_key=key, since=window_start)
    if failures >= settings.login_max_failures:
        oldest = repository.oldest_failure_since(session, key, window_start) or now
        remaining = oldest + timedelta(minutes=settings.login_lock_minutes) - now
        raise _locked_error(max(1, math.ceil(remaining.total_seconds() / 60)))

    user = user_repository.find_by_username(session, key)
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if not valid or user is None or not user.is_active:
        session.add(
            LoginAttempt(username_key=key, client_ip=client_ip, succeeded=False, attempted_at=now)
        )
        audit.record(
            session,
            "auth.login_failed",
            entity_type="app_user" if user else None,
            entity_id=user.id if user else None,
            entity_label=key,
            unit_id=user.primary_unit_id if user else None,
        )
        if failures + 1 >= settings.login_max_failures:
            raise _locked_error(settings.login_lock_minutes)
        raise Unauthenticated("invalid_credentials", keep_writes=True)

    token, csrf = new_token(), new_token()
    expires_at = now + timedelta(hours=settings.session_hours)
    session.add(
        AuthSession(
            token_digest=token_digest(token),
            csrf_token=csrf,
            user_id=user.id,
            created_at=now,
            expires_at=expires_at,
            client_ip=client_ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.add(
        LoginAttempt(username_key=key, client_ip=client_ip, succeeded=True, attempted_at=now)
    )
    audit.set_context(
        session,
        audit.AuditContext(
            actor_id=user.id,
            actor_name=f"{user.display_name} ({user.username})",
            request_id=audit.get_context(session).request_id,
            client_ip=client_ip,
        ),
    )
    audit.record(
        session,
        "auth.login",
        entity_type="app_user",
        entity_id=user.id,
        entity_label=user.username,
        unit_id=user.primary_unit_id,
        subsidiary_id=user.subsidiary_id,
    )
    return LoginResult(token, csrf, expires_at, user, resolve_scope(session, user))


def logout(session: Session, scope: Scope, auth_session_id: uuid.UUID) -> None:
    auth = repository.get_session_by_id(session, auth_session_id)
    if auth is None:
        raise Unauthenticated()
    auth.revoked_at = clock.now()
    audit.record(
        session,
        "auth.logout",
        entity_type="app_user",
        entity_id=scope.user_id,
        entity_label=scope.username,
    )


def revoke_all_sessions(session: Session, user_id: uuid.UUID) -> None:
    repository.revoke_sessions(session, user_id, clock.now())


def me(session: Session, scope: Scope) -> MeOut:
    user = user_repository.find_by_username(session, scope.username)
    if user is None:
        raise Unauthenticated()
    positions = user_repository.positions_of(session, user.id)
    subsidiaries = lookup.units_by_id(
        session, {u.subsidiary_id for _p, u in positions if u.subsidiary_id}
    )
    return MeOut(
        user=MeUser.model_validate(user),
        positions=[
            MePosition(
                id=p.id,
                unit_id=u.id,
                unit_name=u.name,
                unit_kind=u.kind,
                subsidiary_id=u.id if u.kind == "subsidiary" else u.subsidiary_id,
                subsidiary_name=u.name
                if u.kind == "subsidiary"
                else (subsidiaries[u.subsidiary_id].name if u.subsidiary_id else None),
                title=p.title,
                is_primary=p.is_primary,
            )
            for p, u in positions
        ],
        grants=[
            GrantOut(
                id=g.grant_id,
                role_id=g.role_id,
                role_code=g.role_code,
                role_name=g.role_name,
                role_name_en=g.role_name_en,
                unit_id=g.unit_id,
                unit_name=g.unit_name,
                data_scope=g.data_scope,
            )
            for g in scope.grants
        ],
        permissions=sorted(scope.permissions),
        scope=[
            ScopeSummary(
                permission=permission,
                everything=reach.everything,
                unit_count=len(reach.path_prefixes) + len(reach.unit_ids),
                own=reach.own,
            )
            for permission, reach in sorted(scope.reaches.items())
        ],
    )


def set_locale(session: Session, scope: Scope, locale: str) -> MeOut:
    user = user_repository.find_by_username(session, scope.username)
    if user is None:
        raise Unauthenticated()
    user.locale = locale
    session.flush()
    return me(session, scope)
