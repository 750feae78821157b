"""Every table, one module per aggregate. Importing this package registers them all."""

from flotilla.models.audit import AuditChainHead, AuditEvent
from flotilla.models.customer import (
    Account,
    AccountClaim,
    AccountSearchKey,
    AccountShare,
    ClaimConflict,
    Contact,
    PoolRelease,
    PoolRule,
)
from flotilla.models.identity import (
    AuthSession,
    LoginAttempt,
    Position,
    Role,
    RoleGrant,
    User,
)
from flotilla.models.org import OrgUnit
from flotilla.models.sales import (
    Activity,
    Lead,
    Opportunity,
    OpportunityMember,
    ProcessStage,
    ProcessTemplate,
    ProcessVersion,
    StageHistory,
)

__all__ = [
    "Account",
    "AccountClaim",
    "AccountSearchKey",
    "AccountShare",
    "Activity",
    "AuditChainHead",
    "AuditEvent",
    "AuthSession",
    "ClaimConflict",
    "Contact",
    "Lead",
    "LoginAttempt",
    "Opportunity",
    "OpportunityMember",
    "OrgUnit",
    "PoolRelease",
    "PoolRule",
    "Position",
    "ProcessStage",
    "ProcessTemplate",
    "ProcessVersion",
    "Role",
    "RoleGrant",
    "StageHistory",
    "User",
]
