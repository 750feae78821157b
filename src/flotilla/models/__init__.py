"""Every table, one module per aggregate. Importing this package registers them all."""

from flotilla.models.audit import AuditChainHead, AuditEvent
from flotilla.models.identity import (
    AuthSession,
    LoginAttempt,
    Position,
    Role,
    RoleGrant,
    User,
)
from flotilla.models.org import OrgUnit

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "AuthSession",
    "LoginAttempt",
    "OrgUnit",
    "Position",
    "Role",
    "RoleGrant",
    "User",
]
